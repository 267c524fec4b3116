// JSON form of a product for the HTTP API; nlohmann stays in this file.
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "actors/catalog/catalog.hpp"
#include "actors/catalog/product_checks.hpp"
#include "runtime/json_nesting.hpp"

namespace sb {

namespace {

using json = nlohmann::json;

constexpr int max_nesting = 16;

error bad(const std::string& key, const std::string& why) {
  return error{errc::invalid_argument, key + ": " + why};
}

result<void> read_text(const json& v, const std::string& key, std::string& out) {
  if (!v.is_string()) {
    return bad(key, "expected a string");
  }
  out = v.get<std::string>();
  return {};
}

result<void> read_list(const json& v, const std::string& key, std::vector<std::string>& out,
                       std::optional<std::string> (*check)(std::string_view)) {
  if (!v.is_array()) {
    return bad(key, "expected an array of strings");
  }
  for (const auto& item : v) {
    if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
      return bad(key, "expected non-empty strings");
    }
    if (check) {
      if (auto why = check(item.get_ref<const std::string&>())) {
        return bad(key, *why);
      }
    }
    out.push_back(item.get<std::string>());
  }
  return {};
}

result<void> read_integer(const json& v, const std::string& key, int64_t& out) {
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return bad(key, "out of range");
    }
  } else if (!v.is_number_integer()) {
    return bad(key, "expected a whole number");
  }
  out = v.get<int64_t>();
  if (auto why = detail::check_stock(out)) {
    return bad(key, *why);
  }
  return {};
}

result<void> read_field(const std::string& key, const json& v, product& p) {
  if (key == "sku") {
    auto ok = read_text(v, key, p.sku);
    if (ok) {
      if (auto why = detail::check_sku(p.sku)) {
        return bad(key, *why);
      }
    }
    return ok;
  }
  if (key == "name") {
    return read_text(v, key, p.name);
  }
  if (key == "brand") {
    return read_text(v, key, p.brand);
  }
  if (key == "category") {
    return read_text(v, key, p.category);
  }
  if (key == "pitch") {
    return read_text(v, key, p.pitch);
  }
  if (key == "currency") {
    auto ok = read_text(v, key, p.currency);
    if (ok) {
      if (auto why = detail::check_currency(p.currency)) {
        return bad(key, *why);
      }
    }
    return ok;
  }
  if (key == "tags") {
    return read_list(v, key, p.tags, nullptr);
  }
  if (key == "keywords") {
    return read_list(v, key, p.keywords, nullptr);
  }
  if (key == "tiers") {
    return read_list(v, key, p.tiers, detail::check_tier);
  }
  if (key == "price") {
    // Booleans are not numbers here, although nlohmann would convert them.
    if (!v.is_number()) {
      return bad(key, "expected a number");
    }
    p.price = v.get<double>();
    if (auto why = detail::check_price(p.price)) {
      return bad(key, *why);
    }
    return {};
  }
  if (key == "stock") {
    return read_integer(v, key, p.stock);
  }
  if (key == "updated_at_ms") {
    return read_integer(v, key, p.updated_at_ms);
  }
  return error{errc::invalid_argument, key + ": unknown key"};
}

}  // namespace

std::string to_json(const product& p) {
  nlohmann::ordered_json j;
  j["sku"] = p.sku;
  j["name"] = p.name;
  j["brand"] = p.brand;
  j["category"] = p.category;
  j["tags"] = p.tags;
  j["keywords"] = p.keywords;
  j["price"] = p.price;
  j["stock"] = p.stock;
  j["currency"] = p.currency;
  j["pitch"] = p.pitch;
  j["tiers"] = p.tiers;
  j["updated_at_ms"] = p.updated_at_ms;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

result<product> product_from_json(std::string_view text) {
  if (!json_nesting_within(text, max_nesting)) {
    return error{errc::invalid_argument, "nested deeper than " + std::to_string(max_nesting)};
  }
  try {
    auto j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded()) {
      return error{errc::invalid_argument, "not valid JSON"};
    }
    if (!j.is_object()) {
      return error{errc::invalid_argument, "expected a JSON object"};
    }
    product p;
    for (const auto& [key, value] : j.items()) {
      if (auto ok = read_field(key, value, p); !ok) {
        return ok.err();
      }
    }
    for (const char* required : {"sku", "name"}) {
      if (!j.contains(required)) {
        return bad(required, "required");
      }
    }
    if (p.name.empty()) {
      return bad("name", "must not be empty");
    }
    return p;
  } catch (const json::exception& e) {
    return error{errc::invalid_argument, e.what()};  // a bug here, but never an exception out
  }
}

}  // namespace sb
