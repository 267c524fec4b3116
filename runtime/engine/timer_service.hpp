#pragma once

#include <chrono>
#include <functional>

#include "runtime/engine/caf_types.hpp"
#include "runtime/engine/services.hpp"

namespace sb::engine {

/// Settings of a node's timer service.
struct timer_service_settings {
  std::chrono::milliseconds poll_interval{100};
  size_t batch = 1000;
  bool self_ticking = true;  ///< false: fires only on poll requests (scripted demo, tests).
  std::function<caf::actor(const schemas::address&)> shard_for;
  /// Cluster nodes: the partitions whose due sets to poll (those the node serves); empty
  /// function: the store's one due set (embedded node).
  std::function<std::vector<uint32_t>()> partitions_to_poll;
};

/// Spawns the node's timer service: it polls the timer store for due timers (every poll_interval
/// by the node clock), asks each owner to apply its firing (activating it if passivated) and keeps
/// a firing "in flight" until the owner answered, so a slow owner is not asked twice. Firings that
/// fail (store down, owner failed) are retried on a later poll. It never removes a timer itself:
/// the owner does, after saving (see timer_store).
///
/// Protocol: (tick_atom) internal; (poll_atom) -> int64 fired (answers when all are applied);
/// (drain_atom) -> bool (stops polling; firings in flight still complete).
caf::actor spawn_timer_service(caf::actor_system& sys, services* svc,
                               timer_service_settings settings);

}  // namespace sb::engine
