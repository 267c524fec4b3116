#include "runtime/node.hpp"

#include <algorithm>
#include <mutex>
#include <thread>

#include "actors/kinds.hpp"
#include "runtime/cluster/cluster_member.hpp"
#include "runtime/codec.hpp"
#include "runtime/engine/caf_types.hpp"
#include "runtime/engine/inproc_bus.hpp"
#include "runtime/engine/registry_shard.hpp"
#include "runtime/engine/services.hpp"
#include "runtime/engine/timer_service.hpp"
#include "runtime/logging.hpp"
#include "runtime/saved_state.hpp"
#include "schemas/actor_record.hpp"

#include <nlohmann/json.hpp>

namespace sb {

namespace {

// Sends a sweep to every shard every `interval`, by the node clock.
caf::behavior sweeper(caf::event_based_actor* self, std::vector<caf::actor> shards,
                      const clock* clk, std::chrono::milliseconds interval) {
  self->delayed_send(self, interval, caf::tick_atom::value);
  return {
      [=](caf::tick_atom) {
        for (const auto& s : shards) {
          self->request(s, caf::infinite, engine::sweep_atom::value, clk->now_ms())
              .then([](int64_t) {}, [](caf::error&) {});
        }
        self->delayed_send(self, interval, caf::tick_atom::value);
      },
  };
}

size_t worker_threads(int64_t configured) {
  if (configured > 0) {
    return static_cast<size_t>(configured);
  }
  return std::max<size_t>(2, std::thread::hardware_concurrency());
}

}  // namespace

struct node::impl {
  node_config cfg;
  system_clock wall_clock;
  const clock* clk = nullptr;
  std::shared_ptr<store> st;
  std::unique_ptr<timer_store> timers;
  kind_registry kinds;
  node_hooks hooks;
  engine::node_counters counters;
  engine::services svc;
  caf::actor_system_config caf_cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::vector<caf::actor> shards;
  std::unique_ptr<engine::inproc_bus> bus;
  std::unique_ptr<cluster::cluster_member> member;  // Cluster nodes only.
  caf::actor timer_service;
  caf::actor sweeper;
  std::atomic<bool> draining{false};
  std::mutex drain_mutex;
  bool drained = false;
  int64_t drained_count = 0;

  template <class T, class... Ts>
  result<T> ask(const caf::actor& dest, std::chrono::milliseconds timeout, Ts&&... xs) {
    caf::scoped_actor self{*sys};
    std::optional<result<T>> out;
    self->request(dest, timeout, std::forward<Ts>(xs)...)
        .receive(
            [&](T& v) { out.emplace(std::move(v)); },
            [&](caf::error& e) {
              out.emplace(error{e == caf::sec::request_timeout ? errc::timeout : errc::internal,
                                caf::to_string(e)});
            });
    return std::move(*out);
  }
};

node::node(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

result<std::unique_ptr<node>> node::start(const node_config& cfg, node_start_options opts) {
  auto p = std::make_unique<impl>();
  p->cfg = cfg;
  p->clk = opts.node_clock != nullptr ? opts.node_clock : &p->wall_clock;
  if (opts.state_store) {
    p->st = std::move(opts.state_store);
  } else if (cfg.store_kind == "redis") {
    redis_settings rs;
    rs.host = cfg.store_redis_host;
    rs.port = static_cast<int>(cfg.store_redis_port);
    rs.password = cfg.store_redis_password;
    rs.db = static_cast<int>(cfg.store_redis_db);
    rs.timeout_ms = cfg.store_redis_timeout.count();
    rs.pool_size = static_cast<int>(cfg.store_redis_pool_size);
    rs.key_prefix = cfg.store_key_prefix;
    auto made = make_redis_store(rs);
    if (!made) {
      return made.err();
    }
    p->st = std::move(*made);
  } else {
    p->st = make_memory_store(*p->clk);
  }
  if (cfg.bus_kind == "nats") {
    auto member = cluster::cluster_member::connect(cfg);
    if (!member) {
      return member.err();
    }
    p->member = std::move(*member);
  }
  p->timers = std::make_unique<timer_store>(
      *p->st, p->member ? static_cast<uint32_t>(cfg.cluster_partitions) : 1U);
  kind_setup setup{p->kinds, p->cfg, *p->clk, *p->st};
  auto registered =
      opts.register_kinds ? opts.register_kinds(setup) : register_builtin_kinds(setup);
  if (!registered) {
    return registered.err();
  }
  p->hooks = std::move(*registered);

  p->caf_cfg.set("scheduler.max-threads", worker_threads(cfg.scheduler_threads));
  p->caf_cfg.set("logger.console", caf::atom("none"));
  p->sys = std::make_unique<caf::actor_system>(p->caf_cfg);

  auto& svc = p->svc;
  svc.node_id = cfg.node_id;
  svc.state_store = p->st.get();
  svc.timers = p->timers.get();
  svc.node_clock = p->clk;
  svc.kinds = &p->kinds;
  svc.counters = &p->counters;
  svc.idle_passivate_ms = cfg.actors_idle_passivate.count();
  svc.idle_passivate_ms_by_kind["user"] = cfg.actors_user_idle_passivate.count();
  for (int64_t i = 0; i < cfg.actors_registry_shards; ++i) {
    p->shards.push_back(engine::spawn_registry_shard(*p->sys, &svc));
  }
  p->bus = std::make_unique<engine::inproc_bus>(*p->sys, p->shards, &p->counters);
  svc.message_bus = p->bus.get();
  if (p->member) {
    svc.partitions = &p->member->table();
    cluster::engine_hooks hooks;
    hooks.local = p->bus.get();
    auto* local = p->bus.get();
    hooks.apply_in_order = [local](schemas::envelope env, std::chrono::milliseconds timeout,
                                   reply_handler on_reply) {
      local->request_in_order(std::move(env), timeout, std::move(on_reply));
    };
    auto* raw = p.get();
    hooks.passivate_partition = [raw](uint32_t partition) {
      int64_t total = 0;
      for (const auto& s : raw->shards) {
        auto n =
            raw->ask<int64_t>(s, std::chrono::seconds(60), engine::release_atom::value, partition);
        total += n ? *n : 0;
      }
      return total;
    };
    svc.message_bus = &p->member->make_bus(std::move(hooks));
  }

  engine::timer_service_settings ts;
  ts.poll_interval = cfg.timers_poll_interval;
  ts.batch = static_cast<size_t>(cfg.timers_batch);
  ts.self_ticking = opts.self_ticking;
  auto* bus_ptr = p->bus.get();
  ts.shard_for = [bus_ptr](const schemas::address& a) { return bus_ptr->shard_for(a); };
  if (p->member) {
    auto* table = &p->member->table();
    ts.partitions_to_poll = [table] { return table->accepting_partitions(); };
  }
  p->timer_service = engine::spawn_timer_service(*p->sys, &svc, std::move(ts));
  if (opts.self_ticking) {
    p->sweeper = p->sys->spawn(sweeper, p->shards, p->clk, cfg.actors_sweep_interval);
  }
  get_logger("node")->info("node {} started: store={}, bus={}, {} registry shards, {} workers",
                           cfg.node_id, p->st->kind(), cfg.bus_kind, p->shards.size(),
                           worker_threads(cfg.scheduler_threads));
  auto after_start = p->hooks.after_start;
  std::unique_ptr<node> started{new node(std::move(p))};
  if (after_start) {
    if (auto r = after_start(*started); !r) {
      return r.err();
    }
  }
  // Actor subscriptions exist now: only then take partitions and consume their intake.
  if (auto& member = started->impl_->member) {
    nlohmann::json info{{"node", cfg.node_id}, {"gateway", cfg.gateway_listen}};
    if (auto r = member->start(*started->impl_->st, info.dump()); !r) {
      return r.err();
    }
  }
  return started;
}

std::vector<std::string> node::configured_keys(const std::string& kind) const {
  if (!impl_->hooks.configured_keys) {
    return {};
  }
  auto keys = impl_->hooks.configured_keys(kind);
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string node::describe(const std::string& kind, const std::string& key) const {
  return impl_->hooks.describe ? impl_->hooks.describe(kind, key) : std::string{};
}

result<void> node::reload() {
  if (!impl_->hooks.reload) {
    return {};
  }
  return impl_->hooks.reload(*this);
}

node::~node() {
  drain();
  if (impl_->member) {
    impl_->member->stop();
  }
  auto exit_all = [this](const caf::actor& a) {
    if (a) {
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    }
  };
  exit_all(impl_->sweeper);
  exit_all(impl_->timer_service);
  for (const auto& s : impl_->shards) {
    exit_all(s);
  }
  impl_->bus->stop();
  impl_->sys.reset();  // Waits for every actor to finish.
}

bus& node::message_bus() {
  if (impl_->member) {
    return impl_->member->message_bus();
  }
  return *impl_->bus;
}

std::optional<cluster::member_status> node::cluster_status(bool with_lag) const {
  if (!impl_->member) {
    return std::nullopt;
  }
  return impl_->member->status(with_lag);
}

std::optional<std::vector<cluster::partition_owner>> node::partition_owners() const {
  if (!impl_->member) {
    return std::nullopt;
  }
  return impl_->member->owners();
}

void node::announce_gateway(const std::string& url) {
  if (impl_->member) {
    impl_->member->set_member_info(
        nlohmann::json{{"node", impl_->cfg.node_id}, {"gateway", url}}.dump());
  }
}

std::vector<live_actor_info> node::live_actors(const std::string& kind) {
  std::vector<live_actor_info> out;
  for (const auto& s : impl_->shards) {
    auto some = impl_->ask<std::vector<engine::live_actor>>(s, std::chrono::seconds(5),
                                                            engine::list_atom::value, kind);
    if (!some) {
      continue;
    }
    for (auto& a : *some) {
      out.push_back(live_actor_info{std::move(a.addr), a.activated_at_ms, a.last_active_ms,
                                    a.messages_handled, a.mailbox_depth});
    }
  }
  return out;
}
store& node::state_store() {
  return *impl_->st;
}
timer_store& node::timers() {
  return *impl_->timers;
}
const clock& node::node_clock() const {
  return *impl_->clk;
}
const node_config& node::config() const {
  return impl_->cfg;
}
bool node::draining() const {
  return impl_->draining.load();
}

result<int64_t> node::fire_due_timers() {
  return impl_->ask<int64_t>(impl_->timer_service, std::chrono::seconds(60),
                             engine::poll_atom::value);
}

result<int64_t> node::passivate_idle() {
  int64_t total = 0;
  auto now = impl_->clk->now_ms();
  for (const auto& s : impl_->shards) {
    auto n = impl_->ask<int64_t>(s, std::chrono::seconds(60), engine::sweep_atom::value, now);
    if (!n) {
      return n.err();
    }
    total += *n;
  }
  return total;
}

result<std::string> node::inspect(const schemas::address& addr) {
  if (!engine::valid_address(addr)) {
    return error{errc::invalid_argument, "malformed address '" + to_string(addr) + "'"};
  }
  const auto* factory = impl_->kinds.find(addr.kind);
  if (factory == nullptr) {
    return error{errc::unknown_kind, "no actor kind '" + addr.kind + "'"};
  }
  auto json = impl_->ask<std::string>(impl_->bus->shard_for(addr), std::chrono::seconds(5),
                                      engine::inspect_atom::value, addr);
  if (!json || !json->empty()) {
    return json;
  }
  // Not live: describe what the store holds, through the kind's own status.
  auto raw = impl_->st->get(actor_record_key(addr));
  if (!raw) {
    return raw.err();
  }
  if (!raw->has_value()) {
    return error{errc::not_found, "no actor " + to_string(addr) + " (never active)"};
  }
  auto rec = decode<schemas::actor_record>(**raw);
  if (!rec) {
    return rec.err();
  }
  auto logic = (*factory)(addr);
  if (auto r = logic->restore(rec->state.data); !r) {
    return r.err();
  }
  nlohmann::json j{
      {"kind", addr.kind}, {"key", addr.key}, {"live", false}, {"saved_at_ms", rec->saved_at_ms}};
  nlohmann::json timers = nlohmann::json::array();
  if (auto pending = impl_->timers->pending(addr)) {
    for (const auto& t : *pending) {
      timers.push_back({{"name", t.name}, {"due_ms", t.due_ms}, {"generation", t.generation}});
    }
  }
  j["pending_timers"] = timers;
  j["state"] = nlohmann::json::parse(logic->status_json(), nullptr, false);
  return j.dump();
}

node_stats node::stats() {
  node_stats out;
  const auto& c = impl_->counters;
  out.activations = c.activations;
  out.passivations = c.passivations;
  out.messages_handled = c.messages_handled;
  out.duplicates_dropped = c.duplicates_dropped;
  out.handler_errors = c.handler_errors;
  out.timers_armed = c.timers_armed;
  out.timers_fired = c.timers_fired;
  out.timers_stale = c.timers_stale;
  out.store_errors = c.store_errors;
  out.undeliverable = c.undeliverable;
  for (const auto& s : impl_->shards) {
    auto st =
        impl_->ask<engine::shard_status>(s, std::chrono::seconds(5), engine::status_atom::value);
    if (!st) {
      continue;
    }
    out.live_actors += static_cast<int64_t>(st->live);
    out.mailbox_total += st->mailbox_total;
    out.mailbox_max = std::max(out.mailbox_max, st->mailbox_max);
    for (const auto& [kind, n] : st->live_by_kind) {
      out.live_by_kind[kind] += static_cast<int64_t>(n);
    }
  }
  return out;
}

int64_t node::drain() {
  std::lock_guard<std::mutex> guard{impl_->drain_mutex};
  if (impl_->drained) {
    return impl_->drained_count;
  }
  impl_->draining = true;
  auto log = get_logger("node");
  if (impl_->member) {
    // Hand every partition over first (intake drained, actors passivated, leases released), so
    // the other nodes take them at once and nothing is delivered twice.
    log->info("leaving the cluster: handing over {} partitions",
              impl_->member->table().held_count());
    impl_->member->leave();
  }
  log->info("draining: stopping timers, passivating actors");
  (void)impl_->ask<bool>(impl_->timer_service, std::chrono::seconds(10), engine::drain_atom::value);
  if (impl_->sweeper) {
    caf::anon_send_exit(impl_->sweeper, caf::exit_reason::user_shutdown);
    impl_->sweeper = nullptr;
  }
  int64_t total = 0;
  for (const auto& s : impl_->shards) {
    auto n = impl_->ask<int64_t>(s, std::chrono::seconds(60), engine::drain_atom::value);
    if (n) {
      total += *n;
    } else {
      log->error("a registry shard did not drain: {}", n.err().to_string());
    }
  }
  impl_->drained = true;
  impl_->drained_count = total;
  log->info("drained: {} actors passivated with their state saved", total);
  return total;
}

}  // namespace sb
