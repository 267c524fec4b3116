// One profile per person: identities, events, merging two profiles, the summary and persistence.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "actors/user/profile_logic.hpp"

namespace {

using namespace sb;

constexpr int64_t day = 24LL * 60 * 60 * 1000;

order_record order(std::string id, double amount, int64_t at_ms,
                   std::vector<std::string> skus = {"s"}, bool paid = false,
                   std::string currency = "CNY") {
  order_record o;
  o.order_id = std::move(id);
  o.amount = amount;
  o.currency = std::move(currency);
  o.skus = std::move(skus);
  o.placed_at_ms = at_ms;
  o.paid = paid;
  return o;
}

product_view view(std::string sku, int64_t at_ms, std::string brand = "", std::string category = "",
                  double price = 0) {
  return product_view{std::move(sku), std::move(brand), std::move(category), price, "CNY", at_ms};
}

std::vector<std::string> order_ids(const profile& p) {
  std::vector<std::string> ids;
  for (const auto& o : p.orders) {
    ids.push_back(o.order_id);
  }
  return ids;
}

std::vector<std::string> view_skus(const profile& p) {
  std::vector<std::string> skus;
  for (const auto& v : p.recent_views) {
    skus.push_back(v.sku);
  }
  return skus;
}

}  // namespace

TEST_CASE("phone numbers in any common spelling hash alike") {
  const std::string expected = "a6942f9771d67f34034d2f1926988ed3fad3bf1b4e7cedb9a31f31398dea43bc";
  CHECK(hash_phone("13800138000") == expected);
  CHECK(hash_phone("+86 138-0013-8000") == expected);
  CHECK(hash_phone("0086 138 0013 8000") == expected);
  CHECK(hash_phone("8613800138000") == expected);
  CHECK(hash_phone("(138) 0013.8000") == expected);
  CHECK(normalize_phone("+86 138-0013-8000") == "13800138000");
  // Numbers outside mainland China keep their country code and plus sign.
  CHECK(normalize_phone("+1 415-555-0123") == "+14155550123");
  CHECK(hash_phone("+1 415-555-0123") ==
        "36a2cef4ff9bf7a1abd2a93359136b870393be4106e6c5d19b72ff564f9deca4");
  // A short number that merely starts with 86 keeps it.
  CHECK(normalize_phone("86123") == "86123");
  CHECK(hash_phone("") == "");
  CHECK(hash_phone("+86") == "");
  CHECK(hash_phone("call me") == "");
  CHECK(hash_phone("138x0013") == "");
}

TEST_CASE("identities must name a known channel and a clean id") {
  CHECK(validate_identity("web:v-1001").ok());
  CHECK(validate_identity("app:u-42").ok());
  CHECK(validate_identity("wechat:oXYZ_123").ok());
  CHECK(validate_identity("wechat_union:uABC").ok());
  CHECK(validate_identity("phone:" + hash_phone("13800138000")).ok());
  for (const char* bad :
       {"", "web", "web:", "email:a@b.c", "web:a b", "phone:13800138000",
        "phone:A6942F9771D67F34034D2F1926988ED3FAD3BF1B4E7CEDB9A31F31398DEA43BC"}) {
    auto r = validate_identity(bad);
    CHECK_MESSAGE(!r.ok(), bad);
    if (!r.ok()) {
      CHECK(r.err().code == errc::invalid_argument);
    }
  }
  profile p;
  CHECK(*add_identity(p, "web:v-1") == true);
  CHECK(*add_identity(p, "web:v-1") == false);
  CHECK_FALSE(add_identity(p, "fax:123").ok());
  CHECK(p.identities.size() == 1);
}

TEST_CASE("membership tier names round-trip and unknown ones are refused") {
  for (auto t : {membership_tier::regular, membership_tier::silver, membership_tier::gold,
                 membership_tier::platinum}) {
    auto parsed = membership_tier_from_string(to_string(t));
    REQUIRE(parsed.ok());
    CHECK(*parsed == t);
  }
  CHECK_FALSE(membership_tier_from_string("diamond").ok());
}

TEST_CASE("an order placed twice is recorded once and orders stay in time order") {
  profile p;
  CHECK(*apply_order_placed(p, order("o2", 200, 2000)) == true);
  CHECK(*apply_order_placed(p, order("o1", 100, 1000)) == true);
  CHECK(*apply_order_placed(p, order("o2", 999, 5000)) == false);
  CHECK(order_ids(p) == std::vector<std::string>{"o1", "o2"});
  CHECK(p.orders[1].amount == 200);

  auto no_id = apply_order_placed(p, order("", 1, 1));
  REQUIRE_FALSE(no_id.ok());
  CHECK(no_id.err().code == errc::invalid_argument);
  CHECK_FALSE(apply_order_placed(p, order("o3", -5, 1)).ok());
}

TEST_CASE("an order is marked paid once and an unknown order is not found") {
  profile p;
  REQUIRE(*apply_order_placed(p, order("o1", 100, 1000)));
  CHECK(*apply_order_paid(p, "o1") == true);
  CHECK(*apply_order_paid(p, "o1") == false);
  CHECK(p.orders[0].paid);
  auto unknown = apply_order_paid(p, "o9");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.err().code == errc::not_found);
}

TEST_CASE("product views are kept in time order and bounded to the last fifty") {
  profile p;
  for (int i = 0; i < 60; ++i) {
    REQUIRE(apply_product_viewed(p, view("s" + std::to_string(i), 1000 + i)).ok());
  }
  REQUIRE(p.recent_views.size() == max_recent_views);
  CHECK(p.recent_views.front().sku == "s10");
  CHECK(p.recent_views.back().sku == "s59");
  // A late event lands in its place; older than everything kept, it is dropped at once.
  REQUIRE(apply_product_viewed(p, view("late", 1030)).ok());
  CHECK(p.recent_views.front().sku == "s11");
  CHECK(p.recent_views[19].sku == "s30");
  CHECK(p.recent_views[20].sku == "late");  // after s30, the earlier view of the same instant
  CHECK(p.recent_views[21].sku == "s31");
  REQUIRE(apply_product_viewed(p, view("ancient", 1)).ok());
  CHECK(p.recent_views.front().sku == "s11");

  CHECK_FALSE(apply_product_viewed(p, view("", 1)).ok());
  CHECK_FALSE(apply_product_viewed(p, view("s", 1, "", "", -1)).ok());
}

TEST_CASE("recommendation clicks are counted and the recent ones kept") {
  profile p;
  for (int i = 0; i < 55; ++i) {
    REQUIRE(apply_recommendation_clicked(p, "s" + std::to_string(i), i).ok());
  }
  CHECK(p.recommendation_clicks == 55);
  CHECK(p.recent_clicks.size() == max_recent_clicks);
  CHECK(p.recent_clicks.front().sku == "s5");
  CHECK_FALSE(apply_recommendation_clicked(p, "", 1).ok());
}

TEST_CASE("a conversation's second rating replaces its first and bad scores are refused") {
  profile p;
  REQUIRE(apply_csat(p, "c1", 2, 100).ok());
  CHECK(flags_of(p).low_satisfaction);
  REQUIRE(apply_csat(p, "c1", 5, 200).ok());
  REQUIRE(p.csat.size() == 1);
  CHECK(p.csat[0].score == 5);
  CHECK_FALSE(flags_of(p).low_satisfaction);
  CHECK_FALSE(apply_csat(p, "c2", 0, 1).ok());
  CHECK_FALSE(apply_csat(p, "c2", 6, 1).ok());
  CHECK_FALSE(apply_csat(p, "", 3, 1).ok());
}

TEST_CASE("price sensitivity comes from two objections or two coupon orders") {
  profile p;
  note_price_objection(p);
  CHECK_FALSE(flags_of(p).price_sensitive);
  note_price_objection(p);
  CHECK(flags_of(p).price_sensitive);

  profile q;
  auto coupon = order("o1", 50, 1);
  coupon.coupon_used = true;
  REQUIRE(*apply_order_placed(q, coupon));
  CHECK_FALSE(flags_of(q).price_sensitive);
  coupon.order_id = "o2";
  REQUIRE(*apply_order_placed(q, coupon));
  CHECK(flags_of(q).price_sensitive);
}

TEST_CASE("the last contact per channel only moves forward") {
  profile p;
  note_contact(p, "web", 500);
  note_contact(p, "web", 300);
  note_contact(p, "wechat", 100);
  CHECK(p.last_contact_ms.at("web") == 500);
  CHECK(p.last_contact_ms.at("wechat") == 100);
}

TEST_CASE("merging two profiles keeps the history of both sides") {
  profile web;
  web.user_id = "u-web";
  web.created_at_ms = 5000;
  web.tier = membership_tier::silver;
  web.tags = {"newsletter"};
  REQUIRE(*add_identity(web, "web:v-1"));
  REQUIRE(*apply_order_placed(web, order("o1", 100, 1000)));
  REQUIRE(*apply_order_placed(web, order("shared", 300, 3000)));
  REQUIRE(apply_product_viewed(web, view("w1", 1100, "Acme", "shoes")).ok());
  REQUIRE(apply_product_viewed(web, view("both", 2500, "Acme", "shoes")).ok());
  REQUIRE(apply_recommendation_clicked(web, "w1", 1200).ok());
  REQUIRE(apply_csat(web, "c-web", 4, 1300).ok());
  REQUIRE(apply_csat(web, "c-both", 1, 1400).ok());
  note_price_objection(web);
  note_contact(web, "web", 9000);

  profile wechat;
  wechat.user_id = "u-wechat";
  wechat.created_at_ms = 2000;
  wechat.tier = membership_tier::gold;
  wechat.tags = {"vip_event"};
  REQUIRE(*add_identity(wechat, "wechat:oX"));
  REQUIRE(*add_identity(wechat, "wechat_union:uX"));
  REQUIRE(*apply_order_placed(wechat, order("shared", 300, 3000, {"s"}, true)));
  REQUIRE(*apply_order_placed(wechat, order("o2", 200, 2000)));
  REQUIRE(apply_product_viewed(wechat, view("x1", 1500, "Bolt", "bags")).ok());
  REQUIRE(apply_product_viewed(wechat, view("both", 2500, "Acme", "shoes")).ok());
  REQUIRE(apply_recommendation_clicked(wechat, "x1", 1600).ok());
  REQUIRE(apply_csat(wechat, "c-both", 5, 1700).ok());
  note_price_objection(wechat);
  note_contact(wechat, "wechat", 8000);
  note_contact(wechat, "web", 7000);

  merge(web, wechat);

  CHECK(web.user_id == "u-web");
  CHECK(web.identities == std::set<std::string>{"web:v-1", "wechat:oX", "wechat_union:uX"});
  CHECK(web.tags == std::set<std::string>{"newsletter", "vip_event"});
  CHECK(web.tier == membership_tier::gold);
  CHECK(web.created_at_ms == 2000);
  CHECK(order_ids(web) == std::vector<std::string>{"o1", "o2", "shared"});
  CHECK(web.orders[2].paid);  // paid on the WeChat side
  // The view seen from both sides (same sku, same instant) counts once.
  CHECK(view_skus(web) == std::vector<std::string>{"w1", "x1", "both"});
  CHECK(web.recent_clicks.size() == 2);
  CHECK(web.recommendation_clicks == 2);
  CHECK(web.price_objections == 2);
  CHECK(flags_of(web).price_sensitive);
  REQUIRE(web.csat.size() == 2);
  CHECK(web.csat.back().conversation_id == "c-both");
  CHECK(web.csat.back().score == 5);  // the later rating stands
  CHECK(web.last_contact_ms.at("web") == 9000);
  CHECK(web.last_contact_ms.at("wechat") == 8000);
}

TEST_CASE("merging re-bounds the views to the newest fifty of both sides") {
  profile a;
  profile b;
  for (int64_t i = 0; i < 40; ++i) {
    REQUIRE(apply_product_viewed(a, view("a" + std::to_string(i), 2 * i)).ok());
    REQUIRE(apply_product_viewed(b, view("b" + std::to_string(i), 2 * i + 1)).ok());
  }
  merge(a, b);
  REQUIRE(a.recent_views.size() == max_recent_views);
  // 80 views at times 0..79; the newest 50 are times 30..79.
  CHECK(a.recent_views.front().at_ms == 30);
  CHECK(a.recent_views.front().sku == "a15");
  CHECK(a.recent_views.back().sku == "b39");
  for (size_t i = 1; i < a.recent_views.size(); ++i) {
    CHECK(a.recent_views[i - 1].at_ms < a.recent_views[i].at_ms);
  }
}

TEST_CASE("merging into an empty profile takes everything of the other") {
  profile empty;
  profile other;
  other.user_id = "u-1";
  other.created_at_ms = 42;
  REQUIRE(*apply_order_placed(other, order("o1", 10, 1)));
  merge(empty, other);
  CHECK(empty.user_id == "u-1");
  CHECK(empty.created_at_ms == 42);
  CHECK(order_ids(empty) == std::vector<std::string>{"o1"});

  // Merging a profile with itself changes nothing.
  merge(empty, empty);
  CHECK(order_ids(empty) == std::vector<std::string>{"o1"});
}

TEST_CASE("top brands and categories rank by views, then by the latest view") {
  profile p;
  REQUIRE(apply_product_viewed(p, view("1", 1, "Acme", "shoes")).ok());
  REQUIRE(apply_product_viewed(p, view("2", 2, "Bolt", "bags")).ok());
  REQUIRE(apply_product_viewed(p, view("3", 3, "Acme", "bags")).ok());
  REQUIRE(apply_product_viewed(p, view("4", 4, "Cora", "")).ok());
  REQUIRE(apply_product_viewed(p, view("5", 5, "Dune", "hats")).ok());
  // Acme 2 views; Bolt, Cora, Dune 1 each, Dune the latest.
  CHECK(top_brands(p, 3) == std::vector<std::string>{"Acme", "Dune", "Cora"});
  CHECK(top_categories(p, 3) == std::vector<std::string>{"bags", "hats", "shoes"});
  CHECK(top_brands(p, 10).size() == 4);
}

TEST_CASE("the price band spans the middle half of recent prices in the main currency") {
  profile p;
  CHECK_FALSE(price_band_of(p).has_value());
  // Price points: orders give their average item price, views their price.
  REQUIRE(*apply_order_placed(p, order("o1", 300, 1000, {"a", "b", "c"})));  // 100
  REQUIRE(*apply_order_placed(p, order("o2", 400, 2000)));                   // 400
  REQUIRE(apply_product_viewed(p, view("v1", 1500, "", "", 200)).ok());
  REQUIRE(apply_product_viewed(p, view("v2", 2500, "", "", 300)).ok());
  REQUIRE(apply_product_viewed(p, view("v3", 2600)).ok());  // no price: not a point
  REQUIRE(*apply_order_placed(p, order("usd", 9999, 3000, {"x"}, true, "USD")));  // other currency
  // Sorted 100, 200, 300, 400: p25 rank 1 -> 100, p75 rank 3 -> 300.
  auto band = price_band_of(p);
  REQUIRE(band.has_value());
  CHECK(band->currency == "CNY");
  CHECK(band->low == doctest::Approx(100));
  CHECK(band->high == doctest::Approx(300));
}

TEST_CASE("the summary gives the compact view a conversation needs") {
  profile p;
  p.user_id = "u-1";
  p.tier = membership_tier::gold;
  REQUIRE(*apply_order_placed(p, order("o1", 120, 1 * day, {"a"}, true)));
  REQUIRE(*apply_order_placed(p, order("o2", 80, 3 * day, {"b"}, true)));
  REQUIRE(*apply_order_placed(p, order("o3", 500, 4 * day + 1000, {"c"}, false)));  // unpaid
  REQUIRE(apply_product_viewed(p, view("k1", 10, "Acme", "shoes", 100)).ok());
  REQUIRE(apply_product_viewed(p, view("k2", 20, "Bolt", "bags", 200)).ok());
  REQUIRE(apply_product_viewed(p, view("k1", 30, "Acme", "shoes", 100)).ok());
  note_price_objection(p);
  note_price_objection(p);

  auto s = summarize(p, 10 * day + 5000);
  CHECK(s.user_id == "u-1");
  CHECK(s.tier == membership_tier::gold);
  CHECK(s.order_count == 3);
  CHECK(s.total_spend == doctest::Approx(200));
  CHECK(s.currency == "CNY");
  CHECK(s.days_since_last_order == 6);  // 6 days and 4 seconds
  CHECK(s.top_brands == std::vector<std::string>{"Acme", "Bolt"});
  CHECK(s.top_categories == std::vector<std::string>{"shoes", "bags"});
  CHECK(s.recent_skus == std::vector<std::string>{"k1", "k2"});
  // Points 100, 200, 100 (views), 120, 80, 500 (orders): sorted 80 100 100 120 200 500.
  REQUIRE(s.band.has_value());
  CHECK(s.band->low == doctest::Approx(100));   // rank ceil(1.5) = 2
  CHECK(s.band->high == doctest::Approx(200));  // rank ceil(4.5) = 5
  CHECK(s.flags.price_sensitive);
  CHECK_FALSE(s.flags.low_satisfaction);

  auto fresh = summarize(profile{}, 1000);
  CHECK(fresh.order_count == 0);
  CHECK(fresh.days_since_last_order == -1);
  CHECK(fresh.total_spend == 0);
  CHECK_FALSE(fresh.band.has_value());
  CHECK(fresh.recent_skus.empty());
}

TEST_CASE("a profile survives a round trip through JSON") {
  profile p;
  p.user_id = "u-1";
  p.tier = membership_tier::platinum;
  p.created_at_ms = 77;
  p.tags = {"vip"};
  REQUIRE(*add_identity(p, "web:v-1"));
  REQUIRE(*add_identity(p, "phone:" + hash_phone("13800138000")));
  auto o = order("o1", 99.5, 1000, {"a", "b"}, true);
  o.coupon_used = true;
  REQUIRE(*apply_order_placed(p, o));
  REQUIRE(apply_product_viewed(p, view("k1", 10, "Acme", "shoes", 100)).ok());
  REQUIRE(apply_recommendation_clicked(p, "k1", 20).ok());
  REQUIRE(apply_csat(p, "c1", 4, 30).ok());
  note_price_objection(p);
  note_contact(p, "wechat", 40);

  const std::string text = to_json(p);
  auto back = profile_from_json(text);
  REQUIRE_MESSAGE(back.ok(), back.err().to_string());
  CHECK(to_json(*back) == text);
  CHECK(back->orders[0].coupon_used);
  CHECK(back->orders[0].amount == doctest::Approx(99.5));
  CHECK(back->identities == p.identities);
  CHECK(back->last_contact_ms.at("wechat") == 40);
}

TEST_CASE("a damaged or newer profile is refused with an error naming the field") {
  auto refused = [](const std::string& text) {
    auto r = profile_from_json(text);
    REQUIRE_FALSE(r.ok());
    return r.err();
  };
  CHECK(refused("{").code == errc::decode_malformed);
  CHECK(refused("42").code == errc::decode_malformed);
  CHECK(refused(R"({"version": 2})").code == errc::decode_incompatible);
  CHECK(refused(R"({"tier": "diamond"})").code == errc::decode_malformed);
  CHECK(refused(R"({"identities": ["fax:1"]})").code == errc::decode_malformed);
  CHECK(refused(R"({"orders": [{"order_id": "o1"}, {"order_id": "o1"}]})").code ==
        errc::decode_malformed);
  auto typed = refused(R"({"orders": [{"order_id": "o1", "amount": "cheap"}]})");
  CHECK(typed.code == errc::decode_malformed);
  CHECK(typed.message.find("orders[0].amount") != std::string::npos);
  CHECK(
      refused(R"({"last_contact_ms": {"web": "yesterday"}})").message.find("last_contact_ms.web") !=
      std::string::npos);
  CHECK(refused(R"({"csat": [{"conversation_id": "c1", "score": 9}]})").code ==
        errc::decode_malformed);

  auto lenient = profile_from_json(R"({"user_id": "u-1", "future_field": true})");
  REQUIRE(lenient.ok());
  CHECK(lenient->user_id == "u-1");
  CHECK(lenient->tier == membership_tier::regular);
}
