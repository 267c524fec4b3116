#include "actors/user/profile_logic.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <tuple>
#include <utility>

#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include "actors/json_state_reader.hpp"
#include "runtime/json_nesting.hpp"

namespace sb {
namespace {

using json = nlohmann::json;

constexpr int state_version = 1;
constexpr size_t price_band_points = 20;
constexpr size_t summary_top = 3;
constexpr size_t summary_recent_skus = 10;
constexpr int64_t ms_per_day = 24LL * 60 * 60 * 1000;

// Keeps the newest `limit` entries of a vector sorted oldest first.
template <class T>
void keep_last(std::vector<T>& items, size_t limit) {
  if (items.size() > limit) {
    items.erase(items.begin(), items.end() - static_cast<std::ptrdiff_t>(limit));
  }
}

// Inserts after every entry with the same or an earlier time, so equal times keep arrival order.
template <class T>
void insert_by_time(std::vector<T>& items, T item) {
  auto pos = std::upper_bound(items.begin(), items.end(), item,
                              [](const T& a, const T& b) { return a.at_ms < b.at_ms; });
  items.insert(pos, std::move(item));
}

bool valid_amount(double v) {
  return std::isfinite(v) && v >= 0;
}

// Nearest-rank percentile of sorted, non-empty values.
double percentile(const std::vector<double>& sorted, size_t percent) {
  size_t rank = (percent * sorted.size() + 99) / 100;
  return sorted[std::max<size_t>(rank, 1) - 1];
}

template <class Key>
std::vector<std::string> top_by(const profile& p, size_t n, Key key) {
  // name -> (views, index of the latest view); the later index is the more recent view.
  std::map<std::string, std::pair<size_t, size_t>> seen;
  for (size_t i = 0; i < p.recent_views.size(); ++i) {
    const std::string& name = key(p.recent_views[i]);
    if (name.empty()) {
      continue;
    }
    auto& s = seen[name];
    ++s.first;
    s.second = i;
  }
  std::vector<std::pair<std::string, std::pair<size_t, size_t>>> ranked(seen.begin(), seen.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.second.first, a.second.second) >
           std::make_tuple(b.second.first, b.second.second);
  });
  std::vector<std::string> out;
  for (size_t i = 0; i < ranked.size() && i < n; ++i) {
    out.push_back(ranked[i].first);
  }
  return out;
}

using detail::json_reader;  // actors/json_state_reader.hpp

}  // namespace

// -- identities -----------------------------------------------------------------------------------

std::string normalize_phone(std::string_view number) {
  std::string s;
  for (char c : number) {
    if (c != ' ' && c != '\t' && c != '-' && c != '.' && c != '(' && c != ')') {
      s += c;
    }
  }
  auto starts = [&](std::string_view prefix) { return s.compare(0, prefix.size(), prefix) == 0; };
  if (starts("+86")) {
    s.erase(0, 3);
  } else if (starts("0086")) {
    s.erase(0, 4);
  } else if (starts("86") && s.size() == 13) {
    // 86 + an 11-digit mainland mobile number; shorter numbers may just start with 86.
    s.erase(0, 2);
  }
  const size_t first_digit = !s.empty() && s[0] == '+' ? 1 : 0;
  if (s.size() == first_digit) {
    return "";
  }
  for (size_t i = first_digit; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) {
      return "";
    }
  }
  return s;
}

std::string hash_phone(std::string_view number) {
  const std::string normalized = normalize_phone(number);
  if (normalized.empty()) {
    return "";
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(normalized.data(), normalized.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    return "";
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0x0f];
  }
  return out;
}

result<void> validate_identity(std::string_view identity) {
  auto bad = [&](const char* why) {
    return error{errc::invalid_argument, "identity '" + std::string{identity} + "': " + why};
  };
  const auto colon = identity.find(':');
  if (colon == std::string_view::npos) {
    return bad("expected channel:id");
  }
  const auto channel = identity.substr(0, colon);
  const auto id = identity.substr(colon + 1);
  if (channel != "web" && channel != "app" && channel != "wechat" && channel != "wechat_union" &&
      channel != "phone") {
    return bad("unknown channel (web, app, wechat, wechat_union, phone)");
  }
  if (id.empty()) {
    return bad("empty id");
  }
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isspace(u) || std::iscntrl(u)) {
      return bad("id contains spaces or control characters");
    }
  }
  if (channel == "phone") {
    const bool hex = id.size() == 64 && std::all_of(id.begin(), id.end(), [](char c) {
                       return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
                     });
    if (!hex) {
      return bad("a phone id must be hash_phone() of the number");
    }
  }
  return {};
}

// -- tiers ----------------------------------------------------------------------------------------

std::string_view to_string(membership_tier tier) noexcept {
  switch (tier) {
    case membership_tier::regular:
      return "regular";
    case membership_tier::silver:
      return "silver";
    case membership_tier::gold:
      return "gold";
    case membership_tier::platinum:
      return "platinum";
  }
  return "regular";
}

result<membership_tier> membership_tier_from_string(std::string_view text) {
  for (auto t : {membership_tier::regular, membership_tier::silver, membership_tier::gold,
                 membership_tier::platinum}) {
    if (text == to_string(t)) {
      return t;
    }
  }
  return error{errc::invalid_argument,
               "tier '" + std::string{text} + "' is not regular, silver, gold or platinum"};
}

// -- events ---------------------------------------------------------------------------------------

result<bool> add_identity(profile& p, std::string_view identity) {
  if (auto ok = validate_identity(identity); !ok) {
    return ok.err();
  }
  return p.identities.emplace(identity).second;
}

result<bool> apply_order_placed(profile& p, order_record order) {
  if (order.order_id.empty()) {
    return error{errc::invalid_argument, "order.placed: empty order id"};
  }
  if (!valid_amount(order.amount)) {
    return error{errc::invalid_argument,
                 "order.placed: order '" + order.order_id + "' has a bad amount"};
  }
  for (const auto& o : p.orders) {
    if (o.order_id == order.order_id) {
      return false;
    }
  }
  auto pos = std::upper_bound(
      p.orders.begin(), p.orders.end(), order,
      [](const order_record& a, const order_record& b) { return a.placed_at_ms < b.placed_at_ms; });
  p.orders.insert(pos, std::move(order));
  return true;
}

result<bool> apply_order_paid(profile& p, std::string_view order_id) {
  for (auto& o : p.orders) {
    if (o.order_id == order_id) {
      const bool changed = !o.paid;
      o.paid = true;
      return changed;
    }
  }
  return error{errc::not_found, "order.paid: unknown order '" + std::string{order_id} + "'"};
}

result<void> apply_product_viewed(profile& p, product_view view) {
  if (view.sku.empty()) {
    return error{errc::invalid_argument, "product.viewed: empty sku"};
  }
  if (!valid_amount(view.price)) {
    return error{errc::invalid_argument, "product.viewed: sku '" + view.sku + "' has a bad price"};
  }
  insert_by_time(p.recent_views, std::move(view));
  keep_last(p.recent_views, max_recent_views);
  return {};
}

result<void> apply_recommendation_clicked(profile& p, std::string sku, int64_t at_ms) {
  if (sku.empty()) {
    return error{errc::invalid_argument, "recommendation.clicked: empty sku"};
  }
  ++p.recommendation_clicks;
  insert_by_time(p.recent_clicks, recommendation_click{std::move(sku), at_ms});
  keep_last(p.recent_clicks, max_recent_clicks);
  return {};
}

result<void> apply_csat(profile& p, std::string conversation_id, int score, int64_t at_ms) {
  if (conversation_id.empty()) {
    return error{errc::invalid_argument, "csat.rated: empty conversation id"};
  }
  if (score < 1 || score > 5) {
    return error{errc::invalid_argument,
                 "csat.rated: score " + std::to_string(score) + " not in 1..5"};
  }
  p.csat.erase(
      std::remove_if(p.csat.begin(), p.csat.end(),
                     [&](const csat_rating& r) { return r.conversation_id == conversation_id; }),
      p.csat.end());
  insert_by_time(p.csat, csat_rating{std::move(conversation_id), score, at_ms});
  keep_last(p.csat, max_csat_ratings);
  return {};
}

void note_contact(profile& p, std::string_view channel, int64_t now_ms) {
  auto [it, added] = p.last_contact_ms.emplace(std::string{channel}, now_ms);
  if (!added) {
    it->second = std::max(it->second, now_ms);
  }
}

void note_price_objection(profile& p) {
  ++p.price_objections;
}

void merge(profile& into, const profile& other) {
  if (&into == &other) {
    return;  // one person already; iterating `other` while growing `into` would also be unsafe
  }
  if (into.user_id.empty()) {
    into.user_id = other.user_id;
  }
  into.identities.insert(other.identities.begin(), other.identities.end());
  into.tags.insert(other.tags.begin(), other.tags.end());
  into.tier = std::max(into.tier, other.tier);
  if (into.created_at_ms == 0 ||
      (other.created_at_ms != 0 && other.created_at_ms < into.created_at_ms)) {
    into.created_at_ms = other.created_at_ms;
  }
  for (const auto& [channel, at] : other.last_contact_ms) {
    note_contact(into, channel, at);
  }
  into.price_objections += other.price_objections;
  into.recommendation_clicks += other.recommendation_clicks;

  for (const auto& o : other.orders) {
    auto mine = std::find_if(into.orders.begin(), into.orders.end(),
                             [&](const order_record& x) { return x.order_id == o.order_id; });
    if (mine == into.orders.end()) {
      (void)apply_order_placed(into, o);  // valid: it was valid in `other`
    } else {
      mine->paid = mine->paid || o.paid;
      mine->coupon_used = mine->coupon_used || o.coupon_used;
    }
  }
  for (const auto& v : other.recent_views) {
    // The same sku at the same instant is the same view, seen from both sides.
    const bool dup =
        std::any_of(into.recent_views.begin(), into.recent_views.end(),
                    [&](const product_view& x) { return x.sku == v.sku && x.at_ms == v.at_ms; });
    if (!dup) {
      insert_by_time(into.recent_views, v);
    }
  }
  keep_last(into.recent_views, max_recent_views);
  for (const auto& c : other.recent_clicks) {
    const bool dup = std::any_of(
        into.recent_clicks.begin(), into.recent_clicks.end(),
        [&](const recommendation_click& x) { return x.sku == c.sku && x.at_ms == c.at_ms; });
    if (!dup) {
      insert_by_time(into.recent_clicks, c);
    }
  }
  keep_last(into.recent_clicks, max_recent_clicks);
  for (const auto& r : other.csat) {
    auto mine = std::find_if(into.csat.begin(), into.csat.end(), [&](const csat_rating& x) {
      return x.conversation_id == r.conversation_id;
    });
    if (mine == into.csat.end()) {
      insert_by_time(into.csat, r);
    } else if (r.at_ms > mine->at_ms) {
      // The later rating of a conversation is the one that stands, as in apply_csat().
      into.csat.erase(mine);
      insert_by_time(into.csat, r);
    }
  }
  keep_last(into.csat, max_csat_ratings);
}

// -- derived views --------------------------------------------------------------------------------

std::string main_currency(const profile& p) {
  std::map<std::string, std::pair<size_t, int64_t>> seen;  // currency -> (count, latest time)
  auto count = [&](const std::string& currency, int64_t at) {
    auto& s = seen[currency];
    ++s.first;
    s.second = std::max(s.second, at);
  };
  for (const auto& o : p.orders) {
    count(o.currency, o.placed_at_ms);
  }
  for (const auto& v : p.recent_views) {
    if (v.price > 0) {
      count(v.currency, v.at_ms);
    }
  }
  std::string best;
  std::pair<size_t, int64_t> best_score{0, std::numeric_limits<int64_t>::min()};
  for (const auto& [currency, score] : seen) {
    if (score > best_score) {
      best = currency;
      best_score = score;
    }
  }
  return best;
}

std::optional<price_band> price_band_of(const profile& p) {
  const std::string currency = main_currency(p);
  std::vector<std::pair<int64_t, double>> points;  // (time, price)
  for (const auto& o : p.orders) {
    if (o.currency != currency) {
      continue;
    }
    points.emplace_back(o.placed_at_ms,
                        o.amount / static_cast<double>(std::max<size_t>(1, o.skus.size())));
  }
  for (const auto& v : p.recent_views) {
    if (v.price > 0 && v.currency == currency) {
      points.emplace_back(v.at_ms, v.price);
    }
  }
  if (points.empty()) {
    return std::nullopt;
  }
  std::stable_sort(points.begin(), points.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  keep_last(points, price_band_points);
  std::vector<double> prices;
  prices.reserve(points.size());
  for (const auto& pt : points) {
    prices.push_back(pt.second);
  }
  std::sort(prices.begin(), prices.end());
  return price_band{percentile(prices, 25), percentile(prices, 75), currency};
}

profile_flags flags_of(const profile& p) {
  profile_flags f;
  const auto coupon_orders = std::count_if(p.orders.begin(), p.orders.end(),
                                           [](const order_record& o) { return o.coupon_used; });
  f.price_sensitive = p.price_objections >= 2 || coupon_orders >= 2;
  f.low_satisfaction = !p.csat.empty() && p.csat.back().score <= 2;
  return f;
}

std::vector<std::string> top_brands(const profile& p, size_t n) {
  return top_by(p, n, [](const product_view& v) -> const std::string& { return v.brand; });
}

std::vector<std::string> top_categories(const profile& p, size_t n) {
  return top_by(p, n, [](const product_view& v) -> const std::string& { return v.category; });
}

profile_summary summarize(const profile& p, int64_t now_ms) {
  profile_summary s;
  s.user_id = p.user_id;
  s.tier = p.tier;
  s.order_count = p.orders.size();
  s.currency = main_currency(p);
  int64_t last_order = std::numeric_limits<int64_t>::min();
  for (const auto& o : p.orders) {
    if (o.paid && o.currency == s.currency) {
      s.total_spend += o.amount;
    }
    last_order = std::max(last_order, o.placed_at_ms);
  }
  if (!p.orders.empty()) {
    s.days_since_last_order = std::max<int64_t>(0, now_ms - last_order) / ms_per_day;
  }
  s.top_brands = top_brands(p, summary_top);
  s.top_categories = top_categories(p, summary_top);
  s.band = price_band_of(p);
  s.flags = flags_of(p);
  for (auto v = p.recent_views.rbegin();
       v != p.recent_views.rend() && s.recent_skus.size() < summary_recent_skus; ++v) {
    if (std::find(s.recent_skus.begin(), s.recent_skus.end(), v->sku) == s.recent_skus.end()) {
      s.recent_skus.push_back(v->sku);
    }
  }
  return s;
}

// -- persistence ----------------------------------------------------------------------------------

std::string to_json(const profile& p) {
  json orders = json::array();
  for (const auto& o : p.orders) {
    orders.push_back(json{{"order_id", o.order_id},
                          {"amount", o.amount},
                          {"currency", o.currency},
                          {"skus", o.skus},
                          {"placed_at_ms", o.placed_at_ms},
                          {"paid", o.paid},
                          {"coupon_used", o.coupon_used}});
  }
  json views = json::array();
  for (const auto& v : p.recent_views) {
    views.push_back(json{{"sku", v.sku},
                         {"brand", v.brand},
                         {"category", v.category},
                         {"price", v.price},
                         {"currency", v.currency},
                         {"at_ms", v.at_ms}});
  }
  json clicks = json::array();
  for (const auto& c : p.recent_clicks) {
    clicks.push_back(json{{"sku", c.sku}, {"at_ms", c.at_ms}});
  }
  json csat = json::array();
  for (const auto& r : p.csat) {
    csat.push_back(
        json{{"conversation_id", r.conversation_id}, {"score", r.score}, {"at_ms", r.at_ms}});
  }
  json out{{"version", state_version},
           {"user_id", p.user_id},
           {"identities", p.identities},
           {"tier", to_string(p.tier)},
           {"orders", std::move(orders)},
           {"recent_views", std::move(views)},
           {"tags", p.tags},
           {"price_objections", p.price_objections},
           {"recommendation_clicks", p.recommendation_clicks},
           {"recent_clicks", std::move(clicks)},
           {"csat", std::move(csat)},
           {"last_contact_ms", p.last_contact_ms},
           {"created_at_ms", p.created_at_ms}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

result<profile> profile_from_json(std::string_view text) {
  auto malformed = [](const std::string& what) {
    return error{errc::decode_malformed, "profile: " + what};
  };
  if (!json_nesting_within(text, 32)) {
    return malformed("nested deeper than 32");
  }
  const json root = json::parse(text, nullptr, false);
  if (root.is_discarded()) {
    return malformed("not valid JSON");
  }
  if (!root.is_object()) {
    return malformed("expected an object");
  }
  json_reader in;
  profile p;
  int64_t version = state_version;
  std::string tier = "regular";
  if (!in.read(root, "", "version", version)) {
    return malformed(in.error());
  }
  if (version > state_version) {
    return error{errc::decode_incompatible, "profile: version " + std::to_string(version) +
                                                " is newer than " + std::to_string(state_version)};
  }
  bool ok = in.read(root, "", "user_id", p.user_id) &&
            in.read_strings(root, "", "identities", p.identities) &&
            in.read(root, "", "tier", tier) && in.read_strings(root, "", "tags", p.tags) &&
            in.read(root, "", "price_objections", p.price_objections) &&
            in.read(root, "", "recommendation_clicks", p.recommendation_clicks) &&
            in.read(root, "", "created_at_ms", p.created_at_ms);
  ok = ok && in.each_object(root, "orders", [&](const json& j, const std::string& where) {
    order_record o;
    if (!(in.read(j, where, "order_id", o.order_id) && in.read(j, where, "amount", o.amount) &&
          in.read(j, where, "currency", o.currency) && in.read_strings(j, where, "skus", o.skus) &&
          in.read(j, where, "placed_at_ms", o.placed_at_ms) && in.read(j, where, "paid", o.paid) &&
          in.read(j, where, "coupon_used", o.coupon_used))) {
      return false;
    }
    auto added = apply_order_placed(p, std::move(o));
    if (!added) {
      return in.fail(where, added.err().message);
    }
    return *added || in.fail(where, "duplicate order id");
  });
  ok = ok && in.each_object(root, "recent_views", [&](const json& j, const std::string& where) {
    product_view v;
    if (!(in.read(j, where, "sku", v.sku) && in.read(j, where, "brand", v.brand) &&
          in.read(j, where, "category", v.category) && in.read(j, where, "price", v.price) &&
          in.read(j, where, "currency", v.currency) && in.read(j, where, "at_ms", v.at_ms))) {
      return false;
    }
    auto r = apply_product_viewed(p, std::move(v));
    return r.ok() || in.fail(where, r.err().message);
  });
  ok = ok && in.each_object(root, "recent_clicks", [&](const json& j, const std::string& where) {
    recommendation_click c;
    if (!(in.read(j, where, "sku", c.sku) && in.read(j, where, "at_ms", c.at_ms))) {
      return false;
    }
    if (c.sku.empty()) {
      return in.fail(where, "empty sku");
    }
    insert_by_time(p.recent_clicks, std::move(c));
    return true;
  });
  ok = ok && in.each_object(root, "csat", [&](const json& j, const std::string& where) {
    csat_rating r;
    if (!(in.read(j, where, "conversation_id", r.conversation_id) &&
          in.read(j, where, "score", r.score) && in.read(j, where, "at_ms", r.at_ms))) {
      return false;
    }
    auto applied = apply_csat(p, std::move(r.conversation_id), r.score, r.at_ms);
    return applied.ok() || in.fail(where, applied.err().message);
  });
  if (ok) {
    if (const json* contacts = json_reader::find(root, "last_contact_ms"); contacts != nullptr) {
      if (!contacts->is_object()) {
        ok = in.fail("last_contact_ms", "expected an object");
      } else {
        for (const auto& [channel, at] : contacts->items()) {
          int64_t ms = 0;
          if (!in.integer(at, "last_contact_ms." + channel, ms)) {
            ok = false;
            break;
          }
          p.last_contact_ms[channel] = ms;
        }
      }
    }
  }
  if (!ok) {
    return malformed(in.error());
  }
  for (const auto& identity : p.identities) {
    if (auto valid = validate_identity(identity); !valid) {
      return malformed(valid.err().message);
    }
  }
  auto t = membership_tier_from_string(tier);
  if (!t) {
    return malformed("tier: " + t.err().message);
  }
  p.tier = *t;
  keep_last(p.recent_clicks, max_recent_clicks);
  return p;
}

}  // namespace sb
