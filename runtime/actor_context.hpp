#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/bus.hpp"
#include "runtime/result.hpp"
#include "schemas/address.hpp"
#include "schemas/envelope.hpp"

namespace sb {

/// Log levels a keyed behaviour may use (mapped to the node's logger).
enum class log_level { debug, info, warn, error };

/// What a keyed behaviour may do while it handles one message: read the time, send, publish, reply,
/// arm and cancel its durable timers, log. Given by the runtime for the duration of one handler
/// call only (do not keep it); used only from the actor's own thread.
///
/// Messages sent while handling get ids derived from the id of the message being handled, so a
/// message redelivered after a crash produces the same ids again and receivers drop the repeats.
class actor_context {
 public:
  virtual ~actor_context() = default;

  /// Returns the address of the actor being run.
  [[nodiscard]] virtual const schemas::address& self() const = 0;
  /// Returns the node clock's time in ms since the epoch.
  [[nodiscard]] virtual int64_t now_ms() const = 0;

  /// Sends `env` one-way (its msg_id is replaced by a derived one).
  virtual void send_envelope(schemas::envelope env) = 0;
  /// Publishes `env` on `topic` (its msg_id is replaced by a derived one).
  virtual void publish_envelope(std::string_view topic, schemas::envelope env) = 0;
  /// Sets the reply to the message being handled; ignored if that message was not a request.
  virtual void reply_envelope(schemas::envelope env) = 0;

  /// Arms (or re-arms) the durable timer `name` to fire at `due_ms` with `payload`. The timer is in
  /// the store when this returns: it survives passivation and node restarts, and fires once.
  virtual result<void> arm_timer(std::string_view name, int64_t due_ms,
                                 std::string payload = {}) = 0;
  /// Cancels the durable timer `name`; cancelling a timer that is not armed is not an error.
  virtual result<void> cancel_timer(std::string_view name) = 0;

  /// Logs a line tagged with this actor's kind and key.
  virtual void log(log_level level, std::string_view message) = 0;

  // -- typed helpers
  // ---------------------------------------------------------------------------------

  template <class M>
  void send(schemas::address to, const M& msg) {
    send_envelope(make_envelope(std::move(to), msg, now_ms()));
  }
  template <class M>
  void publish(std::string_view topic, const M& msg) {
    publish_envelope(topic, make_envelope(self(), msg, now_ms()));
  }
  template <class M>
  void reply(const M& msg) {
    reply_envelope(make_envelope(schemas::address{}, msg, now_ms()));
  }
};

}  // namespace sb
