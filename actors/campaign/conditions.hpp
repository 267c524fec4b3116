#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace sb::campaigns {

/// The facts a `when` condition can test (config/campaigns/README.md has the table).
enum class fact {
  product_stock,               ///< product.stock, number
  product_price,               ///< product.price, number
  product_category,            ///< product.category, word
  product_brand,               ///< product.brand, word
  product_sku,                 ///< product.sku, word
  user_tier,                   ///< user.tier, word: regular | silver | gold | platinum
  user_price_sensitive,        ///< user.price_sensitive, true/false
  user_order_count,            ///< user.order_count, number
  user_days_since_last_order,  ///< user.days_since_last_order, number (-1: never ordered)
  user_tags,                   ///< user.tags, list of words
  churn_score,                 ///< churn.score, number 0..1
  channel,                     ///< channel, word: web | app | wechat
  time_hour,                   ///< time.hour, number 0..23 in the campaign's time zone
  time_weekday,                ///< time.weekday, number 1 (Monday) .. 7 (Sunday), local
  coupon_unused,               ///< coupon.unused, number of unused unexpired coupons held
};

/// The operators of a condition; `in`/`not_in` take a list. On user.tags, `in` means "has any
/// of" and `not_in` "has none of".
enum class comparison { greater, greater_equal, less, less_equal, equal, not_equal, in, not_in };

/// One parsed `when` item, `FACT OP VALUE`. Plain value, built at load time, then read-only.
struct condition {
  std::string text;  ///< As written, for messages.
  fact subject = fact::product_stock;
  comparison op = comparison::equal;
  std::vector<double> numbers;     ///< Number facts: the value, or the list of in/not_in.
  bool flag = false;               ///< true/false facts: the value.
  std::vector<std::string> words;  ///< Word facts: the value, or the list of in/not_in.
};

/// What is known about the person and the event when a campaign is armed or fires, filled by the
/// campaign actor from the event and the profile. Empty strings and empty optionals are unknown.
struct facts {
  std::optional<double> product_stock;
  std::optional<double> product_price;
  std::string product_category;
  std::string product_brand;
  std::string product_sku;
  std::string tier;  ///< Meaningful only when `tier_known`.
  bool tier_known = false;
  bool price_sensitive = false;
  int64_t order_count = 0;
  int64_t days_since_last_order = -1;  ///< -1: never ordered.
  std::vector<std::string> user_tags;
  std::optional<double> churn_score;
  std::string channel;
  int64_t unused_coupons = 0;  ///< Unused unexpired coupons of this campaign the person holds.
  int64_t now_ms = 0;          ///< Epoch milliseconds (UTC); time.* are derived from it.
};

/// The outcome of one condition: it holds, it fails, or the fact it tests is unknown.
enum class truth { holds, fails, unknown };

/// Returns the name of a fact as written in campaign files ("product.stock").
std::string_view fact_name(fact f);

/// Returns the condition written in `text`, or config_bad_value whose message is the reason
/// (unknown fact, operator that does not suit the fact's type, value of the wrong type or out of
/// range, malformed text), without any location: the loader adds it.
result<condition> parse_condition(std::string_view text);

/// Returns whether `c` holds for `known`; time.hour and time.weekday are read in `time_zone`.
/// A fact that is unknown (see `facts`) gives truth::unknown, never a guess.
truth evaluate(const condition& c, const facts& known, const std::string& time_zone);

}  // namespace sb::campaigns
