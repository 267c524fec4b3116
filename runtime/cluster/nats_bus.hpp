#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/bus.hpp"
#include "runtime/cluster/partition_table.hpp"
#include "runtime/internal/nats_client.hpp"
#include "schemas/subjects.hpp"

namespace sb::cluster {

/// Applies one envelope to a local actor, in the order of the calls (the in-process bus's
/// sequencer): the reply handler runs once the actor applied the message and saved its state.
using apply_in_order_fn =
    std::function<void(schemas::envelope, std::chrono::milliseconds, reply_handler)>;

/// Settings of the NATS bus (from the node config).
struct nats_bus_settings {
  std::string node_id;
  std::string intake_stream = schemas::subjects::intake_stream;
  std::string events_stream = schemas::subjects::events_stream;
  bool memory_storage = false;  ///< Streams in memory instead of files (tests, benchmarks).
  std::chrono::milliseconds intake_max_age{std::chrono::hours(24)};
  std::chrono::milliseconds events_max_age{std::chrono::hours(24)};
  std::chrono::milliseconds duplicate_window{std::chrono::minutes(2)};
  std::chrono::milliseconds ack_wait{std::chrono::seconds(5)};
  int64_t max_ack_pending = 1000;
  /// How long a local actor may take to apply an intake message before it is redelivered.
  std::chrono::milliseconds apply_timeout{std::chrono::seconds(10)};
};

/// What the NATS bus counts (mirrored into /metrics by the node).
struct nats_bus_counters {
  std::atomic<int64_t> intake_published{0};
  std::atomic<int64_t> intake_publish_errors{0};
  std::atomic<int64_t> intake_applied{0};
  std::atomic<int64_t> intake_redelivered{0};  ///< Messages seen with a delivery count above 1.
  std::atomic<int64_t> intake_naked{0};        ///< Given back for another try (or another owner).
  std::atomic<int64_t> intake_rejected{0};     ///< Undecodable messages, terminated.
  std::atomic<int64_t> local_shortcuts{0};     ///< Actor messages that stayed in-process.
  std::atomic<int64_t> replies_late{0};        ///< Replies that came after their request timed out.
};

/// The cluster's bus: the foundation's bus interface over NATS JetStream.
///
/// Subjects (schemas/subjects.hpp): every message for an address goes to the intake stream on
/// `sb.in.<partition>`; the node holding the partition's lease consumes it with the durable
/// consumer `in-<partition>`, applies it through the local actor (in order), and acks it only once
/// the actor saved its state. A request carries `reply_to` = `sb.reply.<node>` and a correlation
/// id: the owner publishes the reply there, so it reaches the gateway that holds the HTTP request.
/// Events go to the events stream on `sb.events.<topic>`; a handler subscribed on any node gets
/// them through a NATS subscription of its own pattern (gateway long-polls, event tails), a
/// subscribe_local() handler only those of its node (metrics); subscribed actors get a copy each
/// through intake, fanned out by the publishing node (all nodes register the same actor
/// subscriptions from config). Messages from an actor to an address of a partition this node holds
/// take the in-process path.
///
/// Message ids: one-way messages and events are published with their envelope's msg_id as the
/// JetStream message id (duplicates within the window are dropped by the server); actors apply
/// each msg_id once (runtime/engine/keyed_actor). Requests are published without one, so that a
/// retried request is answered again (the actor answers a duplicate as such).
///
/// Lifetime: start() after construction, stop() before the clients and the local bus go.
/// Thread-safety: every method may be called from any thread.
class nats_bus final : public bus {
 public:
  /// `publisher` sends, `subscriber` receives (two connections, so heavy publishing never delays
  /// deliveries); `local` is the node's in-process bus; `table` says which partitions are held.
  nats_bus(nats::client& publisher, nats::client& subscriber, bus& local,
           apply_in_order_fn apply_in_order, partition_table& table, nats_bus_settings settings);
  ~nats_bus() override;

  /// Creates or updates the streams and subscribes to events and replies.
  result<void> start();
  /// Stops every consumer and subscription and fails the requests still waiting.
  void stop();

  /// Starts consuming partition `p`'s intake (its lease was just taken).
  result<void> start_partition(uint32_t p);
  /// Stops consuming `p`. Graceful: lets the messages already received be applied and acked
  /// first (waits up to `timeout`); else drops the subscription at once (unacked messages go to
  /// the next owner after the ack wait).
  void stop_partition(uint32_t p, bool graceful, std::chrono::milliseconds timeout);

  void deliver(schemas::envelope env) override;
  void request(schemas::envelope env, std::chrono::milliseconds timeout,
               reply_handler on_reply) override;
  void publish(std::string_view topic, schemas::envelope env) override;
  void deliver_from_actor(schemas::envelope env) override;
  void publish_from_actor(std::string_view topic, schemas::envelope env) override;
  uint64_t subscribe(std::string pattern, schemas::address subscriber) override;
  uint64_t subscribe(std::string pattern, event_handler handler) override;
  uint64_t subscribe_local(std::string pattern, event_handler handler) override;
  void unsubscribe(uint64_t id) override;

  [[nodiscard]] const nats_bus_counters& counters() const noexcept { return counters_; }
  /// Intake messages received and not yet acked or given back, over all partitions.
  [[nodiscard]] int64_t in_flight() const noexcept { return in_flight_total_; }

  /// The messages of the consumed partitions that the server has not delivered yet (one
  /// consumer-info call per partition; partitions whose info fails count 0).
  [[nodiscard]] int64_t intake_lag();
  /// The undelivered intake messages of partition `p`, whoever consumes it (0 if unknown).
  [[nodiscard]] int64_t partition_lag(uint32_t p);

  /// The intake subject of partition `p` ("sb.in.17") and its durable consumer ("in-17").
  static std::string intake_subject(uint32_t p);
  static std::string intake_durable(uint32_t p);

 private:
  struct pending_request {
    std::chrono::steady_clock::time_point deadline;
    reply_handler on_reply;
    bool published = false;  // JetStream acknowledged it: a timeout now means "accepted, late".
  };
  struct actor_subscription {
    uint64_t id = 0;
    std::string pattern;
    schemas::address subscriber;
  };
  struct handler_subscription {
    uint64_t id = 0;
    std::string pattern;
    std::shared_ptr<event_handler> handler;
    /// Cluster-wide handlers: the NATS subscription on sb.events.<pattern> that feeds it.
    std::shared_ptr<nats::subscription> feed;
  };
  struct partition_intake {
    std::unique_ptr<nats::subscription> sub;
    std::shared_ptr<std::atomic<int64_t>> in_flight = std::make_shared<std::atomic<int64_t>>(0);
  };

  void fan_out(std::string_view topic, const schemas::envelope& env, bool from_actor);
  void on_intake(uint32_t p, const std::shared_ptr<std::atomic<int64_t>>& in_flight,
                 nats::message msg);
  void on_event(const nats::message& msg, const std::shared_ptr<event_handler>& handler);
  void call_local(std::string_view topic, const schemas::envelope& env);
  void record_event(std::string_view topic, const schemas::envelope& env);
  void on_reply(const nats::message& msg);
  void send_reply(const schemas::envelope& request, result<schemas::envelope> reply);
  void expire_requests();

  nats::client& pub_;
  nats::client& sub_;
  bus& local_;
  apply_in_order_fn apply_in_order_;
  partition_table& table_;
  nats_bus_settings settings_;
  std::string reply_subject_;
  nats_bus_counters counters_;
  std::atomic<int64_t> in_flight_total_{0};

  std::mutex subs_mutex_;
  std::vector<actor_subscription> actor_subs_;
  std::vector<handler_subscription> handler_subs_;        // cluster-wide
  std::vector<handler_subscription> local_handler_subs_;  // this node's events only
  std::atomic<uint64_t> next_subscription_{1};

  std::mutex requests_mutex_;
  std::map<uint64_t, pending_request> requests_;
  std::atomic<uint64_t> next_request_{1};

  std::mutex intake_mutex_;
  std::map<uint32_t, partition_intake> intakes_;
  std::condition_variable intake_idle_;

  std::unique_ptr<nats::subscription> replies_sub_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread reaper_;
};

}  // namespace sb::cluster
