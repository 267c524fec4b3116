#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace sb {

/// One product the bot may recommend or quote. A plain value: copied into caches, snapshots and
/// recommendation cards. `keywords` and `tags` are what shoppers' words are matched against
/// (Chinese and English); `tiers` reserves the product for some membership tiers.
struct product {
  std::string sku;
  std::string name;
  std::string brand;
  std::string category;
  std::vector<std::string> tags;
  std::vector<std::string> keywords;
  double price = 0;
  int64_t stock = 0;
  std::string currency = "CNY";
  std::string pitch;               ///< One-line script the bot can say about the product.
  std::vector<std::string> tiers;  ///< Membership tiers it is reserved for; empty = everyone.
  int64_t updated_at_ms = 0;       ///< When the product last changed (0 = unknown).
};

/// The membership tiers a product may be reserved for, lowest first.
inline constexpr const char* membership_tiers[] = {"regular", "silver", "gold", "platinum"};

/// A set of products, e.g. the shipped config/catalog.yaml or a snapshot of the catalog cache.
/// A plain value; pointers returned by find() (and held by recommendations) stay valid while the
/// catalog lives and `products` is not changed.
struct catalog {
  std::vector<product> products;

  /// Returns the product with this SKU, or nullptr. Linear: catalogs here hold at most thousands.
  [[nodiscard]] const product* find(std::string_view sku) const;
};

/// Reads a catalog file: YAML with one key, `products:`, a list of maps with the fields of
/// `product` (sku, name, price and stock required). Unknown or repeated keys, duplicate SKUs, a
/// negative or non-finite price, a negative or fractional stock, an unknown tier or a currency that
/// is not three capital letters are errors, reported as `file:line:column: key: reason`
/// (errc::config_io, config_syntax, config_unknown_key or config_bad_value).
result<catalog> load_catalog(const std::string& path);

/// Returns a product as a JSON object with every field (for the HTTP API). Text that is not valid
/// UTF-8 is written with U+FFFD in place of the bad bytes.
std::string to_json(const product& p);

/// Reads a product from a JSON object. `sku` and `name` are required, other fields default as in
/// `product`; unknown keys, wrong types and the values load_catalog() refuses are
/// errc::invalid_argument naming the key. Never throws; input nested deeper than 16 is refused.
result<product> product_from_json(std::string_view text);

}  // namespace sb
