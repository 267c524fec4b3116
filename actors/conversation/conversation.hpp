#pragma once

#include <cstdint>
#include <string>

#include "runtime/keyed_behavior.hpp"
#include "schemas/conversation.hpp"

namespace sb {

/// Settings of the conversation kind (from the `conversation.*` config keys).
struct conversation_settings {
  int64_t session_idle_ms = 30 * 60 * 1000;  ///< A session ends after this long without a message.
  size_t transcript_limit = 200;             ///< Transcript lines kept per session (oldest dropped).
  size_t remembered_client_ids = 32;         ///< Channel message ids kept to spot retries.
};

/// The conversation of one person on one channel; key `channel:person` (e.g. `web:v-1001`).
/// Each session gets the conversation id `key#N`. It keeps the transcript and the session's signals,
/// applies each channel message id once, and ends the session with a durable `session_idle` timer
/// (re-armed by every message), publishing `conversation.started` and `conversation.closed`.
class conversation final : public keyed_behavior {
 public:
  conversation(schemas::address addr, conversation_settings settings);

  result<void> restore(const std::optional<std::string>& snapshot) override;
  [[nodiscard]] std::string snapshot() const override;
  result<void> handle(const schemas::envelope& msg, actor_context& ctx) override;
  result<void> on_timer(const schemas::timer_fired& timer, actor_context& ctx) override;
  [[nodiscard]] std::string status_json() const override;

  /// Returns the state (for tests).
  [[nodiscard]] const schemas::conversation_state& state() const { return state_; }

  /// The name of the durable timer that ends an idle session.
  static constexpr const char* idle_timer = "session_idle";

 private:
  result<void> on_chat(const schemas::chat_message& msg, actor_context& ctx);
  [[nodiscard]] std::string conversation_id() const;
  void publish(actor_context& ctx, const char* topic, std::string reason);

  schemas::address addr_;
  conversation_settings settings_;
  schemas::conversation_state state_;
};

}  // namespace sb
