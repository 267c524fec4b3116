#pragma once

namespace sb::schemas::topics {

/// Event topics, dot-separated like NATS subjects. A subscription pattern may use `*` for one token
/// and `>` for the rest (`conversation.>`). The NATS bus prefixes them with `sb.events.`.
inline constexpr const char* conversation_started = "conversation.started";
inline constexpr const char* conversation_closed = "conversation.closed";
inline constexpr const char* product_inquiry = "conversation.product_inquiry";
/// A person's message the bot read: its intent, products and topic words (no text).
inline constexpr const char* conversation_message = "conversation.message";
inline constexpr const char* recommendation_shown = "recommendation.shown";
inline constexpr const char* handoff_requested = "handoff.requested";
inline constexpr const char* handoff_accepted = "handoff.accepted";
inline constexpr const char* handoff_offered = "handoff.offered";
/// Messages that reach the person later than the answer to their own message (agent replies).
inline constexpr const char* conversation_outbound = "conversation.outbound";
/// A conversation's churn-risk score crossed the model's threshold (once until it falls back).
inline constexpr const char* churn_high_risk = "churn.high_risk";
inline constexpr const char* coupon_issued = "coupon.issued";
inline constexpr const char* coupon_redeemed = "coupon.redeemed";
/// An order with what led to it (schemas::order_attribution), once per order.
inline constexpr const char* order_attributed = "order.attributed";
inline constexpr const char* order_placed = "order.placed";

}  // namespace sb::schemas::topics

namespace sb::schemas::kinds {

/// Actor kinds (the first half of an address).
inline constexpr const char* conversation = "conversation";
inline constexpr const char* user = "user";
inline constexpr const char* agent_pool = "agent_pool";
/// One per campaign (key: the campaign id); per-person triggers are its durable timers.
inline constexpr const char* campaign = "campaign";
/// One per experiment (key: the experiment id); keeps the counts per variant.
inline constexpr const char* experiment = "experiment";

}  // namespace sb::schemas::kinds
