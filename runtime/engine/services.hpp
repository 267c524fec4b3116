#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "runtime/bus.hpp"
#include "runtime/clock.hpp"
#include "runtime/cluster/partition_table.hpp"
#include "runtime/keyed_behavior.hpp"
#include "runtime/store.hpp"
#include "runtime/timer_store.hpp"

namespace sb::engine {

/// Per-node counters of the actor runtime (also mirrored into the process metrics).
struct node_counters {
  std::atomic<int64_t> activations{0};
  std::atomic<int64_t> passivations{0};
  std::atomic<int64_t> messages_handled{0};
  std::atomic<int64_t> duplicates_dropped{0};
  std::atomic<int64_t> handler_errors{0};
  std::atomic<int64_t> timers_armed{0};
  std::atomic<int64_t> timers_fired{0};
  std::atomic<int64_t> timers_stale{0};
  std::atomic<int64_t> store_errors{0};
  std::atomic<int64_t> undeliverable{0};
};

/// What every actor of a node shares. Owned by the node, which outlives all actors; the pointees
/// are thread-safe.
struct services {
  std::string node_id;
  store* state_store = nullptr;
  timer_store* timers = nullptr;
  bus* message_bus = nullptr;
  const clock* node_clock = nullptr;
  const kind_registry* kinds = nullptr;
  node_counters* counters = nullptr;
  /// The partitions this node holds (cluster mode); nullptr on an embedded node, which owns
  /// every address. With a table, state writes are fenced and work for partitions the node does
  /// not serve is refused.
  cluster::partition_table* partitions = nullptr;
  int64_t idle_passivate_ms = 300'000;
  /// Idle times of kinds that passivate sooner or later than idle_passivate_ms.
  std::map<std::string, int64_t> idle_passivate_ms_by_kind;

  /// How long an actor of `kind` may stay idle.
  [[nodiscard]] int64_t idle_ms_of(const std::string& kind) const {
    auto i = idle_passivate_ms_by_kind.find(kind);
    return i == idle_passivate_ms_by_kind.end() ? idle_passivate_ms : i->second;
  }
  size_t recent_msg_ids = 32;
};

}  // namespace sb::engine
