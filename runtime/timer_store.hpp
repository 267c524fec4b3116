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
/// Thread-safety: as the underlying store. Plain logic: no actor types.
class timer_store {
 public:
  /// Uses `st`, which must outlive this object.
  explicit timer_store(store& st) : store_(st) {}

  /// Arms (or re-arms) `owner`'s timer `name`; returns the new generation.
  result<int64_t> arm(const schemas::address& owner, std::string_view name, int64_t due_ms,
                      std::string payload);

  /// Cancels a timer; returns true if one was armed.
  result<bool> cancel(const schemas::address& owner, std::string_view name);

  /// Returns the current record of a timer, or nullopt if none is armed.
  result<std::optional<schemas::timer_record>> find(const schemas::address& owner,
                                                    std::string_view name);

  /// Returns up to `limit` timers due at `now_ms`, earliest first. Entries left behind by a
  /// re-arm or cancel are removed on the way and not returned.
  result<std::vector<schemas::timer_record>> due(int64_t now_ms, size_t limit);

  /// Removes the timer if it still has generation `generation` (it was not re-armed meanwhile).
  /// Returns true if this call removed it.
  result<bool> complete(const schemas::address& owner, std::string_view name, int64_t generation);

  /// Returns the timers armed by `owner` (for inspection), earliest first.
  result<std::vector<schemas::timer_record>> pending(const schemas::address& owner);

  /// Returns the number of armed timers on the whole store.
  result<int64_t> pending_count();

 private:
  store& store_;
};

}  // namespace sb
