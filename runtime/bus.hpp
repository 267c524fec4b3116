#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "runtime/codec.hpp"
#include "runtime/ids.hpp"
#include "runtime/result.hpp"
#include "schemas/envelope.hpp"

namespace sb {

/// Called once with the reply to a request, or with an error (errc::timeout, errc::unknown_kind,
/// errc::shutting_down, errc::actor_failed, ...). Runs on a bus thread: must not block.
using reply_handler = std::function<void(result<schemas::envelope>)>;

/// Called for every event published on a topic matching a subscription. Runs on a bus thread:
/// must not block and must be thread-safe.
using event_handler = std::function<void(const std::string& topic, const schemas::envelope&)>;

/// The one way to reach keyed actors and events, wherever they run. Implementations: the
/// in-process bus (embedded node) and, with clustering, the NATS bus; code above this interface
/// does not know which one it talks to.
///
/// Lifetime: owned by the node; valid until the node is destroyed. Thread-safety: every method may
/// be called from any thread.
class bus {
 public:
  virtual ~bus() = default;

  /// Delivers `env` to the actor at `env.to`, activating it if needed. One-way: failures are logged
  /// and counted, not reported.
  virtual void deliver(schemas::envelope env) = 0;

  /// Delivers `env` as a request; `on_reply` is called exactly once.
  virtual void request(schemas::envelope env, std::chrono::milliseconds timeout,
                       reply_handler on_reply) = 0;

  /// Publishes `env` as an event on `topic` (dot-separated, see topic_matches()).
  virtual void publish(std::string_view topic, schemas::envelope env) = 0;

  /// deliver() on behalf of a keyed actor, called after the state change that caused the message
  /// was saved. The NATS bus takes the in-process path when this node holds the address's
  /// partition; the default is deliver(). Must not block.
  virtual void deliver_from_actor(schemas::envelope env) { deliver(std::move(env)); }

  /// publish() on behalf of a keyed actor (see deliver_from_actor()). Must not block.
  virtual void publish_from_actor(std::string_view topic, schemas::envelope env) {
    publish(topic, std::move(env));
  }

  /// Subscribes the actor at `subscriber`: every matching event is delivered to it (activating it).
  /// Returns a subscription id for unsubscribe().
  virtual uint64_t subscribe(std::string pattern, schemas::address subscriber) = 0;

  /// Subscribes a local handler (tests, the demo, sbctl's event tail).
  virtual uint64_t subscribe(std::string pattern, event_handler handler) = 0;

  /// Subscribes a local handler to the events published on this node only (per-node counts such
  /// as metrics, which a cluster would otherwise count once per node). On an embedded node this is
  /// subscribe(). The handler may run on the publishing thread: it must be quick and thread-safe.
  virtual uint64_t subscribe_local(std::string pattern, event_handler handler) {
    return subscribe(std::move(pattern), std::move(handler));
  }

  /// Removes a subscription; unknown ids are ignored.
  virtual void unsubscribe(uint64_t id) = 0;

  /// Sends a request and blocks the calling thread until the reply or the timeout.
  /// For threads that are not actors (gateway workers, CLI, tests); never call it from an actor.
  result<schemas::envelope> request_sync(schemas::envelope env, std::chrono::milliseconds timeout);
};

/// Returns an envelope to `to` carrying `msg` encoded, with a fresh message id.
template <class M>
schemas::envelope make_envelope(schemas::address to, const M& msg, int64_t sent_at_ms = 0) {
  schemas::envelope env;
  env.msg_id = new_msg_id();
  env.to = std::move(to);
  env.type = M::type_name;
  env.payload.data = encode(msg);
  env.sent_at_ms = sent_at_ms;
  return env;
}

/// Decodes the payload of `env` as an `M`, checking that the envelope says it is one.
template <class M>
result<M> open_envelope(const schemas::envelope& env) {
  if (env.type != M::type_name) {
    return error{errc::unexpected_type,
                 "expected a " + std::string{M::type_name} + " envelope, got '" + env.type + "'"};
  }
  return decode<M>(env.payload.data);
}

}  // namespace sb
