#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::detail {

// The field rules shared by the YAML loader and the JSON reader of products. Each returns the
// reason a value is refused, or nothing when it is fine.

/// Returns why a SKU is refused (empty, too long, or containing whitespace or control bytes).
std::optional<std::string> check_sku(std::string_view sku);

/// Returns why a price is refused (negative, NaN or infinite).
std::optional<std::string> check_price(double price);

/// Returns why a stock level is refused (negative).
std::optional<std::string> check_stock(int64_t stock);

/// Returns why a currency is refused (not three capital letters, as in ISO 4217).
std::optional<std::string> check_currency(std::string_view currency);

/// Returns why a membership tier is refused (not one of sb::membership_tiers).
std::optional<std::string> check_tier(std::string_view tier);

/// Parses a whole decimal number ("1299", "99.5"); nothing if `text` is not one.
std::optional<double> parse_number(std::string_view text);

/// Parses a whole decimal integer ("120", "-3"); nothing if `text` is not one or overflows.
std::optional<int64_t> parse_integer(std::string_view text);

}  // namespace sb::detail
