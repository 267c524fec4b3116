#include "runtime/timer_store.hpp"

#include <algorithm>
#include <limits>
#include <tuple>

#include "runtime/cluster/partitioning.hpp"
#include "runtime/codec.hpp"

namespace sb {

namespace {

constexpr char single_due_set[] = "timers:due";
constexpr char generation_counter[] = "timers:generation";
constexpr char separator = '\x1f';  // Addresses never contain control characters (bus validates).

std::string owner_id(const schemas::address& owner) {
  return owner.kind + "/" + owner.key;
}

std::string record_id(const schemas::address& owner, std::string_view name) {
  std::string id = owner_id(owner);
  id += separator;
  id += name;
  return id;
}

std::string record_key(const std::string& id) {
  return "timer:" + id;
}

std::string owner_set(const schemas::address& owner) {
  return "timers:owner:" + owner_id(owner);
}

// A due-set member names the record and the generation it was armed with: "<generation>|<id>".
std::string due_member(int64_t generation, const std::string& id) {
  return std::to_string(generation) + "|" + id;
}

struct parsed_member {
  int64_t generation = 0;
  std::string id;
};

std::optional<parsed_member> parse_member(const std::string& member) {
  auto bar = member.find('|');
  if (bar == std::string::npos || bar == 0) {
    return std::nullopt;
  }
  parsed_member out;
  for (size_t i = 0; i < bar; ++i) {
    if (member[i] < '0' || member[i] > '9') {
      return std::nullopt;
    }
    out.generation = out.generation * 10 + (member[i] - '0');
  }
  out.id = member.substr(bar + 1);
  return out;
}

result<std::optional<schemas::timer_record>> load(store& st, const std::string& key) {
  auto raw = st.get(key);
  if (!raw) {
    return raw.err();
  }
  if (!raw->has_value()) {
    return std::optional<schemas::timer_record>{};
  }
  auto rec = decode<schemas::timer_record>(**raw);
  if (!rec) {
    return rec.err();
  }
  return std::optional<schemas::timer_record>{std::move(*rec)};
}

// A due entry and the due set it was read from.
struct due_entry {
  std::string set;
  scored_member entry;
};

// Returns the records of `entries` (in their order) that are still armed with the entry's
// generation; removes the other entries from their sets on the way.
result<std::vector<schemas::timer_record>> records_of(store& st,
                                                      const std::vector<due_entry>& entries) {
  std::vector<schemas::timer_record> out;
  for (const auto& [set, m] : entries) {
    auto parsed = parse_member(m.member);
    std::optional<schemas::timer_record> rec;
    if (parsed) {
      auto loaded = load(st, record_key(parsed->id));
      if (!loaded) {
        return loaded.err();
      }
      rec = std::move(*loaded);
    }
    if (!rec || rec->generation != parsed->generation) {
      // Left behind by a re-arm, a cancel or an interrupted arm: never fires.
      if (auto r = st.sorted_set_remove(set, m.member); !r) {
        return r.err();
      }
      continue;
    }
    out.push_back(std::move(*rec));
  }
  return out;
}

// Appends up to `limit` entries of `set` due at `now_ms` to `out`, earliest first.
result<void> read_due(store& st, const std::string& set, int64_t now_ms, size_t limit,
                      std::vector<due_entry>& out) {
  auto members =
      st.sorted_set_range_by_score(set, std::numeric_limits<int64_t>::min(), now_ms, limit);
  if (!members) {
    return members.err();
  }
  for (auto& m : *members) {
    out.push_back(due_entry{set, std::move(m)});
  }
  return {};
}

result<void> check_partition(uint32_t partition, uint32_t count) {
  if (partition >= count) {
    return error{errc::invalid_argument, "timer partition " + std::to_string(partition) +
                                             " is not below " + std::to_string(count)};
  }
  return {};
}

}  // namespace

std::string timer_store::due_set(uint32_t partition) const {
  return partitions_ == 1 ? std::string{single_due_set}
                          : std::string{single_due_set} + ":" + std::to_string(partition);
}

std::string timer_store::due_set_of(const schemas::address& owner) const {
  return due_set(cluster::partition_of(owner, partitions_));
}

result<int64_t> timer_store::arm(const schemas::address& owner, std::string_view name,
                                 int64_t due_ms, std::string payload) {
  auto id = record_id(owner, name);
  auto generation = store_.increment(generation_counter);
  if (!generation) {
    return generation.err();
  }
  auto previous = load(store_, record_key(id));
  if (!previous) {
    return previous.err();
  }
  schemas::timer_record rec;
  rec.owner = owner;
  rec.name = std::string{name};
  rec.due_ms = due_ms;
  rec.generation = *generation;
  rec.payload.data = std::move(payload);
  // The due entry goes in before the record: a crash in between leaves an entry whose generation
  // matches no record, which due() drops, rather than a record that can never fire.
  const std::string due_key = due_set_of(owner);
  if (auto r = store_.sorted_set_add(due_key, due_member(rec.generation, id), due_ms); !r) {
    return r.err();
  }
  if (auto r = store_.put(record_key(id), encode(rec)); !r) {
    return r.err();
  }
  if (auto r = store_.sorted_set_add(owner_set(owner), rec.name, due_ms); !r) {
    return r.err();
  }
  if (previous->has_value()) {
    if (auto r = store_.sorted_set_remove(due_key, due_member((*previous)->generation, id)); !r) {
      return r.err();
    }
  }
  return rec.generation;
}

result<bool> timer_store::cancel(const schemas::address& owner, std::string_view name) {
  auto id = record_id(owner, name);
  auto previous = load(store_, record_key(id));
  if (!previous) {
    return previous.err();
  }
  if (!previous->has_value()) {
    return false;
  }
  auto done = complete(owner, name, (*previous)->generation);
  if (!done) {
    return done.err();
  }
  return *done;
}

result<std::optional<schemas::timer_record>> timer_store::find(const schemas::address& owner,
                                                               std::string_view name) {
  return load(store_, record_key(record_id(owner, name)));
}

result<std::vector<schemas::timer_record>> timer_store::due(int64_t now_ms, size_t limit) {
  // The first `limit` of every set hold the first `limit` overall; merge them by due time.
  std::vector<due_entry> entries;
  for (uint32_t p = 0; p < partitions_; ++p) {
    if (auto r = read_due(store_, due_set(p), now_ms, limit, entries); !r) {
      return r.err();
    }
  }
  if (partitions_ > 1) {
    std::sort(entries.begin(), entries.end(), [](const due_entry& a, const due_entry& b) {
      return std::tie(a.entry.score, a.entry.member) < std::tie(b.entry.score, b.entry.member);
    });
    entries.resize(std::min(entries.size(), limit));
  }
  return records_of(store_, entries);
}

result<std::vector<schemas::timer_record>> timer_store::due_in(uint32_t partition, int64_t now_ms,
                                                               size_t limit) {
  if (auto valid = check_partition(partition, partitions_); !valid) {
    return valid.err();
  }
  std::vector<due_entry> entries;
  if (auto r = read_due(store_, due_set(partition), now_ms, limit, entries); !r) {
    return r.err();
  }
  return records_of(store_, entries);
}

result<bool> timer_store::complete(const schemas::address& owner, std::string_view name,
                                   int64_t generation) {
  auto id = record_id(owner, name);
  auto key = record_key(id);
  auto raw = store_.get(key);
  if (!raw) {
    return raw.err();
  }
  bool removed = false;
  if (raw->has_value()) {
    auto rec = decode<schemas::timer_record>(**raw);
    if (rec && rec->generation == generation) {
      auto swapped = store_.compare_and_set(key, *raw, std::nullopt);
      if (!swapped) {
        return swapped.err();
      }
      removed = *swapped;
      if (removed) {
        if (auto r = store_.sorted_set_remove(owner_set(owner), std::string{name}); !r) {
          return r.err();
        }
      }
    }
  }
  if (auto r = store_.sorted_set_remove(due_set_of(owner), due_member(generation, id)); !r) {
    return r.err();
  }
  return removed;
}

result<std::vector<schemas::timer_record>> timer_store::pending(const schemas::address& owner) {
  std::vector<schemas::timer_record> out;
  auto names =
      store_.sorted_set_range_by_score(owner_set(owner), std::numeric_limits<int64_t>::min(),
                                       std::numeric_limits<int64_t>::max(), 1000);
  if (!names) {
    return names.err();
  }
  for (const auto& n : *names) {
    auto rec = find(owner, n.member);
    if (!rec) {
      return rec.err();
    }
    if (rec->has_value()) {
      out.push_back(std::move(**rec));
    }
  }
  return out;
}

result<int64_t> timer_store::pending_count() {
  int64_t total = 0;
  for (uint32_t p = 0; p < partitions_; ++p) {
    auto size = store_.sorted_set_size(due_set(p));
    if (!size) {
      return size.err();
    }
    total += *size;
  }
  return total;
}

result<int64_t> timer_store::pending_in(uint32_t partition) {
  if (auto valid = check_partition(partition, partitions_); !valid) {
    return valid.err();
  }
  return store_.sorted_set_size(due_set(partition));
}

}  // namespace sb
