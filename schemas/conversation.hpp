#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schemas/user.hpp"

namespace sb::schemas {

/// A shopper's message as it enters the engine from any channel. `person` is the channel's own id
/// (web visitor id, app user id, WeChat openid); `client_msg_id` is the channel's message id and
/// stays the same when the channel retries, so the conversation applies it once.
struct chat_message {
  static constexpr const char* type_name = "chat.message";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string channel;
  std::string person;
  std::string text;
  std::string client_msg_id;
  int64_t sent_at_ms = 0;
};

template <class F>
void fields(F& f, chat_message& x) {
  f("channel", x.channel);
  f("person", x.person);
  f("text", x.text);
  f("client_msg_id", x.client_msg_id);
  f("sent_at_ms", x.sent_at_ms);
}

/// A product shown in a reply (a recommendation card).
struct product_card {
  std::string sku;
  std::string name;
  double price = 0;
  std::string currency;
  std::string pitch;  ///< The script line that goes with it (may come from an A/B variant).
};

template <class F>
void fields(F& f, product_card& x) {
  f("sku", x.sku);
  f("name", x.name);
  f("price", x.price);
  f("currency", x.currency);
  f("pitch", x.pitch);
}

/// A message from the engine to the person: a bot reply, an agent's message or a system notice.
struct outbound_message {
  int64_t seq = 0;
  std::string from;  ///< "bot", "agent:<id>" or "system".
  std::string text;
  std::vector<product_card> products;
  int64_t at_ms = 0;
};

template <class F>
void fields(F& f, outbound_message& x) {
  f("seq", x.seq);
  f("from", x.from);
  f("text", x.text);
  f("products", x.products);
  f("at_ms", x.at_ms);
}

/// The conversation's answer to a `chat_message`: which conversation (session) took it, the
/// message's sequence number there, whether it was a retry already applied, and the replies the
/// bot produced for it. Version 2 added `replies` and `status`; version-1 readers ignore them.
struct chat_accepted {
  static constexpr const char* type_name = "chat.accepted";
  static constexpr uint16_t version = 2;
  static constexpr uint16_t min_compatible_version = 1;

  std::string conversation_id;
  int64_t seq = 0;
  bool duplicate = false;
  bool session_started = false;
  std::vector<outbound_message> replies;
  std::string status;  ///< The conversation's state after this message.
};

template <class F>
void fields(F& f, chat_accepted& x) {
  f("conversation_id", x.conversation_id);
  f("seq", x.seq);
  f("duplicate", x.duplicate);
  f("session_started", x.session_started);
  f("replies", x.replies);
  f("status", x.status);
}

/// One line of a transcript. Text is stored masked (no phone, ID, card numbers or e-mails).
struct transcript_line {
  int64_t seq = 0;
  std::string from;  ///< "person", "bot", "agent:<id>" or "system".
  std::string text;
  int64_t at_ms = 0;
  std::string intent;                  ///< For the person's lines: what the bot understood.
  std::vector<std::string> skus;       ///< Products shown with this line.
  std::string client_msg_id;           ///< For the person's lines: the channel's message id.
  std::vector<product_card> products;  ///< Cards shown with a bot line (to answer a retry alike).
};

template <class F>
void fields(F& f, transcript_line& x) {
  f("seq", x.seq);
  f("from", x.from);
  f("text", x.text);
  f("at_ms", x.at_ms);
  f("intent", x.intent);
  f("skus", x.skus);
  f("client_msg_id", x.client_msg_id);
  f("products", x.products);
}

/// What a conversation measures while it runs (inputs of handoff rules and churn scoring).
struct conversation_signals {
  int64_t person_messages = 0;
  int64_t questions = 0;
  int64_t unresolved_turns = 0;  ///< Consecutive messages the bot could not answer.
  int64_t negative_messages = 0;
  int64_t price_objections = 0;
  int64_t product_inquiries = 0;
  double sentiment_sum = 0;  ///< Sum of per-message sentiment scores in [-1, 1].
  double last_sentiment = 0;
};

template <class F>
void fields(F& f, conversation_signals& x) {
  f("person_messages", x.person_messages);
  f("questions", x.questions);
  f("unresolved_turns", x.unresolved_turns);
  f("negative_messages", x.negative_messages);
  f("price_objections", x.price_objections);
  f("product_inquiries", x.product_inquiries);
  f("sentiment_sum", x.sentiment_sum);
  f("last_sentiment", x.last_sentiment);
}

/// The persisted state of a conversation actor (one per channel and person; `session` counts the
/// conversations that person had on that channel, the conversation id is `key#session`).
struct conversation_state {
  static constexpr const char* type_name = "conversation.state";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  int64_t session = 0;
  std::string status = "closed";  ///< "bot", "waiting_for_agent", "with_agent" or "closed".
  int64_t next_seq = 1;
  int64_t message_count = 0;
  int64_t started_at_ms = 0;
  int64_t last_message_at_ms = 0;
  std::vector<transcript_line> transcript;
  std::vector<std::string> recent_client_msg_ids;  ///< Newest last; bounded, for retry detection.
  conversation_signals signals;
  std::vector<std::string> recommended_skus;  ///< Shown this session, oldest first.
  std::string last_intent;
  std::string handoff_reason;
  int64_t handoff_requested_at_ms = 0;
  std::string agent_id;
  int64_t agent_accepted_at_ms = 0;
  int64_t first_agent_reply_at_ms = 0;
  std::string user_key;  ///< The person's user actor key, once known.
  bool profile_known = false;
  profile_summary profile;           ///< The latest summary its user actor sent.
  double churn_score = 0;            ///< The latest churn-risk score of this session.
  bool churn_alerted = false;        ///< churn.high_risk was raised and has not re-armed yet.
  std::vector<std::string> coupons;  ///< Coupon codes campaigns sent into this session.
};

template <class F>
void fields(F& f, conversation_state& x) {
  f("session", x.session);
  f("status", x.status);
  f("next_seq", x.next_seq);
  f("message_count", x.message_count);
  f("started_at_ms", x.started_at_ms);
  f("last_message_at_ms", x.last_message_at_ms);
  f("transcript", x.transcript);
  f("recent_client_msg_ids", x.recent_client_msg_ids);
  f("signals", x.signals);
  f("recommended_skus", x.recommended_skus);
  f("last_intent", x.last_intent);
  f("handoff_reason", x.handoff_reason);
  f("handoff_requested_at_ms", x.handoff_requested_at_ms);
  f("agent_id", x.agent_id);
  f("agent_accepted_at_ms", x.agent_accepted_at_ms);
  f("first_agent_reply_at_ms", x.first_agent_reply_at_ms);
  f("user_key", x.user_key);
  f("profile_known", x.profile_known);
  f("profile", x.profile);
  f("churn_score", x.churn_score);
  f("churn_alerted", x.churn_alerted);
  f("coupons", x.coupons);
}

/// An event a conversation publishes (`conversation.started`, `conversation.product_inquiry`,
/// `recommendation.shown`, `handoff.requested`, `conversation.closed`, ...). Fields that do not
/// apply to an event stay empty.
struct conversation_event {
  static constexpr const char* type_name = "conversation.event";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string event;  ///< The topic it was published on.
  std::string conversation_id;
  std::string channel;
  std::string person;
  int64_t at_ms = 0;
  int64_t message_count = 0;
  std::string reason;  ///< Why it happened ("idle_timeout", "asked_for_human", ...).
  std::string user;    ///< The person's user actor key, when known.
  std::string intent;
  std::vector<std::string> skus;  ///< Products asked about or shown.
  std::string tier;
  int64_t priority = 0;
  std::string agent_id;
  double churn_score = 0;             ///< churn.high_risk: the score that crossed the threshold.
  std::vector<std::string> keywords;  ///< conversation.message: the (masked) message's topic words.
};

template <class F>
void fields(F& f, conversation_event& x) {
  f("event", x.event);
  f("conversation_id", x.conversation_id);
  f("channel", x.channel);
  f("person", x.person);
  f("at_ms", x.at_ms);
  f("message_count", x.message_count);
  f("reason", x.reason);
  f("user", x.user);
  f("intent", x.intent);
  f("skus", x.skus);
  f("tier", x.tier);
  f("priority", x.priority);
  f("agent_id", x.agent_id);
  f("churn_score", x.churn_score);
  f("keywords", x.keywords);
}

/// A message on its way to the person's channel (published on `conversation.outbound`); the
/// gateway hands it to the channel: long-poll waiters for web and app, the customer-service
/// message API for WeChat.
struct outbound_event {
  static constexpr const char* type_name = "conversation.outbound";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string channel;
  std::string person;
  std::string conversation_id;
  outbound_message message;
};

template <class F>
void fields(F& f, outbound_event& x) {
  f("channel", x.channel);
  f("person", x.person);
  f("conversation_id", x.conversation_id);
  f("message", x.message);
}

}  // namespace sb::schemas
