// JetStream: streams, publishes with message ids, durable push consumers.
#include <algorithm>
#include <vector>

#include "runtime/internal/nats_client.hpp"
#include "runtime/internal/nats_client_impl.hpp"
#include "runtime/logging.hpp"

namespace sb::nats {

using detail::to_error;
using detail::to_nanos;

namespace detail {

void call_done(const std::function<void(result<publish_ack>)>& done, result<publish_ack> r) {
  if (!done) {
    return;
  }
  try {
    done(std::move(r));
  } catch (...) {
    get_logger("nats")->error("a publish callback threw");
  }
}

void on_publish_ack(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
  std::function<void(result<publish_ack>)> done;
  if (auto state = find_state(closure)) {
    std::lock_guard<std::mutex> lock{state->mu};
    if (auto it = state->pending.find(msg); it != state->pending.end()) {
      done = std::move(it->second);
      state->pending.erase(it);
    }
  }
  if (done) {
    result<publish_ack> r = publish_ack{};
    if (pa != nullptr) {
      r = publish_ack{pa->Sequence, pa->Duplicate};
    } else {
      const natsStatus s = pae != nullptr ? pae->Err : NATS_ERR;
      error err = to_error(s, "asynchronous JetStream publish", pae ? pae->ErrCode : 0);
      if (pae != nullptr && pae->ErrText != nullptr && *pae->ErrText != '\0') {
        err.message += ": ";
        err.message += pae->ErrText;
      }
      r = std::move(err);
    }
    call_done(done, std::move(r));
  }
  natsMsg_Destroy(msg);  // The ack handler owns the message (nats.h).
}

}  // namespace detail

// -- streams
// ---------------------------------------------------------------------------------------

result<void> client::ensure_stream(const stream_config& cfg) {
  if (cfg.name.empty() || cfg.subjects.empty()) {
    return error{errc::invalid_argument, "ensure_stream: a name and at least one subject needed"};
  }
  std::vector<const char*> subjects;
  for (const auto& s : cfg.subjects) {
    subjects.push_back(s.c_str());
  }
  jsStreamConfig sc;
  jsStreamConfig_Init(&sc);
  sc.Name = cfg.name.c_str();
  sc.Subjects = subjects.data();
  sc.SubjectsLen = static_cast<int>(subjects.size());
  sc.Storage = cfg.memory_storage ? js_MemoryStorage : js_FileStorage;
  sc.Retention = js_LimitsPolicy;
  sc.MaxAge = to_nanos(cfg.max_age);
  sc.Duplicates = to_nanos(cfg.duplicate_window);
  sc.MaxBytes = cfg.max_bytes;

  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_AddStream(&info, impl_->js, &sc, nullptr, &jerr);
  if (s != NATS_OK && jerr == JSStreamNameExistErr) {
    // It exists with another config: a stream created identically is simply OK above.
    jerr = static_cast<jsErrCode>(0);
    s = js_UpdateStream(&info, impl_->js, &sc, nullptr, &jerr);
  }
  jsStreamInfo_Destroy(info);
  if (s != NATS_OK) {
    return to_error(s, "creating stream '" + cfg.name + "'", jerr);
  }
  return {};
}

// -- publishing
// ------------------------------------------------------------------------------------

result<publish_ack> client::js_publish(std::string_view subject, std::string_view data,
                                       std::string_view msg_id,
                                       const std::map<std::string, std::string>& headers) {
  auto m = detail::build_msg(subject, data, {}, headers);
  if (!m) {
    return m.err();
  }
  const std::string id{msg_id};
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MsgId = id.empty() ? nullptr : id.c_str();
  jsPubAck* pa = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_PublishMsg(&pa, impl_->js, *m, &po, &jerr);
  natsMsg_Destroy(*m);
  if (s != NATS_OK) {
    jsPubAck_Destroy(pa);
    return to_error(s, "JetStream publish on '" + std::string{subject} + "'", jerr);
  }
  publish_ack out{pa->Sequence, pa->Duplicate};
  jsPubAck_Destroy(pa);
  return out;
}

void client::js_publish_async(std::string_view subject, std::string_view data,
                              std::string_view msg_id,
                              const std::map<std::string, std::string>& headers,
                              std::function<void(result<publish_ack>)> done) {
  auto m = detail::build_msg(subject, data, {}, headers);
  if (!m) {
    detail::call_done(done, m.err());
    return;
  }
  natsMsg* msg = *m;
  const std::string id{msg_id};
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MsgId = id.empty() ? nullptr : id.c_str();
  po.MaxWait = impl_->cfg.api_timeout.count();  // The library then reports missing acks.
  auto& state = *impl_->state;
  {
    // Registered before sending: the ack may arrive before js_PublishMsgAsync returns.
    std::lock_guard<std::mutex> lock{state.mu};
    state.pending.emplace(msg, std::move(done));
  }
  natsMsg* sent = msg;
  const natsStatus s = js_PublishMsgAsync(impl_->js, &sent, &po);
  if (s == NATS_OK) {
    return;  // The library owns the message; on_publish_ack calls `done`.
  }
  // Not sent: the message is still ours and no ack will come.
  error err = to_error(s, "asynchronous JetStream publish on '" + std::string{subject} + "'");
  std::function<void(result<publish_ack>)> failed;
  {
    std::lock_guard<std::mutex> lock{state.mu};
    if (auto it = state.pending.find(msg); it != state.pending.end()) {
      failed = std::move(it->second);
      state.pending.erase(it);
    }
  }
  natsMsg_Destroy(sent);
  detail::call_done(failed, std::move(err));
}

result<void> client::js_publish_async_complete(std::chrono::milliseconds timeout) {
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = timeout.count();
  const natsStatus s = js_PublishAsyncComplete(impl_->js, &po);
  if (s != NATS_OK) {
    return to_error(s, "waiting for asynchronous publishes");
  }
  return {};
}

// -- consumers
// -------------------------------------------------------------------------------------

namespace {

// Makes sure the durable exists. It is created here rather than by js_Subscribe because NATS.c
// deletes a consumer that js_Subscribe created when that subscription is drained or
// unsubscribed, and a durable must outlive its subscriber.
result<void> ensure_consumer(jsCtx* js, const consumer_config& cfg) {
  jsConsumerInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s =
      js_GetConsumerInfo(&info, js, cfg.stream.c_str(), cfg.durable.c_str(), nullptr, &jerr);
  if (s == NATS_OK) {
    const jsConsumerConfig* cur = info->Config;
    const bool same =
        cur->AckWait == to_nanos(cfg.ack_wait) && cur->MaxAckPending == cfg.max_ack_pending &&
        (cur->MaxDeliver == cfg.max_deliver || (cur->MaxDeliver <= 0 && cfg.max_deliver <= 0));
    if (!same) {
      jsConsumerConfig upd = *cur;  // Shallow: the strings stay owned by `info`.
      upd.AckWait = to_nanos(cfg.ack_wait);
      upd.MaxAckPending = cfg.max_ack_pending;
      upd.MaxDeliver = cfg.max_deliver;
      jsConsumerInfo* updated = nullptr;
      s = js_UpdateConsumer(&updated, js, cfg.stream.c_str(), &upd, nullptr, &jerr);
      jsConsumerInfo_Destroy(updated);
    }
    jsConsumerInfo_Destroy(info);
    if (s != NATS_OK) {
      return to_error(s, "updating consumer '" + cfg.durable + "'", jerr);
    }
    return {};
  }
  if (s != NATS_NOT_FOUND) {
    return to_error(s, "looking up consumer '" + cfg.durable + "'", jerr);
  }
  natsInbox* inbox = nullptr;
  s = natsInbox_Create(&inbox);
  if (s != NATS_OK) {
    return to_error(s, "creating a deliver subject");
  }
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = cfg.durable.c_str();
  cc.DeliverSubject = inbox;
  cc.DeliverPolicy = js_DeliverAll;
  cc.AckPolicy = js_AckExplicit;
  cc.AckWait = to_nanos(cfg.ack_wait);
  cc.MaxAckPending = cfg.max_ack_pending;
  cc.MaxDeliver = cfg.max_deliver;
  cc.FilterSubject = cfg.filter_subject.empty() ? nullptr : cfg.filter_subject.c_str();
  jerr = static_cast<jsErrCode>(0);
  s = js_AddConsumer(&info, js, cfg.stream.c_str(), &cc, nullptr, &jerr);
  jsConsumerInfo_Destroy(info);
  natsInbox_Destroy(inbox);
  // "Exists" means another client created it meanwhile: bind to theirs.
  if (s != NATS_OK && jerr != JSConsumerNameExistErr && jerr != JSConsumerExistingActiveErr) {
    return to_error(s, "creating consumer '" + cfg.durable + "'", jerr);
  }
  return {};
}

}  // namespace

result<std::unique_ptr<subscription>> client::js_subscribe(const consumer_config& cfg,
                                                           message_handler handler) {
  if (cfg.stream.empty() || cfg.durable.empty()) {
    return error{errc::invalid_argument, "js_subscribe: stream and durable are needed"};
  }
  if (auto ok = ensure_consumer(impl_->js, cfg); !ok) {
    return ok.err();
  }
  auto state = std::make_shared<detail::sub_state>();
  state->handler = std::move(handler);
  state->conn = impl_->conn;
  state->guard->jetstream = true;
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = cfg.stream.c_str();
  so.Consumer = cfg.durable.c_str();  // Bind: never create (see ensure_consumer).
  so.ManualAck = true;
  natsSubscription* sub = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_Subscribe(
      &sub, impl_->js, cfg.filter_subject.empty() ? nullptr : cfg.filter_subject.c_str(),
      detail::on_message, state.get(), nullptr, &so, &jerr);
  if (s != NATS_OK) {
    return to_error(s, "binding consumer '" + cfg.durable + "' of stream '" + cfg.stream + "'",
                    jerr);
  }
  return detail::adopt_subscription(sub, std::move(state));
}

result<consumer_state> client::consumer_info(const std::string& stream,
                                             const std::string& durable) {
  jsConsumerInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_GetConsumerInfo(&info, impl_->js, stream.c_str(), durable.c_str(), nullptr, &jerr);
  if (s != NATS_OK) {
    return to_error(s, "consumer info of '" + durable + "' in '" + stream + "'", jerr);
  }
  consumer_state out;
  out.num_pending = info->NumPending;
  out.num_ack_pending = static_cast<uint64_t>(std::max<int64_t>(0, info->NumAckPending));
  out.num_redelivered = static_cast<uint64_t>(std::max<int64_t>(0, info->NumRedelivered));
  out.delivered_stream_seq = info->Delivered.Stream;
  out.ack_floor_stream_seq = info->AckFloor.Stream;
  out.push_bound = info->PushBound;
  jsConsumerInfo_Destroy(info);
  return out;
}

result<void> client::delete_consumer(const std::string& stream, const std::string& durable) {
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_DeleteConsumer(impl_->js, stream.c_str(), durable.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND) {
    return {};
  }
  if (s != NATS_OK) {
    return to_error(s, "deleting consumer '" + durable + "' of '" + stream + "'", jerr);
  }
  return {};
}

}  // namespace sb::nats

namespace sb::nats {

result<void> client::delete_stream(const std::string& stream) {
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_DeleteStream(impl_->js, stream.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND) {
    return {};
  }
  if (s != NATS_OK) {
    return to_error(s, "deleting stream '" + stream + "'", jerr);
  }
  return {};
}

}  // namespace sb::nats
