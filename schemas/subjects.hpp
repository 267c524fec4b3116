#pragma once

namespace sb::schemas::topics {

/// Event topics, dot-separated like NATS subjects. A subscription pattern may use `*` for one token
/// and `>` for the rest (`conversation.>`). The NATS bus publishes them on `sb.events.<topic>`.
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

namespace sb::schemas::subjects {

/// NATS subjects, streams and buckets of a cluster (bus.kind: nats). Every payload is a msgpack
/// `envelope` (schemas/envelope.hpp); its `msg_id` is the JetStream message id of one-way
/// messages and events (deduplicated within the stream's window).

/// Intake of partition P is the subject `sb.in.P`: every message for an address of P (chat
/// messages from any gateway, business events, messages between actors on different nodes).
inline constexpr const char* intake_prefix = "sb.in.";
/// The JetStream stream that keeps the intake (file storage by default).
inline constexpr const char* intake_stream = "SB_INTAKE";
/// The durable consumer of partition P is `in-P`; the node holding P's lease is bound to it.
inline constexpr const char* intake_durable_prefix = "in-";
/// Events are published on `sb.events.<topic>` and kept in this stream.
inline constexpr const char* events_prefix = "sb.events.";
inline constexpr const char* events_stream = "SB_EVENTS";
/// Replies to requests go to `sb.reply.<node id>` (the envelope's reply_to), matched by the
/// envelope's correlation_id; an error reply has type `sb.error` and "<code>\n<message>" as
/// payload.
inline constexpr const char* reply_prefix = "sb.reply.";
/// Key-value bucket of partition leases: key `p.P`, value the owner's node id, TTL
/// cluster.lease_time; the revision at which a node took the key is its fencing token.
inline constexpr const char* lease_bucket = "sb_leases";
/// Key-value bucket of live members: key the node id, value a JSON object (node, gateway).
inline constexpr const char* member_bucket = "sb_members";
/// Admin requests (sbctl --nats): `sb.admin.<node id>` reaches that node, `sb.admin.any` any one
/// node (a queue group). Unlike the subjects above these carry JSON, not envelopes: the request
/// {"method": "GET"|"POST", "path": "/v1/...", "body": "...", "token": "<admin.token>"} is
/// performed against the node's own gateway and answered {"status": <int>, "body": "..."}
/// (runtime/gateway/nats_admin.hpp). Event streams are not served here: subscribe to
/// `sb.events.<pattern>` instead.
inline constexpr const char* admin_prefix = "sb.admin.";
inline constexpr const char* admin_any = "sb.admin.any";
/// The queue group of the `sb.admin.any` subscriptions.
inline constexpr const char* admin_queue = "sb-admin";
/// Store key of partition P's fence: `fence:P` (plus store.key_prefix), the newest owner's token.
inline constexpr const char* fence_prefix = "fence:";

}  // namespace sb::schemas::subjects
