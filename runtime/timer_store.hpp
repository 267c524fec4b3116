#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"
#include "runtime/store.hpp"
#include "schemas/address.hpp"
#include "schemas/timer.hpp"

namespace sb {

/// Durable timers kept in the store, shared by every actor of a node: one record per (owner, name)
/// holding due time, payload and generation; a sorted set of due entries ordered by due time
/// (one member per generation, so a re-armed timer leaves no stale entry that could fire); and a
/// per-owner sorted set of names for inspection. Generations come from one store counter and only
/// grow, across restarts and nodes.
///
/// Firing protocol (runtime/engine/timer_service + keyed actor): due() lists due timers without
/// removing them; the owner applies the firing, saves its state together with the generation it
/// applied, then calls complete(). A crash before complete() makes the timer fire again, and the
/// owner recognises the generation it already applied: the effect happens once.
///
/// Partitions: in a cluster, timers move with the partitions of their owners (see
/// runtime/cluster/partitioning), so each partition has a due set of its own,
/// "timers:due:<p>" with p = cluster::partition_of(owner, partitions), and the node holding a
/// partition polls only its set (due_in). With one partition (a single node) the one due set is
/// "timers:due", as it always was. Every node of a cluster must use the same count; timers armed
/// under another count are not moved (their due entries stay in the old set).
///
/// Thread-safety: as the underlying store. Plain logic: no actor types.
class timer_store {
 public:
  /// Uses `st`, which must outlive this object, with `partitions` due sets (0 counts as 1).
  explicit timer_store(store& st, uint32_t partitions = 1)
      : store_(st), partitions_(partitions == 0 ? 1 : partitions) {}

  /// Arms (or re-arms) `owner`'s timer `name`; returns the new generation.
  result<int64_t> arm(const schemas::address& owner, std::string_view name, int64_t due_ms,
                      std::string payload);

  /// Cancels a timer; returns true if one was armed.
  result<bool> cancel(const schemas::address& owner, std::string_view name);

  /// Returns the current record of a timer, or nullopt if none is armed.
  result<std::optional<schemas::timer_record>> find(const schemas::address& owner,
                                                    std::string_view name);

  /// Returns up to `limit` timers due at `now_ms`, earliest first over every partition. Entries
  /// left behind by a re-arm or cancel are removed on the way and not returned. Reads every due
  /// set: a node that holds only some partitions polls them with due_in instead.
  result<std::vector<schemas::timer_record>> due(int64_t now_ms, size_t limit);

  /// Returns up to `limit` timers of `partition` due at `now_ms`, earliest first, as due() does
  /// but reading only that partition's due set. errc::invalid_argument if `partition` is not
  /// below partitions().
  result<std::vector<schemas::timer_record>> due_in(uint32_t partition, int64_t now_ms,
                                                    size_t limit);

  /// Removes the timer if it still has generation `generation` (it was not re-armed meanwhile).
  /// Returns true if this call removed it.
  result<bool> complete(const schemas::address& owner, std::string_view name, int64_t generation);

  /// Returns the timers armed by `owner` (for inspection), earliest first.
  result<std::vector<schemas::timer_record>> pending(const schemas::address& owner);

  /// Returns the number of armed timers on the whole store (the sizes of all due sets; entries
  /// left behind by an interrupted arm count until due() drops them).
  result<int64_t> pending_count();

  /// Returns the size of `partition`'s due set; errc::invalid_argument if `partition` is not
  /// below partitions().
  result<int64_t> pending_in(uint32_t partition);

  /// Returns the number of partitions, each with its own due set (1 on a single node).
  [[nodiscard]] uint32_t partitions() const { return partitions_; }

 private:
  /// Returns the key of the due set of `partition`.
  [[nodiscard]] std::string due_set(uint32_t partition) const;

  /// Returns the key of the due set that `owner`'s timers go to.
  [[nodiscard]] std::string due_set_of(const schemas::address& owner) const;

  store& store_;
  uint32_t partitions_;
};

}  // namespace sb
