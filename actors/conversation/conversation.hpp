#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "actors/conversation/bot.hpp"
#include "actors/conversation/marketing_hooks.hpp"
#include "actors/marketing/marketing_rules.hpp"
#include "runtime/keyed_behavior.hpp"
#include "runtime/store.hpp"
#include "schemas/conversation.hpp"
#include "schemas/handoff.hpp"

namespace sb {

/// Settings of the conversation kind (from the `conversation.*` config keys).
struct conversation_settings {
  int64_t session_idle_ms = 30 * 60 * 1000;  ///< A session ends after this long without a message.
  size_t transcript_limit = 200;      ///< Transcript lines kept per session (oldest dropped).
  size_t remembered_client_ids = 32;  ///< Channel message ids kept to spot retries.
  std::shared_ptr<const bot_knowledge> bot;  ///< nullptr: no bot (messages are only recorded).
  /// Experiments and the churn model; nullptr: no A/B scripts and no churn scoring.
  std::shared_ptr<marketing_rules> marketing;
  /// Where Thompson-sampled variants stick (outlives the actor); nullptr: fixed weights only.
  store* state_store = nullptr;
};

/// The conversation of one person on one channel; key `channel:person` (e.g. `web:v-1001`).
/// Each session gets the conversation id `key#N`.
///
/// It masks personal data before anything is kept, keeps the transcript and the session's signals,
/// answers through the bot (bot.hpp) while nobody else has the conversation, hands off to the
/// agent pool when the bot should stop (and withdraws the request when it is closed or times out
/// before an agent took it), relays agent messages to the person's channel, and ends an
/// idle session with a durable `session_idle` timer. A channel's retry (same client message id) is
/// applied once and answered with the same replies. It asks the person's user actor for a profile
/// summary once and receives fresh ones whenever the profile changes.
///
/// With marketing rules it gives a recommendation the person's A/B variant of its script (and
/// tells the experiment and the user actor), scores the session's churn risk after every message
/// and raises `churn.high_risk` once when the score crosses the model's threshold, and relays a
/// campaign's message (and hand-off) to the person.
///
/// Events: conversation.started, conversation.product_inquiry, recommendation.shown,
/// handoff.requested, handoff.accepted, churn.high_risk, conversation.closed;
/// conversation.outbound for messages that reach the person later than their own message's answer.
class conversation final : public keyed_behavior {
 public:
  conversation(schemas::address addr, conversation_settings settings);
  /// The same with settings shared by every conversation of a node (a live conversation does not
  /// carry its own copy).
  conversation(schemas::address addr, std::shared_ptr<const conversation_settings> settings);

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
  result<void> on_agent_message(const schemas::agent_message& msg, actor_context& ctx);
  result<void> on_control(const schemas::conversation_control& cmd, actor_context& ctx);
  result<void> on_campaign_message(const schemas::campaign_message& msg, actor_context& ctx);
  void score_churn(actor_context& ctx);
  [[nodiscard]] variant_chooser variant_for(const std::string& person, actor_context& ctx) const;
  void note_recommendation(const std::vector<std::string>& skus,
                           const std::optional<reply_variant>& variant, actor_context& ctx);
  void answer_retry(const std::string& client_msg_id, actor_context& ctx);
  void start_session(actor_context& ctx);
  /// Lets the bot answer; returns true if the person objected to a price.
  bool run_bot(const std::string& text, size_t person_line, actor_context& ctx,
               schemas::chat_accepted& reply);
  void request_handoff(const std::string& reason, const std::string& pool_reason,
                       const std::string& skill, actor_context& ctx, int64_t priority = 0);
  schemas::outbound_message append(const std::string& from, std::string text,
                                   std::vector<schemas::product_card> products, int64_t now);
  void send_outbound(const schemas::outbound_message& m, actor_context& ctx);
  [[nodiscard]] schemas::handoff_context handoff_view() const;
  [[nodiscard]] std::string conversation_id() const;
  [[nodiscard]] schemas::conversation_event event(const char* topic, int64_t now) const;
  void publish(actor_context& ctx, const char* topic, std::string reason,
               std::vector<std::string> skus = {});

  /// The channel and the person's id on it, the two halves of the key `channel:person`.
  [[nodiscard]] std::string channel() const;
  [[nodiscard]] std::string person() const;

  schemas::address addr_;
  std::shared_ptr<const conversation_settings> settings_;
  schemas::conversation_state state_;
};

}  // namespace sb
