#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace sb {

// -- identities -----------------------------------------------------------------------------------

/// Returns a phone number in the one form that is hashed: spaces, tabs, dashes, dots and
/// parentheses removed, and a mainland China prefix (`+86`, `0086`, or `86` before 11 digits)
/// dropped; other international numbers keep their leading `+`. Returns "" when anything but digits
/// (and that `+`) remains, or nothing does.
std::string normalize_phone(std::string_view number);

/// Returns the lower-case hex SHA-256 of normalize_phone(number), the id part of a `phone:`
/// identity, so that profiles never hold a raw number. Returns "" when the number does not
/// normalize. `+86 138-0013-8000` and `13800138000` hash alike.
std::string hash_phone(std::string_view number);

/// Checks an identity string `channel:id`: channel one of `web`, `app`, `wechat`, `wechat_union`,
/// `phone`; the id non-empty without spaces or control characters, and for `phone` a 64-digit
/// lower-case hex hash. Anything else is errc::invalid_argument.
result<void> validate_identity(std::string_view identity);

// -- the profile ----------------------------------------------------------------------------------

/// Membership tiers, lowest first (the order matters: merging keeps the higher one).
enum class membership_tier { regular, silver, gold, platinum };

/// Returns "regular", "silver", "gold" or "platinum" (the names handoff_priority() expects).
std::string_view to_string(membership_tier tier) noexcept;

/// Parses a tier name as written by to_string(); anything else is errc::invalid_argument.
result<membership_tier> membership_tier_from_string(std::string_view text);

/// One order of the person. Amounts are in the currency's main unit (yuan, dollars), as on the
/// wire.
struct order_record {
  std::string order_id;
  double amount = 0;
  std::string currency;  ///< e.g. "CNY".
  std::vector<std::string> skus;
  int64_t placed_at_ms = 0;
  bool paid = false;
  bool coupon_used = false;  ///< Placed with a coupon (counts toward price sensitivity).
};

/// One product page the person looked at.
struct product_view {
  std::string sku;
  std::string brand;
  std::string category;
  double price = 0;  ///< 0: unknown (then it does not count toward the price band).
  std::string currency;
  int64_t at_ms = 0;
};

/// A click on a recommended product.
struct recommendation_click {
  std::string sku;
  int64_t at_ms = 0;
};

/// A satisfaction rating (1 to 5) given at the end of a conversation.
struct csat_rating {
  std::string conversation_id;
  int score = 0;
  int64_t at_ms = 0;
};

/// How many of each bounded history a profile keeps (the oldest entries go first).
inline constexpr size_t max_recent_views = 50;
inline constexpr size_t max_recent_clicks = 50;
inline constexpr size_t max_csat_ratings = 20;

/// One person across channels: every identity they were seen with, their orders, what they looked
/// at, and what conversations learnt about them. Plain data: the user actor owns one (keyed by the
/// unified user id), changes it only through the functions below, and stores it with to_json().
/// Derived views (brands, categories, price band, flags) are computed on demand, never stored, so
/// that merging two profiles cannot leave them stale.
struct profile {
  std::string user_id;               ///< The unified user id.
  std::set<std::string> identities;  ///< "channel:id" strings; see validate_identity().
  membership_tier tier = membership_tier::regular;
  std::vector<order_record> orders;        ///< Oldest first; one per order id.
  std::vector<product_view> recent_views;  ///< Oldest first; at most max_recent_views.
  std::set<std::string> tags;              ///< Free-form labels from operators and campaigns.
  int64_t price_objections = 0;            ///< Times a conversation heard "too expensive".
  int64_t recommendation_clicks = 0;       ///< All clicks ever, not only the recent ones.
  std::vector<recommendation_click> recent_clicks;  ///< Oldest first; at most max_recent_clicks.
  std::vector<csat_rating> csat;                   ///< Oldest first; one per conversation; bounded.
  std::map<std::string, int64_t> last_contact_ms;  ///< Channel ("web", "app", "wechat") -> time.
  int64_t created_at_ms = 0;                       ///< 0: unknown.
};

// -- events ---------------------------------------------------------------------------------------

/// Adds an identity. Returns true if new, false if already there; invalid ones are refused.
result<bool> add_identity(profile& p, std::string_view identity);

/// Records an order. Returns true if new, false if its id is known (then nothing changes). An empty
/// order id or a negative or non-finite amount is errc::invalid_argument.
result<bool> apply_order_placed(profile& p, order_record order);

/// Marks an order paid. Returns true if it was unpaid, false if already paid; an unknown order id
/// is errc::not_found (the caller may retry once `order.placed` arrived).
result<bool> apply_order_paid(profile& p, std::string_view order_id);

/// Records a product view in time order, dropping the oldest beyond max_recent_views. An empty sku
/// or a negative or non-finite price is errc::invalid_argument.
result<void> apply_product_viewed(profile& p, product_view view);

/// Counts a click on a recommended product and keeps it among the recent clicks.
result<void> apply_recommendation_clicked(profile& p, std::string sku, int64_t at_ms);

/// Records the rating of a conversation (a second rating of the same conversation replaces the
/// first). A score outside 1..5 or an empty conversation id is errc::invalid_argument.
result<void> apply_csat(profile& p, std::string conversation_id, int score, int64_t at_ms);

/// Notes that the person was in touch on `channel` at `now_ms` (an older time changes nothing).
void note_contact(profile& p, std::string_view channel, int64_t now_ms);

/// Counts one price objection heard in a conversation.
void note_price_objection(profile& p);

/// Folds `other` into `into` when `user.identified` says they are one person: identities and tags
/// united; orders united by id (paid if either says so); views, clicks and ratings merged by time
/// and bounded again (an identical view or click, or a second rating of one conversation, counts
/// once); the higher tier; the earlier known created_at; the later contact per channel; counters
/// summed. `into` keeps its user id (or takes other's if it has none). Apply it once per merge:
/// the summed counters are not idempotent. Merging a profile with itself changes nothing.
void merge(profile& into, const profile& other);

// -- derived views --------------------------------------------------------------------------------

/// The price range a person buys and looks at, in one currency.
struct price_band {
  double low = 0;   ///< 25th percentile.
  double high = 0;  ///< 75th percentile.
  std::string currency;
};

/// Signals that change how the bot and agents talk to the person.
struct profile_flags {
  bool price_sensitive = false;   ///< At least 2 price objections, or at least 2 coupon orders.
  bool low_satisfaction = false;  ///< The latest rating is 1 or 2.
};

/// Returns the profile's main currency: the one of most orders and priced views together, ties to
/// the most recent of them; "" when there are none.
std::string main_currency(const profile& p);

/// Returns the price band over the last 20 price points in the main currency, where each order
/// gives its average item price (amount / number of skus) and each view with a price gives that
/// price; percentiles by nearest rank. nullopt without price points.
std::optional<price_band> price_band_of(const profile& p);

/// Returns the flags derived from the profile's counters, orders and ratings.
profile_flags flags_of(const profile& p);

/// Returns up to `n` brands (or categories) of the recent views, most viewed first, ties to the
/// most recently viewed. Empty names are skipped.
std::vector<std::string> top_brands(const profile& p, size_t n);
std::vector<std::string> top_categories(const profile& p, size_t n);

/// The compact view of a person that conversation actors ask for.
struct profile_summary {
  std::string user_id;
  membership_tier tier = membership_tier::regular;
  size_t order_count = 0;               ///< Orders placed, paid or not.
  double total_spend = 0;               ///< Sum of paid orders in `currency`.
  std::string currency;                 ///< main_currency(); orders in others are not summed.
  int64_t days_since_last_order = -1;   ///< Whole days since the latest order; -1: never ordered.
  std::vector<std::string> top_brands;  ///< Up to 3.
  std::vector<std::string> top_categories;  ///< Up to 3.
  std::optional<price_band> band;
  profile_flags flags;
  std::vector<std::string> recent_skus;  ///< Up to 10 distinct viewed skus, newest first.
};

/// Returns the summary of a profile at `now_ms`.
profile_summary summarize(const profile& p, int64_t now_ms);

// -- persistence ----------------------------------------------------------------------------------

/// Returns the profile as a JSON object (version 1), for the user actor's stored record.
std::string to_json(const profile& p);

/// Reads a profile written by to_json(). Unknown keys are ignored and missing ones keep defaults,
/// as with schema messages; invalid JSON or wrong types are errc::decode_malformed (naming the
/// field), a newer version errc::decode_incompatible.
result<profile> profile_from_json(std::string_view text);

}  // namespace sb
