#include "runtime/engine/registry_shard.hpp"

#include <unordered_map>
#include <unordered_set>

#include "runtime/engine/keyed_actor.hpp"
#include "runtime/logging.hpp"

namespace sb::engine {

namespace {

// A message held back while its address is passivating.
struct held_message {
  schemas::envelope env;
  std::optional<caf::response_promise> promise;  // set for asks
};

struct entry {
  caf::actor hdl;
  std::shared_ptr<actor_gauge> gauge;
  int64_t activated_at_ms = 0;
  int64_t last_active_ms = 0;
  bool passivating = false;
  std::vector<held_message> held;
};

// A sweep or drain that answers once every actor it passivated is gone.
struct pending_wait {
  caf::response_promise promise;
  std::unordered_set<caf::actor_addr> remaining;
  int64_t count = 0;
};

struct shard_state {
  services* svc = nullptr;
  std::unordered_map<schemas::address, entry> entries;
  // Points at the key of the actor's entry (nodes of an unordered_map never move), so an address
  // is kept once per live actor, not twice.
  std::unordered_map<caf::actor_addr, const schemas::address*> by_actor;
  std::vector<pending_wait> waits;
  bool draining = false;

  static inline const char* name = "registry_shard";
};

using shard_actor = caf::stateful_actor<shard_state>;

entry* activate(shard_actor* self, const schemas::address& addr) {
  auto& st = self->state;
  auto i = st.entries.find(addr);
  if (i != st.entries.end()) {
    return &i->second;
  }
  auto gauge = std::make_shared<actor_gauge>();
  auto child = spawn_keyed_actor(self, addr, st.svc, gauge);
  self->monitor(child);
  auto placed = st.entries.emplace(addr, entry{}).first;
  st.by_actor.emplace(child.address(), &placed->first);
  auto& e = placed->second;
  e.hdl = child;
  e.gauge = std::move(gauge);
  e.activated_at_ms = st.svc->node_clock->now_ms();
  return &e;
}

// Messages waiting for the actor of `e`: in its mailbox, or held here while it passivates.
int64_t mailbox_depth(const entry& e) {
  return e.gauge->depth() + static_cast<int64_t>(e.held.size());
}

void forward(shard_actor* self, entry& e, held_message msg) {
  e.last_active_ms = self->state.svc->node_clock->now_ms();
  if (e.passivating) {
    e.held.push_back(std::move(msg));
    return;
  }
  e.gauge->forwarded.fetch_add(1, std::memory_order_relaxed);
  if (!msg.promise) {
    self->send(e.hdl, deliver_atom::value, std::move(msg.env));
    return;
  }
  // Delegating keeps the requester's reply path; the promise already owns this request.
  msg.promise->delegate(e.hdl, ask_atom::value, std::move(msg.env));
}

std::optional<sb::error> refuse(shard_actor* self, const schemas::envelope& env) {
  auto& st = self->state;
  if (st.draining) {
    return sb::error{errc::shutting_down, "node is draining; " + to_string(env.to) + " not taken"};
  }
  if (st.svc->kinds->find(env.to.kind) == nullptr) {
    return sb::error{errc::unknown_kind, "no actor kind '" + env.to.kind + "'"};
  }
  if (const auto* table = st.svc->partitions) {
    auto p = table->partition_of(env.to);
    if (!table->accepting(p)) {
      return sb::error{errc::fenced, "partition " + std::to_string(p) + " of " + to_string(env.to) +
                                         " is not served by this node"};
    }
  }
  return std::nullopt;
}

void passivate(shard_actor* self, entry& e, bool force) {
  e.passivating = true;
  auto hdl = e.hdl;
  self->request(hdl, caf::infinite, passivate_atom::value, force)
      .then(
          [=](bool saved) {
            if (saved) {
              return;  // The down message finishes the job.
            }
            // Could not save (store down): keep the actor and release what we held back.
            auto i = self->state.by_actor.find(hdl.address());
            if (i == self->state.by_actor.end()) {
              return;
            }
            auto& live = self->state.entries[*i->second];
            live.passivating = false;
            auto held = std::move(live.held);
            live.held.clear();
            for (auto& m : held) {
              forward(self, live, std::move(m));
            }
          },
          [](caf::error&) {
            // The actor died before answering; the down handler deals with it.
          });
}

void on_down(shard_actor* self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto i = st.by_actor.find(dm.source);
  if (i == st.by_actor.end()) {
    return;
  }
  auto addr = *i->second;  // A copy: the entry goes below.
  st.by_actor.erase(i);
  for (auto& w : st.waits) {
    if (w.remaining.erase(dm.source) > 0 && w.remaining.empty()) {
      w.promise.deliver(w.count);
    }
  }
  st.waits.erase(std::remove_if(st.waits.begin(), st.waits.end(),
                                [](const pending_wait& w) { return w.remaining.empty(); }),
                 st.waits.end());
  auto e = st.entries.find(addr);
  if (e == st.entries.end()) {
    return;
  }
  auto held = std::move(e->second.held);
  st.entries.erase(e);
  if (dm.reason && dm.reason != caf::exit_reason::normal) {
    get_logger("registry")
        ->error("{} stopped abnormally: {}", to_string(addr), caf::to_string(dm.reason));
  }
  if (held.empty()) {
    return;
  }
  // Messages arrived while it saved: a new instance loads the saved state and takes them.
  auto* fresh = activate(self, addr);
  for (auto& m : held) {
    forward(self, *fresh, std::move(m));
  }
}

// Passivates `targets` and answers with their count once all of them are gone. Entries already
// passivating are waited for, not asked again.
caf::result<int64_t> passivate_and_wait(shard_actor* self, const std::vector<entry*>& targets,
                                        bool force) {
  if (targets.empty()) {
    return int64_t{0};  // Answer directly: a promise taken here would swallow this reply.
  }
  pending_wait w{self->make_response_promise(), {}, static_cast<int64_t>(targets.size())};
  for (auto* e : targets) {
    w.remaining.insert(e->hdl.address());
    if (!e->passivating) {
      passivate(self, *e, force);
    }
  }
  self->state.waits.push_back(std::move(w));
  return caf::delegated<int64_t>{};
}

caf::behavior registry_shard(shard_actor* self, services* svc) {
  self->state.svc = svc;
  self->set_down_handler([=](caf::down_msg& dm) { on_down(self, dm); });
  return {
      [=](deliver_atom, schemas::envelope& env) {
        auto why = refuse(self, env);
        if (why && why->code == errc::fenced) {
          // The partition moved (or is moving) away: the intake takes it to its new owner.
          self->state.svc->message_bus->deliver(std::move(env));
          return;
        }
        if (why) {
          self->state.svc->counters->undeliverable++;
          get_logger("registry")
              ->warn("dropped {} for {}: {}", env.type, to_string(env.to), why->to_string());
          return;
        }
        auto* e = activate(self, env.to);
        forward(self, *e, held_message{std::move(env), std::nullopt});
      },
      [=](ask_atom, schemas::envelope& env) -> caf::result<ask_reply> {
        if (auto why = refuse(self, env)) {
          return ask_reply{{}, std::move(why)};
        }
        auto* e = activate(self, env.to);
        auto rp = self->make_response_promise();
        forward(self, *e, held_message{std::move(env), rp});
        return caf::delegated<ask_reply>{};
      },
      [=](sweep_atom, int64_t now_ms) -> caf::result<int64_t> {
        auto& st = self->state;
        std::vector<entry*> idle;
        for (auto& [addr, e] : st.entries) {
          if (!e.passivating && e.last_active_ms + st.svc->idle_ms_of(addr.kind) <= now_ms) {
            idle.push_back(&e);
          }
        }
        return passivate_and_wait(self, idle, false);
      },
      [=](drain_atom) -> caf::result<int64_t> {
        auto& st = self->state;
        st.draining = true;
        std::vector<entry*> all;
        for (auto& [addr, e] : st.entries) {
          all.push_back(&e);
        }
        return passivate_and_wait(self, all, true);
      },
      [=](release_atom, uint32_t partition) -> caf::result<int64_t> {
        auto& st = self->state;
        std::vector<entry*> targets;
        if (st.svc->partitions != nullptr) {
          for (auto& [addr, e] : st.entries) {
            if (st.svc->partitions->partition_of(addr) == partition) {
              targets.push_back(&e);
            }
          }
        }
        return passivate_and_wait(self, targets, true);
      },
      [=](list_atom, const std::string& kind) -> std::vector<live_actor> {
        std::vector<live_actor> out;
        for (const auto& [addr, e] : self->state.entries) {
          if (kind.empty() || addr.kind == kind) {
            out.push_back(live_actor{addr, e.activated_at_ms, e.last_active_ms,
                                     e.gauge->handled.load(std::memory_order_relaxed),
                                     mailbox_depth(e)});
          }
        }
        return out;
      },
      [=](status_atom) -> shard_status {
        shard_status out;
        for (const auto& [addr, e] : self->state.entries) {
          ++out.live;
          ++out.live_by_kind[addr.kind];
          if (e.passivating) {
            ++out.passivating;
          }
          const auto depth = mailbox_depth(e);
          out.mailbox_total += depth;
          out.mailbox_max = std::max(out.mailbox_max, depth);
        }
        return out;
      },
      [=](inspect_atom, const schemas::address& addr) -> caf::result<std::string> {
        auto i = self->state.entries.find(addr);
        if (i == self->state.entries.end() || i->second.passivating) {
          return std::string{};
        }
        auto rp = self->make_response_promise<std::string>();
        self->request(i->second.hdl, std::chrono::seconds(5), status_atom::value)
            .then([rp](std::string& json) mutable { rp.deliver(std::move(json)); },
                  [rp](caf::error&) mutable { rp.deliver(std::string{}); });
        return rp;
      },
  };
}

}  // namespace

caf::actor spawn_registry_shard(caf::actor_system& sys, services* svc) {
  return sys.spawn(registry_shard, svc);
}

}  // namespace sb::engine
