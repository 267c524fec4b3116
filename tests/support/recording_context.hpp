#pragma once

// An actor_context that records everything a keyed behaviour asks of the runtime, so that kinds are
// tested as plain C++: no actor system, time set by the test.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/actor_context.hpp"
#include "runtime/bus.hpp"
#include "runtime/codec.hpp"
#include "schemas/address.hpp"
#include "schemas/conversation.hpp"
#include "schemas/envelope.hpp"
#include "tests/support/require.hpp"

namespace sb::test {

/// Records sends, publishes, replies, timers and log lines of the handler calls it is given to;
/// `now` is the time the behaviour reads. Envelopes keep the ids the behaviour gave them (the real
/// runtime replaces them with derived ones). One per test; not thread-safe.
class recording_context final : public actor_context {
 public:
  /// A timer the behaviour armed.
  struct armed_timer {
    std::string name;
    int64_t due_ms = 0;
    std::string payload;
  };

  /// A message of type M that was sent, with its destination.
  template <class M>
  struct sent_message {
    schemas::address to;
    M message;
  };

  explicit recording_context(schemas::address self) : self_(std::move(self)) {}

  [[nodiscard]] const schemas::address& self() const override { return self_; }
  [[nodiscard]] int64_t now_ms() const override { return now; }

  void send_envelope(schemas::envelope env) override { sent.push_back(std::move(env)); }
  void publish_envelope(std::string_view topic, schemas::envelope env) override {
    published.emplace_back(std::string{topic}, std::move(env));
  }
  void reply_envelope(schemas::envelope env) override { replies.push_back(std::move(env)); }

  result<void> arm_timer(std::string_view name, int64_t due_ms, std::string payload) override {
    armed.push_back({std::string{name}, due_ms, std::move(payload)});
    return {};
  }
  result<void> cancel_timer(std::string_view name) override {
    cancelled.emplace_back(name);
    return {};
  }
  void log(log_level, std::string_view message) override { logged.emplace_back(message); }

  // -- decoding what was recorded ---------------------------------------------------------------

  /// Returns the last reply decoded as an M (failing the test if there is none or of another type).
  template <class M>
  M last_reply_as() {
    REQUIRE_FALSE(replies.empty());
    return SB_REQUIRE_OK(open_envelope<M>(replies.back()));
  }

  /// Returns the last reply as a chat_accepted.
  schemas::chat_accepted last_reply() { return last_reply_as<schemas::chat_accepted>(); }

  /// Returns the sent messages of type M with their destinations, in order; others are skipped.
  template <class M>
  std::vector<sent_message<M>> sent_of() {
    std::vector<sent_message<M>> out;
    for (const auto& env : sent) {
      if (env.type == M::type_name) {
        out.push_back({env.to, SB_REQUIRE_OK(open_envelope<M>(env))});
      }
    }
    return out;
  }

  /// Returns the topics published on, in order.
  [[nodiscard]] std::vector<std::string> topics() const {
    std::vector<std::string> out;
    for (const auto& [topic, env] : published) {
      out.push_back(topic);
    }
    return out;
  }

  /// Returns the messages published on `topic`, decoded as M (failing the test if one is not).
  template <class M>
  std::vector<M> published_on(std::string_view topic) {
    std::vector<M> out;
    for (const auto& [t, env] : published) {
      if (t == topic) {
        out.push_back(SB_REQUIRE_OK(open_envelope<M>(env)));
      }
    }
    return out;
  }

  /// Returns the published conversation events in order (each checked to name its topic and to come
  /// from this actor); other messages, such as outbound ones, are skipped.
  std::vector<schemas::conversation_event> events() {
    std::vector<schemas::conversation_event> out;
    for (const auto& [topic, env] : published) {
      if (env.type != schemas::conversation_event::type_name) {
        continue;
      }
      auto ev = SB_REQUIRE_OK(open_envelope<schemas::conversation_event>(env));
      CHECK(ev.event == topic);
      CHECK(env.to == self_);
      out.push_back(std::move(ev));
    }
    return out;
  }

  /// Forgets what was recorded (the time stays).
  void clear() {
    sent.clear();
    published.clear();
    replies.clear();
    armed.clear();
    cancelled.clear();
    logged.clear();
  }

  int64_t now = 1'700'000'000'000;
  std::vector<schemas::envelope> sent;
  std::vector<std::pair<std::string, schemas::envelope>> published;
  std::vector<schemas::envelope> replies;
  std::vector<armed_timer> armed;
  std::vector<std::string> cancelled;
  std::vector<std::string> logged;

 private:
  schemas::address self_;
};

}  // namespace sb::test
