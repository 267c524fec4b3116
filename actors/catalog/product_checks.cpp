#include "actors/catalog/product_checks.hpp"

#include <charconv>
#include <cmath>

#include "actors/catalog/catalog.hpp"

namespace sb::detail {

std::optional<std::string> check_sku(std::string_view sku) {
  if (sku.empty()) {
    return "must not be empty";
  }
  if (sku.size() > 64) {
    return "longer than 64 bytes";
  }
  for (unsigned char c : sku) {
    // SKUs end up in store keys, metric-free log fields and URLs: keep them one plain word.
    if (c <= ' ' || c == 0x7f) {
      return "must not contain spaces or control characters";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_price(double price) {
  if (!std::isfinite(price)) {
    return "must be a finite number";
  }
  if (price < 0) {
    return "must be >= 0";
  }
  return std::nullopt;
}

std::optional<std::string> check_stock(int64_t stock) {
  if (stock < 0) {
    return "must be >= 0";
  }
  return std::nullopt;
}

std::optional<std::string> check_currency(std::string_view currency) {
  if (currency.size() != 3) {
    return "expected three capital letters such as CNY";
  }
  for (char c : currency) {
    if (c < 'A' || c > 'Z') {
      return "expected three capital letters such as CNY";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_tier(std::string_view tier) {
  std::string known;
  for (const char* t : membership_tiers) {
    if (tier == t) {
      return std::nullopt;
    }
    known += known.empty() ? "" : ", ";
    known += t;
  }
  return "unknown tier \"" + std::string{tier} + "\" (" + known + ")";
}

std::optional<double> parse_number(std::string_view text) {
  double out = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return out;
}

std::optional<int64_t> parse_integer(std::string_view text) {
  int64_t out = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return out;
}

}  // namespace sb::detail
