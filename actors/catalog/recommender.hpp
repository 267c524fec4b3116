#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/catalog/catalog.hpp"

namespace sb {

/// What is known about a shopper when the bot picks products: the words of the current message
/// (already segmented, e.g. {"有", "降噪", "耳机", "吗"}), what they looked at, their membership
/// tier and their budget. A plain value built by the conversation for each recommendation.
struct shopper_context {
  std::vector<std::string> tokens;  ///< Segmented words of the message.
  std::vector<std::string> viewed_skus;
  std::vector<std::string> viewed_brands;
  std::vector<std::string> viewed_categories;
  std::string tier;  ///< Membership tier ("regular", "silver", ...); empty = not a member.
  std::optional<std::pair<double, double>> price_band;  ///< Budget (low, high), inclusive.
  bool price_sensitive = false;                         ///< Prefer cheaper products.
  std::vector<std::string> exclude_skus;  ///< Never recommend these (e.g. just shown).
};

/// One recommended product with its score and why it was picked. `item` points into the catalog
/// passed to recommend() and is valid only while that catalog lives unchanged.
struct recommendation {
  const product* item = nullptr;
  double score = 0;
  /// Short machine-readable reasons, e.g. "keyword:降噪", "name:earbuds", "brand:Auralink",
  /// "tag:运动", "category:headphones", "brand_affinity", "category_affinity", "viewed",
  /// "in_price_band", "outside_price_band", "cheaper".
  std::vector<std::string> reasons;
};

/// Returns up to `max_results` products for the shopper, best first. Pure and deterministic:
/// ties are broken by SKU. Never returns a product out of stock, one reserved for tiers that do
/// not include the shopper's, or one in `exclude_skus`.
///
/// Scoring: each distinct token adds its best match against the product (keyword 3 exact / 2
/// partial, name 2, brand 2, tag 1.5 / 1, category 1.5 / 1). ASCII tokens match whole words
/// case-insensitively ("anc" matches "ANC", "bank" matches "power bank", one-letter tokens only
/// whole values); non-ASCII (Chinese) tokens of two or more characters also match as a substring
/// either way ("降噪" matches the keyword "降噪耳机", the token "有降噪耳机吗" the keyword
/// "降噪耳机"), single characters only whole values. Membership is exact: a product reserved for
/// {gold, platinum} is hidden from silver members and from shoppers without a tier.
/// Then a viewed brand adds 1, a viewed category 0.75 (both also taken from the products of
/// `viewed_skus`), a viewed product itself 0.5; a price inside the band adds 1.5, outside it
/// costs up to 1.5 by distance; a price-sensitive shopper gets up to 1.5 for being the cheapest
/// candidate. When some product matches the message only those are candidates; otherwise products
/// with an affinity to the history; with neither, the result is empty (never random products).
std::vector<recommendation> recommend(const catalog& products, const shopper_context& shopper,
                                      size_t max_results = 3);

}  // namespace sb
