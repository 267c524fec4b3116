#include "runtime/engine/inproc_bus.hpp"

#include "runtime/logging.hpp"
#include "runtime/topic_match.hpp"

namespace sb::engine {

namespace {

using subscribe_atom = caf::subscribe_atom;
using unsubscribe_atom = caf::unsubscribe_atom;
using publish_atom = caf::publish_atom;

struct subscription {
  uint64_t id = 0;
  std::string pattern;
  std::optional<schemas::address> subscriber;
  event_handler handler;
};

struct router_state {
  std::vector<subscription> subs;
  std::vector<caf::actor> shards;
  static inline const char* name = "topic_router";
};

// Routes published events to subscribed actors and local handlers, in publication order.
caf::behavior topic_router(caf::stateful_actor<router_state>* self,
                           std::vector<caf::actor> shards) {
  self->state.shards = std::move(shards);
  return {
      [=](subscribe_atom, uint64_t id, std::string& pattern, schemas::address& addr) {
        self->state.subs.push_back({id, std::move(pattern), std::move(addr), nullptr});
      },
      [=](subscribe_atom, uint64_t id, std::string& pattern, event_handler& h) {
        self->state.subs.push_back({id, std::move(pattern), std::nullopt, std::move(h)});
      },
      [=](unsubscribe_atom, uint64_t id) {
        auto& subs = self->state.subs;
        subs.erase(std::remove_if(subs.begin(), subs.end(),
                                  [id](const subscription& s) { return s.id == id; }),
                   subs.end());
      },
      [=](publish_atom, const std::string& topic, const schemas::envelope& env) {
        auto& shards = self->state.shards;
        for (const auto& s : self->state.subs) {
          if (!topic_matches(s.pattern, topic)) {
            continue;
          }
          if (s.subscriber) {
            auto copy = env;
            copy.to = *s.subscriber;
            // Each subscriber sees its own id, still derived from the event's, so retries dedupe.
            copy.msg_id = env.msg_id + "@" + std::to_string(s.id);
            self->send(shards[shard_index(copy.to, shards.size())], deliver_atom::value,
                       std::move(copy));
          } else {
            try {
              s.handler(topic, env);
            } catch (const std::exception& e) {
              get_logger("bus")->error("event handler for '{}' threw: {}", s.pattern, e.what());
            }
          }
        }
      },
  };
}

// Asks `shard` for `env` from `self` and hands the answer (or why there is none) to `on_reply`.
void ask_shard(caf::event_based_actor* self, const caf::actor& shard,
               std::chrono::milliseconds timeout, schemas::envelope env, reply_handler on_reply) {
  self->request(shard, timeout, ask_atom::value, std::move(env))
      .then(
          [on_reply](ask_reply& r) {
            if (r.failure) {
              on_reply(std::move(*r.failure));
            } else {
              on_reply(std::move(r.reply));
            }
          },
          [on_reply](caf::error& e) {
            if (e == caf::sec::request_timeout) {
              on_reply(error{errc::timeout, "no reply in time"});
            } else {
              on_reply(error{errc::actor_failed, caf::to_string(e)});
            }
          });
}

// The short-lived actor behind inproc_bus::request(). Its inputs are spawn arguments, not lambda
// captures: CAF 0.17 dereferences a null argument tuple when an actor function is spawned without
// arguments (init_fun_factory.hpp), which UBSan reports as a reference bound to a null pointer.
void request_once(caf::event_based_actor* self, caf::actor shard, std::chrono::milliseconds timeout,
                  schemas::envelope env, reply_handler on_reply) {
  ask_shard(self, shard, timeout, std::move(env), std::move(on_reply));
}

// Sends every request it gets to the owning shard, in arrival order (CAF keeps the order of
// messages between two actors), and hands each reply to its handler.
caf::behavior sequencer(caf::event_based_actor* self, std::vector<caf::actor> shards) {
  return {
      [=](ask_atom, schemas::envelope& env, int64_t timeout_ms, reply_handler& on_reply) {
        const auto& shard = shards[shard_index(env.to, shards.size())];
        ask_shard(self, shard, std::chrono::milliseconds(timeout_ms), std::move(env),
                  std::move(on_reply));
      },
  };
}

}  // namespace

size_t shard_index(const schemas::address& addr, size_t count) noexcept {
  uint64_t h = 14695981039346656037ULL;  // FNV-1a 64 offset basis
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
  };
  mix(addr.kind);
  mix("/");
  mix(addr.key);
  return static_cast<size_t>(h % count);
}

bool valid_address(const schemas::address& addr) noexcept {
  if (addr.kind.empty() || addr.kind.size() > 64 || addr.key.empty() || addr.key.size() > 256) {
    return false;
  }
  for (char c : addr.kind) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  for (unsigned char c : addr.key) {
    if (c < 0x20 || c == 0x7f) {
      return false;
    }
  }
  return true;
}

inproc_bus::inproc_bus(caf::actor_system& sys, std::vector<caf::actor> shards,
                       node_counters* counters)
    : sys_(sys), shards_(std::move(shards)), counters_(counters) {
  router_ = sys_.spawn(topic_router, shards_);
  sequencer_ = sys_.spawn(sequencer, shards_);
}

inproc_bus::~inproc_bus() {
  stop();
}

void inproc_bus::stop() {
  if (router_) {
    caf::anon_send_exit(router_, caf::exit_reason::user_shutdown);
    router_ = nullptr;
  }
  if (sequencer_) {
    caf::anon_send_exit(sequencer_, caf::exit_reason::user_shutdown);
    sequencer_ = nullptr;
  }
}

void inproc_bus::request_in_order(schemas::envelope env, std::chrono::milliseconds timeout,
                                  reply_handler on_reply) {
  if (!valid_address(env.to)) {
    on_reply(error{errc::invalid_argument, "malformed address '" + to_string(env.to) + "'"});
    return;
  }
  if (!sequencer_) {
    on_reply(error{errc::shutting_down, "the node is stopping"});
    return;
  }
  caf::anon_send(sequencer_, ask_atom::value, std::move(env), static_cast<int64_t>(timeout.count()),
                 std::move(on_reply));
}

const caf::actor& inproc_bus::shard_for(const schemas::address& addr) const {
  return shards_[shard_index(addr, shards_.size())];
}

void inproc_bus::deliver(schemas::envelope env) {
  if (!valid_address(env.to)) {
    counters_->undeliverable++;
    get_logger("bus")->warn("dropped {} for malformed address '{}'", env.type, to_string(env.to));
    return;
  }
  caf::anon_send(shard_for(env.to), deliver_atom::value, std::move(env));
}

void inproc_bus::request(schemas::envelope env, std::chrono::milliseconds timeout,
                         reply_handler on_reply) {
  if (!valid_address(env.to)) {
    on_reply(error{errc::invalid_argument, "malformed address '" + to_string(env.to) + "'"});
    return;
  }
  auto shard = shard_for(env.to);
  // A short-lived actor owns the request: CAF gives it the timeout and exactly one callback.
  sys_.spawn(request_once, shard, timeout, std::move(env), std::move(on_reply));
}

void inproc_bus::publish(std::string_view topic, schemas::envelope env) {
  if (router_) {
    caf::anon_send(router_, caf::publish_atom::value, std::string{topic}, std::move(env));
  }
}

uint64_t inproc_bus::subscribe(std::string pattern, schemas::address subscriber) {
  auto id = next_subscription_++;
  caf::anon_send(router_, caf::subscribe_atom::value, id, std::move(pattern),
                 std::move(subscriber));
  return id;
}

uint64_t inproc_bus::subscribe(std::string pattern, event_handler handler) {
  auto id = next_subscription_++;
  caf::anon_send(router_, caf::subscribe_atom::value, id, std::move(pattern), std::move(handler));
  return id;
}

void inproc_bus::unsubscribe(uint64_t id) {
  caf::anon_send(router_, caf::unsubscribe_atom::value, id);
}

}  // namespace sb::engine
