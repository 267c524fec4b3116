#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sb::schemas {

/// A coupon as the ledger keeps it (store key `coupon:{code}`) and as `coupon.issued` /
/// `coupon.redeemed` events carry it. `state` is "issued" or "redeemed"; an issued coupon past
/// `expires_at_ms` is expired (the state is not rewritten for that).
struct coupon_record {
  static constexpr const char* type_name = "coupon.record";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string code;
  std::string campaign;
  std::string user;    ///< The person's user actor key.
  double amount = 0;   ///< Fixed discount; 0 for a percent coupon.
  double percent = 0;  ///< Percent discount; 0 for a fixed one.
  std::string currency = "CNY";
  double min_spend = 0;
  double max_discount = 0;  ///< Cap of a percent coupon; 0: none.
  int64_t issued_at_ms = 0;
  int64_t expires_at_ms = 0;
  std::string state = "issued";
  std::string order_id;  ///< The order that redeemed it.
  int64_t redeemed_at_ms = 0;
  std::string conversation_id;  ///< Where the person was when the campaign fired.
  std::string channel;
  std::string experiment;  ///< The experiment whose variant wrote the coupon's message, if any.
  std::string variant;
};

template <class F>
void fields(F& f, coupon_record& x) {
  f("code", x.code);
  f("campaign", x.campaign);
  f("user", x.user);
  f("amount", x.amount);
  f("percent", x.percent);
  f("currency", x.currency);
  f("min_spend", x.min_spend);
  f("max_discount", x.max_discount);
  f("issued_at_ms", x.issued_at_ms);
  f("expires_at_ms", x.expires_at_ms);
  f("state", x.state);
  f("order_id", x.order_id);
  f("redeemed_at_ms", x.redeemed_at_ms);
  f("conversation_id", x.conversation_id);
  f("channel", x.channel);
  f("experiment", x.experiment);
  f("variant", x.variant);
}

/// What a campaign actor remembers about one person (store key `campaign:{id}:person:{user}`,
/// written only by that campaign's actor): the armed trigger waiting for its timer, and the recent
/// times of the `unless` event, so that an order that arrives before the inquiry it follows still
/// cancels it.
struct campaign_person {
  static constexpr const char* type_name = "campaign.person";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  bool pending = false;
  int64_t armed_at_ms = 0;  ///< When the arming event happened.
  int64_t due_ms = 0;       ///< When its timer fires.
  std::string sku;
  std::string conversation_id;
  std::string channel;
  std::string tier;
  double churn_score = -1;            ///< From a churn.high_risk event; -1: unknown.
  std::vector<int64_t> arming_at_ms;  ///< Arming events not yet fired, sorted; bounded.
  std::vector<int64_t> unless_at_ms;  ///< Cancelling events, sorted; bounded.
  int64_t fired = 0;
  int64_t last_fired_at_ms = 0;
  int64_t used_through_ms = 0;  ///< Arming events at or before this time were used by a firing.
};

template <class F>
void fields(F& f, campaign_person& x) {
  f("pending", x.pending);
  f("armed_at_ms", x.armed_at_ms);
  f("due_ms", x.due_ms);
  f("sku", x.sku);
  f("conversation_id", x.conversation_id);
  f("channel", x.channel);
  f("tier", x.tier);
  f("churn_score", x.churn_score);
  f("arming_at_ms", x.arming_at_ms);
  f("unless_at_ms", x.unless_at_ms);
  f("fired", x.fired);
  f("last_fired_at_ms", x.last_fired_at_ms);
  f("used_through_ms", x.used_through_ms);
}

/// The persisted state of a campaign actor: what it has done, for operators and the demo.
struct campaign_state {
  static constexpr const char* type_name = "campaign.state";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  int64_t armed = 0;
  int64_t cancelled = 0;
  int64_t fired = 0;
  int64_t coupons_issued = 0;
  int64_t messages_sent = 0;
  int64_t handoffs = 0;
  std::map<std::string, int64_t> skipped;  ///< Why a firing or an arming did nothing.
};

template <class F>
void fields(F& f, campaign_state& x) {
  f("armed", x.armed);
  f("cancelled", x.cancelled);
  f("fired", x.fired);
  f("coupons_issued", x.coupons_issued);
  f("messages_sent", x.messages_sent);
  f("handoffs", x.handoffs);
  f("skipped", x.skipped);
}

/// A message a campaign sends into a person's conversation (kept in its transcript and sent on
/// the person's channel). `handoff_priority` > 0 also hands the conversation to a human.
struct campaign_message {
  static constexpr const char* type_name = "campaign.message";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string campaign;
  std::string text;
  std::string code;
  int64_t handoff_priority = 0;
  std::string handoff_reason;
};

template <class F>
void fields(F& f, campaign_message& x) {
  f("campaign", x.campaign);
  f("text", x.text);
  f("code", x.code);
  f("handoff_priority", x.handoff_priority);
  f("handoff_reason", x.handoff_reason);
}

/// Something a person was shown that may lead to an order, sent to their user actor, which keeps
/// the recent ones to attribute orders: `recommendation` (skus shown, maybe with an experiment
/// variant), `coupon` (a campaign's coupon, maybe with its message's variant).
struct touchpoint {
  static constexpr const char* type_name = "user.touchpoint";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string kind;
  int64_t at_ms = 0;
  std::vector<std::string> skus;
  std::string campaign;
  std::string code;
  std::string experiment;
  std::string variant;
  std::string conversation_id;
  std::string channel;
  bool clicked = false;    ///< A click was already counted for it.
  bool converted = false;  ///< An order was already counted for its experiment variant.
};

template <class F>
void fields(F& f, touchpoint& x) {
  f("kind", x.kind);
  f("at_ms", x.at_ms);
  f("skus", x.skus);
  f("campaign", x.campaign);
  f("code", x.code);
  f("experiment", x.experiment);
  f("variant", x.variant);
  f("conversation_id", x.conversation_id);
  f("channel", x.channel);
  f("clicked", x.clicked);
  f("converted", x.converted);
}

/// An order with what led to it (published on `order.attributed`, once per order): the latest
/// recommendation of an ordered product, coupon and experiment variant within the attribution
/// window before it. Empty fields: nothing of that kind preceded it.
struct order_attribution {
  static constexpr const char* type_name = "order.attribution";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string order_id;
  std::string user;
  double amount = 0;
  std::string currency;
  int64_t at_ms = 0;
  std::string channel;  ///< The channel of the touchpoint it is attributed to, else empty.
  std::string conversation_id;
  std::string recommended_sku;
  std::string coupon_code;
  std::string campaign;
  std::string experiment;
  std::string variant;
};

template <class F>
void fields(F& f, order_attribution& x) {
  f("order_id", x.order_id);
  f("user", x.user);
  f("amount", x.amount);
  f("currency", x.currency);
  f("at_ms", x.at_ms);
  f("channel", x.channel);
  f("conversation_id", x.conversation_id);
  f("recommended_sku", x.recommended_sku);
  f("coupon_code", x.coupon_code);
  f("campaign", x.campaign);
  f("experiment", x.experiment);
  f("variant", x.variant);
}

/// One outcome of an experiment for its actor (`experiment/{id}`): `impression` (a variant was
/// shown), `click` or `conversion` (attributed to an impression at `impression_at_ms`), `report`
/// (a request, answered with experiment_report). `ref` makes clicks and conversions idempotent.
struct experiment_event {
  static constexpr const char* type_name = "experiment.event";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string kind;
  std::string variant;
  std::string person;
  int64_t at_ms = 0;
  int64_t impression_at_ms = 0;
  std::string ref;
};

template <class F>
void fields(F& f, experiment_event& x) {
  f("kind", x.kind);
  f("variant", x.variant);
  f("person", x.person);
  f("at_ms", x.at_ms);
  f("impression_at_ms", x.impression_at_ms);
  f("ref", x.ref);
}

/// The counts of an experiment per variant (the experiment actor's state, and its report's
/// input). Variants are matched by name, so reordering them in the file keeps their counts.
struct experiment_state {
  static constexpr const char* type_name = "experiment.state";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::map<std::string, int64_t> impressions;
  std::map<std::string, int64_t> clicks;
  std::map<std::string, int64_t> conversions;
  std::vector<std::string> recent_refs;  ///< Newest last; bounded.
};

template <class F>
void fields(F& f, experiment_state& x) {
  f("impressions", x.impressions);
  f("clicks", x.clicks);
  f("conversions", x.conversions);
  f("recent_refs", x.recent_refs);
}

/// The answer to an experiment `report` request: the JSON served at GET /v1/experiments/{id}.
struct experiment_report {
  static constexpr const char* type_name = "experiment.report";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string json;
};

template <class F>
void fields(F& f, experiment_report& x) {
  f("json", x.json);
}

}  // namespace sb::schemas
