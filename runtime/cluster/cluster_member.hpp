#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/bus.hpp"
#include "runtime/cluster/lease_manager.hpp"
#include "runtime/cluster/nats_bus.hpp"
#include "runtime/cluster/partition_table.hpp"
#include "runtime/config/node_config.hpp"
#include "runtime/internal/nats_client.hpp"
#include "runtime/store.hpp"

namespace sb::cluster {

/// What a cluster member needs from the node's engine (no actor types cross this line).
struct engine_hooks {
  /// The node's in-process bus.
  bus* local = nullptr;
  /// Applies an intake message to its local actor, in call order.
  apply_in_order_fn apply_in_order;
  /// Passivates every live actor of a partition (saving state where the fence still allows it)
  /// and returns how many; blocks until they are gone.
  std::function<int64_t(uint32_t partition)> passivate_partition;
};

/// Who holds one partition, and how far its intake is behind (any node can ask).
struct partition_owner {
  uint32_t partition = 0;
  std::string owner;  ///< Node id; "" if no node holds its lease right now.
  int64_t lag = 0;    ///< Intake messages not yet delivered to its consumer.
};

/// A snapshot of this node's part in the cluster, for /v1/node, sbctl and /metrics.
struct member_status {
  std::vector<std::string> members;
  /// What each member announced (JSON objects with "node" and "gateway"), by node id.
  std::map<std::string, std::string> member_infos;
  std::vector<held_lease> leases;
  int64_t partitions = 0;
  nats::connection_stats publisher;
  nats::connection_stats subscriber;
  int64_t intake_published = 0;
  int64_t intake_publish_errors = 0;
  int64_t intake_applied = 0;
  int64_t intake_redelivered = 0;
  int64_t intake_naked = 0;
  int64_t intake_rejected = 0;
  int64_t intake_in_flight = 0;
  int64_t intake_lag = 0;  ///< Undelivered messages of the held partitions' consumers.
  int64_t local_shortcuts = 0;
  int64_t partitions_taken = 0;
  int64_t partitions_released = 0;
  int64_t partitions_lost = 0;
};

/// This node's membership in a cluster: its NATS connections (publisher, subscriber, leases),
/// the partition table, the NATS bus and the lease manager, wired together. Taking a partition
/// raises its fence in the store to the lease's revision, then starts its intake consumer;
/// handing one over stops the consumer, waits for the messages in flight, passivates the
/// partition's actors and only then lets the lease go; losing one stops everything for it at once.
///
/// Lifetime: connect(), then make_bus() before the actors run, then start(); leave() for a
/// graceful exit (SIGTERM), stop() (or the destructor) otherwise. The store and the engine hooks
/// must outlive it. Thread-safety: public methods may be called from any thread.
class cluster_member {
 public:
  /// Connects to NATS with the node's settings and opens the lease buckets.
  static result<std::unique_ptr<cluster_member>> connect(const node_config& cfg);
  ~cluster_member();
  cluster_member(const cluster_member&) = delete;
  cluster_member& operator=(const cluster_member&) = delete;

  [[nodiscard]] partition_table& table() { return table_; }

  /// Creates the NATS bus on top of the node's in-process bus. Call once, before start().
  nats_bus& make_bus(engine_hooks hooks);
  [[nodiscard]] nats_bus& message_bus() { return *bus_; }

  /// Creates the streams, subscribes, and starts taking this node's share of the partitions.
  /// `member_info` is the JSON object the other members see (gateway URL, version).
  result<void> start(store& st, std::string member_info);

  /// Leaves gracefully: hands every partition over (no message is redelivered elsewhere), then
  /// stops. Idempotent.
  void leave();
  /// Stops at once (the leases expire by themselves). Idempotent.
  void stop();

  /// This node's part in the cluster; the intake lag costs one consumer-info call per partition
  /// held (`with_lag` false leaves it 0 and asks NATS nothing).
  [[nodiscard]] member_status status(bool with_lag = true) const;

  /// Replaces the JSON object the other members see (e.g. once the gateway knows its port).
  void set_member_info(std::string info);

  /// Every partition's owner (from the leases bucket) and intake lag; one KV read and one
  /// consumer-info call per partition.
  [[nodiscard]] std::vector<partition_owner> owners() const;

 private:
  explicit cluster_member(const node_config& cfg);
  bool on_gained(uint32_t p, int64_t token);
  void on_releasing(uint32_t p);
  void on_lost(uint32_t p);

  node_config cfg_;
  partition_table table_;
  std::unique_ptr<nats::client> publisher_;
  std::unique_ptr<nats::client> subscriber_;
  std::unique_ptr<nats::client> leases_conn_;
  std::unique_ptr<nats::kv_bucket> lease_bucket_;
  std::unique_ptr<nats::kv_bucket> member_bucket_;
  std::unique_ptr<nats_bus> bus_;
  std::unique_ptr<lease_manager> leases_;
  engine_hooks hooks_;
  store* store_ = nullptr;
  bool stopped_ = false;
};

/// Reads the NATS connection settings from the node config (servers split at commas).
nats::settings nats_settings_of(const node_config& cfg, const std::string& connection_name);

}  // namespace sb::cluster
