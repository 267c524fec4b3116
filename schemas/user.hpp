#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schemas/marketing.hpp"

namespace sb::schemas {

/// A business event about a person (`order.placed`, `order.paid`, `product.viewed`,
/// `product.updated`, `user.identified`, `recommendation.clicked`, `csat.rated`), from
/// `POST /v1/events` or the bus. `event_id` makes it idempotent. Fields that do not apply stay
/// empty.
struct business_event {
  static constexpr const char* type_name = "business.event";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string type;
  std::string event_id;
  std::string user;  ///< "channel:id" of the person.
  int64_t at_ms = 0;
  std::string order_id;
  double amount = 0;
  std::string currency;
  std::vector<std::string> skus;
  std::string sku;
  std::string brand;
  std::string category;
  double price = 0;
  std::vector<std::string> identities;  ///< user.identified: identities that are the same person.
  std::string conversation_id;
  int64_t score = 0;         ///< csat.rated: 1..5.
  std::string product_json;  ///< product.updated: the product as JSON.
  std::string tier;          ///< Membership tier, when the event carries it.
};

template <class F>
void fields(F& f, business_event& x) {
  f("type", x.type);
  f("event_id", x.event_id);
  f("user", x.user);
  f("at_ms", x.at_ms);
  f("order_id", x.order_id);
  f("amount", x.amount);
  f("currency", x.currency);
  f("skus", x.skus);
  f("sku", x.sku);
  f("brand", x.brand);
  f("category", x.category);
  f("price", x.price);
  f("identities", x.identities);
  f("conversation_id", x.conversation_id);
  f("score", x.score);
  f("product_json", x.product_json);
  f("tier", x.tier);
}

/// The compact view of a person that conversations ask their user actor for.
struct profile_summary {
  static constexpr const char* type_name = "user.profile_summary";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string user_key;
  std::string tier = "regular";
  int64_t order_count = 0;
  double total_spend = 0;
  int64_t days_since_last_order = -1;  ///< -1: never ordered.
  std::vector<std::string> top_brands;
  std::vector<std::string> top_categories;
  std::vector<std::string> recent_skus;
  bool has_price_band = false;
  double price_min = 0;
  double price_max = 0;
  bool price_sensitive = false;
  std::vector<std::string> identities;
};

template <class F>
void fields(F& f, profile_summary& x) {
  f("user_key", x.user_key);
  f("tier", x.tier);
  f("order_count", x.order_count);
  f("total_spend", x.total_spend);
  f("days_since_last_order", x.days_since_last_order);
  f("top_brands", x.top_brands);
  f("top_categories", x.top_categories);
  f("recent_skus", x.recent_skus);
  f("has_price_band", x.has_price_band);
  f("price_min", x.price_min);
  f("price_max", x.price_max);
  f("price_sensitive", x.price_sensitive);
  f("identities", x.identities);
}

/// Messages to a user actor besides business events: `summary` (answered with a profile_summary),
/// `contact` (a conversation saw the person; `price_objection` when they objected to a price),
/// `absorb` (merge yourself into `into` and forward from now on), `merge` (take `profile_json`).
struct user_command {
  static constexpr const char* type_name = "user.command";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string action;
  std::string channel;
  int64_t at_ms = 0;
  bool price_objection = false;
  std::string into;
  std::string profile_json;
  std::vector<std::string> watchers;  ///< merge: conversations that follow the absorbed profile.
};

template <class F>
void fields(F& f, user_command& x) {
  f("action", x.action);
  f("channel", x.channel);
  f("at_ms", x.at_ms);
  f("price_objection", x.price_objection);
  f("into", x.into);
  f("profile_json", x.profile_json);
  f("watchers", x.watchers);
}

/// The persisted state of a user actor: its profile as JSON (actors/user/profile_logic), or a
/// forwarding address once merged into another user.
struct user_state {
  static constexpr const char* type_name = "user.state";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string profile_json;
  std::string merged_into;
  std::vector<std::string> applied_event_ids;  ///< Newest last; bounded.
  std::vector<std::string> watchers;    ///< Conversation keys that get this profile's summaries.
  std::vector<touchpoint> touchpoints;  ///< Recent recommendations and coupons, oldest first.
  std::vector<std::string> attributed_orders;  ///< Order ids already attributed; bounded.
};

template <class F>
void fields(F& f, user_state& x) {
  f("profile_json", x.profile_json);
  f("merged_into", x.merged_into);
  f("applied_event_ids", x.applied_event_ids);
  f("watchers", x.watchers);
  f("touchpoints", x.touchpoints);
  f("attributed_orders", x.attributed_orders);
}

}  // namespace sb::schemas
