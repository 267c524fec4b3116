// Key-value buckets. Conditional writes (create, update) publish to the bucket's stream
// themselves: kvStore_Create/Update drop the JetStream error code, and only that code (10071,
// wrong last sequence) tells "someone else holds the key" from a failed call.
#include <algorithm>
#include <cstring>

#include "runtime/internal/nats_client.hpp"
#include "runtime/internal/nats_client_impl.hpp"

namespace sb::nats {

using detail::to_error;
using detail::to_nanos;

namespace {

detail::kv_handle& handle_of(void* native) {
  return *static_cast<detail::kv_handle*>(native);
}

// NATS KV keys: [-/_=.a-zA-Z0-9]+, not starting or ending with '.' (kvStore's own check).
bool valid_key(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') {
    return false;
  }
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::strchr("-/_=.", c) != nullptr;
  });
}

result<void> check_key(std::string_view key) {
  if (!valid_key(key)) {
    return error{errc::invalid_argument, "invalid key-value key '" + std::string{key} + "'"};
  }
  return {};
}

// Publishes `value` on the key's subject if the key's last revision is `expected` (0: the key
// has no message at all). Returns the new revision, or nullopt on a revision mismatch.
result<std::optional<uint64_t>> conditional_put(detail::kv_handle& h, std::string_view key,
                                                std::string_view value, uint64_t expected) {
  const std::string subject = h.subject_prefix + std::string{key};
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = h.api_timeout.count();
  if (expected == 0) {
    po.ExpectNoMessage = true;
  } else {
    po.ExpectLastSubjectSeq = expected;
  }
  jsPubAck* pa = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_Publish(&pa, h.js, subject.c_str(), value.data(),
                                  static_cast<int>(value.size()), &po, &jerr);
  if (s != NATS_OK) {
    jsPubAck_Destroy(pa);
    if (jerr == JSStreamWrongLastSequenceErr) {
      return std::optional<uint64_t>{};
    }
    return to_error(s, "writing key '" + std::string{key} + "'", jerr);
  }
  const uint64_t revision = pa->Sequence;
  jsPubAck_Destroy(pa);
  return std::optional<uint64_t>{revision};
}

// The revision of the key's delete or purge marker, 0 if it has no message, nullopt if it has a
// live value.
result<std::optional<uint64_t>> tombstone_revision(detail::kv_handle& h, std::string_view key) {
  const std::string subject = h.subject_prefix + std::string{key};
  natsMsg* last = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_GetLastMsg(&last, h.js, h.stream.c_str(), subject.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND) {
    return std::optional<uint64_t>{0};  // Expired meanwhile.
  }
  if (s != NATS_OK) {
    return to_error(s, "reading key '" + std::string{key} + "'", jerr);
  }
  const char* op = nullptr;
  const bool marker = natsMsgHeader_Get(last, "KV-Operation", &op) == NATS_OK && op != nullptr &&
                      (std::strcmp(op, "DEL") == 0 || std::strcmp(op, "PURGE") == 0);
  const uint64_t seq = natsMsg_GetSequence(last);
  natsMsg_Destroy(last);
  return marker ? std::optional<uint64_t>{seq} : std::optional<uint64_t>{};
}

}  // namespace

kv_bucket::kv_bucket(void* native) noexcept : native_(native) {}

kv_bucket::~kv_bucket() {
  if (native_ != nullptr) {
    kvStore_Destroy(handle_of(native_).kv);
    delete &handle_of(native_);
  }
}

result<std::optional<uint64_t>> kv_bucket::create(std::string_view key, std::string_view value) {
  if (auto ok = check_key(key); !ok) {
    return ok.err();
  }
  auto& h = handle_of(native_);
  // A delete marker is a message too: retry against its revision. A few rounds cover races
  // with other writers that delete or expire the key in between.
  uint64_t expected = 0;
  for (int round = 0; round < 4; ++round) {
    auto put = conditional_put(h, key, value, expected);
    if (!put || put->has_value()) {
      return put;
    }
    auto marker = tombstone_revision(h, key);
    if (!marker) {
      return marker.err();
    }
    if (!marker->has_value()) {
      return std::optional<uint64_t>{};  // A live value.
    }
    expected = **marker;
  }
  return std::optional<uint64_t>{};
}

result<std::optional<uint64_t>> kv_bucket::update(std::string_view key, std::string_view value,
                                                  uint64_t last_revision) {
  if (auto ok = check_key(key); !ok) {
    return ok.err();
  }
  if (last_revision == 0) {
    return error{errc::invalid_argument, "kv update of '" + std::string{key} +
                                             "' needs a revision; use create() for a new key"};
  }
  return conditional_put(handle_of(native_), key, value, last_revision);
}

result<uint64_t> kv_bucket::put(std::string_view key, std::string_view value) {
  if (auto ok = check_key(key); !ok) {
    return ok.err();
  }
  const std::string k{key};
  uint64_t revision = 0;
  const natsStatus s = kvStore_Put(&revision, handle_of(native_).kv, k.c_str(), value.data(),
                                   static_cast<int>(value.size()));
  if (s != NATS_OK) {
    return to_error(s, "writing key '" + k + "'");
  }
  return revision;
}

result<std::optional<kv_entry>> kv_bucket::get(std::string_view key) {
  if (auto ok = check_key(key); !ok) {
    return ok.err();
  }
  const std::string k{key};
  kvEntry* e = nullptr;
  const natsStatus s = kvStore_Get(&e, handle_of(native_).kv, k.c_str());
  if (s == NATS_NOT_FOUND) {
    return std::optional<kv_entry>{};  // Absent, deleted or expired.
  }
  if (s != NATS_OK) {
    return to_error(s, "reading key '" + k + "'");
  }
  const auto* data = static_cast<const char*>(kvEntry_Value(e));
  kv_entry out{std::string{data ? data : "", static_cast<size_t>(kvEntry_ValueLen(e))},
               kvEntry_Revision(e)};
  kvEntry_Destroy(e);
  return std::optional<kv_entry>{std::move(out)};
}

result<void> kv_bucket::erase(std::string_view key) {
  if (auto ok = check_key(key); !ok) {
    return ok.err();
  }
  const std::string k{key};
  const natsStatus s = kvStore_Delete(handle_of(native_).kv, k.c_str());
  if (s != NATS_OK) {
    return to_error(s, "deleting key '" + k + "'");
  }
  return {};
}

result<std::vector<std::string>> kv_bucket::keys() {
  auto& h = handle_of(native_);
  kvWatchOptions wo;
  kvWatchOptions_Init(&wo);
  wo.Timeout = h.api_timeout.count();  // The default waits forever.
  kvKeysList list;
  const natsStatus s = kvStore_Keys(&list, h.kv, &wo);
  std::vector<std::string> out;
  if (s == NATS_NOT_FOUND) {
    return out;  // An empty bucket.
  }
  if (s != NATS_OK) {
    return to_error(s, "listing keys");
  }
  for (int i = 0; i < list.Count; ++i) {
    out.emplace_back(list.Keys[i]);
  }
  kvKeysList_Destroy(&list);
  std::sort(out.begin(), out.end());
  return out;
}

// -- opening
// ---------------------------------------------------------------------------------------

result<std::unique_ptr<kv_bucket>> client::key_value(const std::string& name,
                                                     std::chrono::milliseconds ttl) {
  kvStore* kv = nullptr;
  natsStatus s = js_KeyValue(&kv, impl_->js, name.c_str());
  if (s == NATS_NOT_FOUND) {
    kvConfig kc;
    kvConfig_Init(&kc);
    kc.Bucket = name.c_str();
    kc.History = 1;
    kc.TTL = to_nanos(ttl);
    kc.StorageType = js_FileStorage;
    s = js_CreateKeyValue(&kv, impl_->js, &kc);
    if (s != NATS_OK) {
      // Another client may have created it with another config in between.
      s = js_KeyValue(&kv, impl_->js, name.c_str());
    }
  }
  if (s != NATS_OK) {
    return to_error(s, "opening key-value bucket '" + name + "'");
  }
  auto* h = new detail::kv_handle;
  h->kv = kv;
  h->js = impl_->js;
  h->stream = "KV_" + name;
  h->subject_prefix = "$KV." + name + ".";
  h->api_timeout = impl_->cfg.api_timeout;
  return std::make_unique<kv_bucket>(h);
}

}  // namespace sb::nats
