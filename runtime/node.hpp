#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/bus.hpp"
#include "runtime/clock.hpp"
#include "runtime/cluster/cluster_member.hpp"
#include "runtime/config/node_config.hpp"
#include "runtime/keyed_behavior.hpp"
#include "runtime/result.hpp"
#include "runtime/store.hpp"
#include "runtime/timer_store.hpp"

namespace sb {

/// What a node has done since it started (for the demo, operators and tests).
struct node_stats {
  int64_t activations = 0;
  int64_t passivations = 0;
  int64_t messages_handled = 0;
  int64_t duplicates_dropped = 0;
  int64_t handler_errors = 0;
  int64_t timers_armed = 0;
  int64_t timers_fired = 0;
  int64_t timers_stale = 0;
  int64_t store_errors = 0;
  int64_t undeliverable = 0;
  int64_t live_actors = 0;
  std::map<std::string, int64_t> live_by_kind;
  int64_t mailbox_total = 0;  ///< messages waiting for live actors (mailboxes and held back)
  int64_t mailbox_max = 0;    ///< the longest wait queue of one actor
};

class node;

/// One live actor of a node (for listings).
struct live_actor_info {
  schemas::address addr;
  int64_t activated_at_ms = 0;
  int64_t last_active_ms = 0;
  int64_t messages_handled = 0;  ///< since this activation
  int64_t mailbox_depth = 0;     ///< messages waiting for it now
};

/// What the registration of kinds may use: the node's config, clock and store (all outlive every
/// actor of the node). Valid only during the registration call; keep references to clk and
/// state_store, not to this struct.
struct kind_setup {
  kind_registry& kinds;
  const node_config& cfg;
  const clock& clk;
  store& state_store;
};

/// What the registration of kinds hands back to the node: work to do once the node runs (e.g.
/// subscribing actors to their topics) and on a reload (SIGHUP: re-read the reloadable files,
/// keeping the running version if a new one is invalid). Both are optional; they run on the
/// calling thread (node::start, node::reload), never inside an actor.
struct node_hooks {
  std::function<result<void>(node&)> after_start;
  std::function<result<void>(node&)> reload;
  /// Returns the keys of `kind` that exist by configuration (campaign and experiment ids), for
  /// listings; kinds keyed by people return nothing. Thread-safe.
  std::function<std::vector<std::string>(const std::string& kind)> configured_keys;
  /// Returns the configuration of one such key as a JSON object ("" if unknown). Thread-safe.
  std::function<std::string(const std::string& kind, const std::string& key)> describe;
};

/// How to start a node beyond its config: injected clock and store (tests, the demo), whether its
/// timers and passivation run by themselves, and which actor kinds it runs.
struct node_start_options {
  /// The clock; nullptr: the system clock. Must outlive the node.
  const clock* node_clock = nullptr;
  /// A store to use instead of the one `store.kind` names (tests restart nodes over one store).
  /// nullptr: from config.
  std::shared_ptr<store> state_store;
  /// false: timers fire and idle actors passivate only when fire_due_timers() / passivate_idle()
  /// are called (scripted demo, deterministic tests).
  bool self_ticking = true;
  /// Registers the actor kinds (loading what they need); nullptr: the built-in kinds
  /// (actors/kinds.hpp). An error stops the start.
  std::function<result<node_hooks>(const kind_setup&)> register_kinds;
};

/// One Switchboard node: the actor system, the registry of keyed actors, the bus, the store and the
/// durable timers. Start it, talk to it through bus(), and drain() it before destruction (the
/// destructor drains if you did not). All public methods are thread-safe; the blocking ones must
/// not be called from inside an actor.
class node {
 public:
  /// Starts a node; fails if the store cannot be reached or a kind cannot load its files.
  static result<std::unique_ptr<node>> start(const node_config& cfg, node_start_options opts = {});

  ~node();
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  [[nodiscard]] bus& message_bus();
  [[nodiscard]] store& state_store();
  [[nodiscard]] timer_store& timers();
  [[nodiscard]] const clock& node_clock() const;
  [[nodiscard]] const node_config& config() const;

  /// Fires every timer due by the node clock and waits until their owners applied them.
  /// Returns how many fired.
  result<int64_t> fire_due_timers();

  /// Passivates every actor idle for `actors.idle_passivate` (user actors:
  /// `actors.user_idle_passivate`) by the node clock and waits until
  /// their state is saved. Returns how many.
  result<int64_t> passivate_idle();

  /// Returns the status snapshot of an actor as JSON: from the live actor (with "live": true,
  /// mailbox depth, last messages), or else from its saved record ("live": false). errc::not_found
  /// if the address was never active, errc::unknown_kind for a kind the node does not run.
  result<std::string> inspect(const schemas::address& addr);

  /// Re-reads what the kinds may reload (campaigns, experiments, the churn model) and applies it
  /// if it is all valid; on an error the running version stays and the error says why.
  result<void> reload();

  /// Returns the keys of `kind` that the running configuration defines (e.g. campaign ids),
  /// sorted; empty for kinds keyed by people or without such a list.
  [[nodiscard]] std::vector<std::string> configured_keys(const std::string& kind) const;

  /// Returns how the running configuration defines `kind`/`key` as a JSON object (a campaign's
  /// name, trigger and budget), or "" if it does not define it.
  [[nodiscard]] std::string describe(const std::string& kind, const std::string& key) const;

  /// Returns this node's part in its cluster (members, leases, intake counters), or nullopt on an
  /// embedded node (bus.kind inproc). The intake lag asks NATS once per partition held;
  /// `with_lag` false leaves it 0 (for callers on a hot path).
  [[nodiscard]] std::optional<cluster::member_status> cluster_status(bool with_lag = true) const;

  /// Returns every partition's owner and intake lag (cluster nodes), nullopt on an embedded node.
  [[nodiscard]] std::optional<std::vector<cluster::partition_owner>> partition_owners() const;

  /// Tells the other members of the cluster where this node's gateway answers
  /// ("http://HOST:PORT"); nothing on an embedded node.
  void announce_gateway(const std::string& url);

  /// Returns the live actors of `kind` ("" for every kind) on this node.
  std::vector<live_actor_info> live_actors(const std::string& kind);

  /// Returns the counters and the live actors now.
  [[nodiscard]] node_stats stats();

  /// Stops firing timers, passivates every actor (saving its state) and refuses new work; a
  /// cluster node first hands its partitions over to the other nodes. Idempotent; returns how
  /// many actors it passivated.
  int64_t drain();

  /// True once drain() started.
  [[nodiscard]] bool draining() const;

 private:
  struct impl;
  explicit node(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace sb
