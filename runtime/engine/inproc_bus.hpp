#pragma once

#include <memory>
#include <vector>

#include "runtime/engine/caf_types.hpp"
#include "runtime/engine/services.hpp"

namespace sb::engine {

/// Returns true if `addr` is well-formed: a kind of [a-z0-9_] and a key of 1..256 bytes without
/// control characters. Malformed addresses are refused at the bus, before any actor sees them.
bool valid_address(const schemas::address& addr) noexcept;

/// The in-process bus of an embedded node: deliveries and requests go to the registry shard that
/// owns the address (by a stable hash of kind and key), events go through one topic router actor.
/// Lifetime: owned by the node; the actor system outlives it.
class inproc_bus final : public bus {
 public:
  /// Spawns the topic router; `shards` are the node's registry shards.
  inproc_bus(caf::actor_system& sys, std::vector<caf::actor> shards, node_counters* counters);
  ~inproc_bus() override;

  void deliver(schemas::envelope env) override;
  void request(schemas::envelope env, std::chrono::milliseconds timeout,
               reply_handler on_reply) override;
  void publish(std::string_view topic, schemas::envelope env) override;
  uint64_t subscribe(std::string pattern, schemas::address subscriber) override;
  uint64_t subscribe(std::string pattern, event_handler handler) override;
  void unsubscribe(uint64_t id) override;

  /// Like request(), but requests made through this method reach their actors in the order of
  /// the calls (one sequencer actor sends them all): the cluster's intake applies a partition's
  /// messages in stream order this way.
  void request_in_order(schemas::envelope env, std::chrono::milliseconds timeout,
                        reply_handler on_reply);

  /// Returns the registry shard that owns `addr`.
  [[nodiscard]] const caf::actor& shard_for(const schemas::address& addr) const;

  /// Stops the topic router (at node shutdown).
  void stop();

 private:
  caf::actor_system& sys_;
  std::vector<caf::actor> shards_;
  caf::actor router_;
  caf::actor sequencer_;
  node_counters* counters_;
  std::atomic<uint64_t> next_subscription_{1};
};

/// Returns the index of the shard owning `addr` among `count` shards (FNV-1a of "kind/key"; stable
/// across processes and versions, unlike std::hash).
size_t shard_index(const schemas::address& addr, size_t count) noexcept;

}  // namespace sb::engine
