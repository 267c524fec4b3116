#include "runtime/engine/keyed_actor.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <deque>
#include <shared_mutex>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "runtime/codec.hpp"
#include "runtime/logging.hpp"
#include "runtime/saved_state.hpp"
#include "schemas/actor_record.hpp"

namespace sb::engine {

namespace {

// The reply to a firing that was not applied (re-armed, cancelled or already applied).
constexpr const char* stale_timer_reply = "sb.timer_stale";

std::string record_key(const schemas::address& addr) {
  return actor_record_key(addr);
}

// The context handed to a behaviour for one handler call. Sends and publishes wait in an outbox
// until the actor's state is saved, so nothing leaves for a change that was not persisted.
class shell_context final : public actor_context {
 public:
  shell_context(services& svc, const schemas::address& self, const std::string& incoming_id)
      : svc_(svc), self_(self), incoming_id_(incoming_id) {}

  const schemas::address& self() const override { return self_; }
  int64_t now_ms() const override { return svc_.node_clock->now_ms(); }

  void send_envelope(schemas::envelope env) override {
    env.msg_id = derive_id();
    outbox_.push_back({std::string{}, std::move(env)});
  }
  void publish_envelope(std::string_view topic, schemas::envelope env) override {
    env.msg_id = derive_id();
    outbox_.push_back({std::string{topic}, std::move(env)});
  }
  void reply_envelope(schemas::envelope env) override {
    env.msg_id = derive_id();
    reply_ = std::move(env);
  }

  result<void> arm_timer(std::string_view name, int64_t due_ms, std::string payload) override {
    auto gen = svc_.timers->arm(self_, name, due_ms, std::move(payload));
    if (!gen) {
      svc_.counters->store_errors++;
      return gen.err();
    }
    svc_.counters->timers_armed++;
    return {};
  }
  result<void> cancel_timer(std::string_view name) override {
    auto r = svc_.timers->cancel(self_, name);
    if (!r) {
      svc_.counters->store_errors++;
      return r.err();
    }
    return {};
  }

  void log(log_level level, std::string_view message) override {
    auto lg = get_logger("actor");
    auto text = fmt::format("{}/{}: {}", self_.kind, self_.key, message);
    switch (level) {
      case log_level::debug:
        lg->debug(text);
        break;
      case log_level::info:
        lg->info(text);
        break;
      case log_level::warn:
        lg->warn(text);
        break;
      case log_level::error:
        lg->error(text);
        break;
    }
  }

  /// Sends what the handler queued (after the state was saved).
  void flush() {
    for (auto& [topic, env] : outbox_) {
      if (topic.empty()) {
        svc_.message_bus->deliver_from_actor(std::move(env));
      } else {
        svc_.message_bus->publish_from_actor(topic, std::move(env));
      }
    }
    outbox_.clear();
  }

  schemas::envelope take_reply() { return std::move(reply_); }

 private:
  // Derived ids make a redelivered message produce the same outgoing ids, which receivers dedupe.
  std::string derive_id() { return incoming_id_ + "." + std::to_string(++sent_); }

  services& svc_;
  const schemas::address& self_;
  const std::string& incoming_id_;
  int sent_ = 0;
  std::vector<std::pair<std::string, schemas::envelope>> outbox_;
  schemas::envelope reply_;
};

// SHA-256 of what a save writes apart from its time: the state, the applied timer generations
// and the recent message ids. Keeping this instead of the saved bytes lets an idle actor hold its
// state once (in the behaviour), not three times.
using record_digest = std::array<unsigned char, 32>;

record_digest digest_of(const schemas::actor_record& r) {
  record_digest out{};
  auto* ctx = EVP_MD_CTX_new();
  auto add = [ctx](const void* data, size_t size) { EVP_DigestUpdate(ctx, data, size); };
  auto add_text = [&](const std::string& text) {
    const uint64_t size = text.size();
    add(&size, sizeof size);
    add(text.data(), text.size());
  };
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  add_text(r.state.data);
  for (const auto& [name, generation] : r.applied_timer_generations) {
    add_text(name);
    add(&generation, sizeof generation);
  }
  for (const auto& id : r.recent_msg_ids) {
    add_text(id);
  }
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx, out.data(), &size);
  EVP_MD_CTX_free(ctx);
  return out;
}

// Message type names seen by this process, interned: an actor remembers its last types as small
// numbers, not as strings of its own. The table is bounded; types past it are remembered as
// "(other)".
class type_names {
 public:
  static uint16_t id_of(const std::string& type) {
    auto& t = table();
    {
      std::shared_lock<std::shared_mutex> read{t.mutex};
      if (auto i = t.ids.find(type); i != t.ids.end()) {
        return i->second;
      }
    }
    std::unique_lock<std::shared_mutex> write{t.mutex};
    if (auto i = t.ids.find(type); i != t.ids.end()) {
      return i->second;
    }
    if (t.names.size() >= max_names) {
      return 0;
    }
    t.names.push_back(type);
    const auto id = static_cast<uint16_t>(t.names.size() - 1);
    t.ids.emplace(type, id);
    return id;
  }

  static std::string name_of(uint16_t id) {
    auto& t = table();
    std::shared_lock<std::shared_mutex> read{t.mutex};
    return id < t.names.size() ? t.names[id] : std::string{"(other)"};
  }

 private:
  static constexpr size_t max_names = 4096;
  struct state {
    std::shared_mutex mutex;
    std::deque<std::string> names{"(other)"};
    std::unordered_map<std::string, uint16_t> ids{{"(other)", 0}};
  };
  static state& table() {
    static state t;
    return t;
  }
};

struct keyed_state {
  schemas::address addr;
  services* svc = nullptr;
  std::shared_ptr<actor_gauge> gauge;
  std::unique_ptr<keyed_behavior> logic;
  // The record without its state bytes between saves (the behaviour holds the state).
  schemas::actor_record record;
  std::optional<record_digest> saved_digest;  // Of what the store holds: skips no-op writes.
  bool loaded = false;
  int64_t activated_at_ms = 0;
  std::array<uint16_t, 8> last_types{};  // type_names ids, oldest first
  uint8_t last_type_count = 0;

  static inline const char* name = "keyed_actor";

  // Loads the record on first use; an unreachable store fails this message, not the actor.
  result<void> ensure_loaded() {
    if (loaded) {
      return {};
    }
    auto raw = svc->state_store->get(record_key(addr));
    if (!raw) {
      svc->counters->store_errors++;
      return raw.err();
    }
    std::optional<std::string> state;
    if (raw->has_value()) {
      auto rec = decode<schemas::actor_record>(**raw);
      if (!rec) {
        return error{rec.err().code,
                     "stored record of " + to_string(addr) + ": " + rec.err().message};
      }
      record = std::move(*rec);
      saved_digest = digest_of(record);
      state = std::move(record.state.data);
      std::string{}.swap(record.state.data);  // Frees it (move-assigning "" keeps the buffer).
    }
    if (auto r = logic->restore(state); !r) {
      return r;
    }
    loaded = true;
    return {};
  }

  result<void> save() {
    record.state.data = logic->snapshot();
    // saved_at changes every time; the digest leaves it out to skip writes that change nothing.
    const auto digest = digest_of(record);
    result<void> written;
    if (digest != saved_digest) {
      record.saved_at_ms = svc->node_clock->now_ms();
      written = write_record(encode(record));
      if (written) {
        saved_digest = digest;
      }
    }
    std::string{}.swap(record.state.data);  // Frees it (move-assigning "" keeps the buffer).
    return written;
  }

  // On a cluster node the write carries the partition's fencing token: once another node took
  // the partition (and raised the fence), this node's late writes are refused.
  result<void> write_record(const std::string& bytes) {
    if (svc->partitions == nullptr) {
      auto r = svc->state_store->put(record_key(addr), bytes);
      if (!r) {
        svc->counters->store_errors++;
      }
      return r;
    }
    auto p = svc->partitions->partition_of(addr);
    auto token = svc->partitions->token(p);
    if (token == 0) {
      return error{errc::fenced, "partition " + std::to_string(p) + " is not held by this node"};
    }
    auto written =
        svc->state_store->put_fenced(record_key(addr), bytes, cluster::fence_key(p), token);
    if (!written) {
      svc->counters->store_errors++;
      return written.err();
    }
    if (!*written) {
      return error{errc::fenced,
                   "partition " + std::to_string(p) + " was taken over by another node"};
    }
    return {};
  }

  bool seen(const std::string& msg_id) const {
    for (const auto& id : record.recent_msg_ids) {
      if (id == msg_id) {
        return true;
      }
    }
    return false;
  }

  void remember(const std::string& msg_id) {
    if (msg_id.empty()) {
      return;
    }
    record.recent_msg_ids.push_back(msg_id);
    while (record.recent_msg_ids.size() > svc->recent_msg_ids) {
      record.recent_msg_ids.erase(record.recent_msg_ids.begin());
    }
  }

  void note_type(const std::string& type) {
    if (last_type_count == last_types.size()) {
      std::move(last_types.begin() + 1, last_types.end(), last_types.begin());
      --last_type_count;
    }
    last_types[last_type_count++] = type_names::id_of(type);
  }

  // Runs one message through the behaviour; returns the reply for a request.
  ask_reply handle(const schemas::envelope& env) {
    ask_reply out;
    gauge->handled.fetch_add(1, std::memory_order_relaxed);
    note_type(env.type);
    svc->counters->messages_handled++;
    if (auto r = ensure_loaded(); !r) {
      out.failure = r.err();
      return out;
    }
    bool is_timer = env.type == schemas::timer_fired::type_name;
    // Timer firings are deduplicated by generation below; everything else by message id.
    if (!is_timer && !env.msg_id.empty() && seen(env.msg_id)) {
      svc->counters->duplicates_dropped++;
      out.reply.type = "sb.duplicate";
      return out;
    }
    shell_context ctx{*svc, addr, env.msg_id};
    result<void> handled_ok;
    std::optional<schemas::timer_fired> fired;
    if (is_timer) {
      auto t = decode<schemas::timer_fired>(env.payload.data);
      if (!t) {
        out.failure = t.err();
        return out;
      }
      fired = std::move(*t);
      if (!current_firing(*fired)) {
        svc->counters->timers_stale++;
        out.reply.type = stale_timer_reply;
        return out;
      }
      handled_ok = guarded([&] { return logic->on_timer(*fired, ctx); });
      record.applied_timer_generations[fired->name] = fired->generation;
    } else {
      handled_ok = guarded([&] { return logic->handle(env, ctx); });
    }
    if (!is_timer) {
      remember(env.msg_id);
    }
    if (!handled_ok) {
      svc->counters->handler_errors++;
      out.failure = handled_ok.err();
    }
    if (auto r = save(); !r) {
      // Not saved: nothing may leave, and the firing stays due so it is tried again.
      out.failure = r.err();
      return out;
    }
    ctx.flush();
    if (fired) {
      svc->counters->timers_fired++;
      if (auto r = svc->timers->complete(addr, fired->name, fired->generation); !r) {
        svc->counters->store_errors++;
      }
    }
    out.reply = ctx.take_reply();
    return out;
  }

  // A firing counts only if the store still holds that generation and it was not applied before
  // (a redelivery after a crash between our save and complete()).
  bool current_firing(const schemas::timer_fired& t) {
    auto applied = record.applied_timer_generations.find(t.name);
    if (applied != record.applied_timer_generations.end() && applied->second >= t.generation) {
      (void)svc->timers->complete(addr, t.name, t.generation);
      return false;
    }
    auto rec = svc->timers->find(addr, t.name);
    return rec && rec->has_value() && (*rec)->generation == t.generation;
  }

  template <class F>
  result<void> guarded(F&& f) {
    try {
      return f();
    } catch (const std::exception& e) {
      return error{errc::actor_failed,
                   std::string{"exception in "} + to_string(addr) + ": " + e.what()};
    } catch (...) {
      return error{errc::actor_failed, "unknown exception in " + to_string(addr)};
    }
  }

  std::string status() {
    nlohmann::json j;
    j["kind"] = addr.kind;
    j["key"] = addr.key;
    j["live"] = true;
    j["node"] = svc->node_id;
    j["activated_at_ms"] = activated_at_ms;
    j["messages_handled"] = gauge->handled.load(std::memory_order_relaxed);
    j["mailbox_depth"] = gauge->depth();
    std::vector<std::string> types;
    for (uint8_t i = 0; i < last_type_count; ++i) {
      types.push_back(type_names::name_of(last_types[i]));
    }
    j["last_message_types"] = types;
    nlohmann::json timers = nlohmann::json::array();
    if (auto pending = svc->timers->pending(addr)) {
      for (const auto& t : *pending) {
        timers.push_back({{"name", t.name}, {"due_ms", t.due_ms}, {"generation", t.generation}});
      }
    }
    j["pending_timers"] = timers;
    if (loaded || ensure_loaded()) {
      j["state"] = nlohmann::json::parse(logic->status_json(), nullptr, false);
    }
    return j.dump();
  }
};

caf::behavior keyed_actor(caf::stateful_actor<keyed_state>* self, schemas::address addr,
                          services* svc, std::shared_ptr<actor_gauge> gauge) {
  auto& st = self->state;
  st.addr = std::move(addr);
  st.svc = svc;
  st.gauge = std::move(gauge);
  st.activated_at_ms = svc->node_clock->now_ms();
  const auto* factory = svc->kinds->find(st.addr.kind);
  st.logic = (*factory)(st.addr);
  svc->counters->activations++;
  return {
      [=](deliver_atom, const schemas::envelope& env) {
        auto r = self->state.handle(env);
        if (r.failure) {
          get_logger("actor")->warn("{} failed on {}: {}", to_string(self->state.addr), env.type,
                                    r.failure->to_string());
        }
      },
      [=](ask_atom, const schemas::envelope& env) -> ask_reply { return self->state.handle(env); },
      [=](passivate_atom, bool force) -> bool {
        auto& s = self->state;
        bool saved = !s.loaded || s.save().ok();
        if (saved || force) {
          if (!saved) {
            get_logger("actor")->error("{} passivated without saving its state", to_string(s.addr));
          }
          s.svc->counters->passivations++;
          self->quit();
        }
        return saved;
      },
      [=](status_atom) -> std::string { return self->state.status(); },
  };
}

}  // namespace

caf::actor spawn_keyed_actor(caf::local_actor* parent, schemas::address addr, services* svc,
                             std::shared_ptr<actor_gauge> gauge) {
  return parent->spawn(keyed_actor, std::move(addr), svc, std::move(gauge));
}

}  // namespace sb::engine
