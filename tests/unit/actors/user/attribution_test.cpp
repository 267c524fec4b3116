#include "actors/user/attribution.hpp"

#include <doctest/doctest.h>

namespace {

using namespace sb::attribution;
using sb::schemas::touchpoint;

constexpr int64_t day = 86'400'000;

touchpoint reco(int64_t at, std::vector<std::string> skus, std::string experiment = "",
                std::string variant = "") {
  touchpoint t;
  t.kind = "recommendation";
  t.at_ms = at;
  t.skus = std::move(skus);
  t.experiment = std::move(experiment);
  t.variant = std::move(variant);
  t.channel = "web";
  t.conversation_id = "web:v-1#1";
  return t;
}

touchpoint coupon(int64_t at, std::string code, std::string campaign = "consult") {
  touchpoint t;
  t.kind = "coupon";
  t.at_ms = at;
  t.code = std::move(code);
  t.campaign = std::move(campaign);
  t.channel = "wechat";
  return t;
}

sb::schemas::business_event order(int64_t at, std::vector<std::string> skus) {
  sb::schemas::business_event ev;
  ev.type = "order.placed";
  ev.order_id = "O-1";
  ev.amount = 399;
  ev.at_ms = at;
  ev.skus = std::move(skus);
  return ev;
}

}  // namespace

TEST_CASE("an order is attributed to the latest recommendation of a product it contains") {
  std::vector<touchpoint> tps;
  add_touchpoint(tps, reco(1 * day, {"A", "B"}));
  add_touchpoint(tps, reco(2 * day, {"C"}));
  add_touchpoint(tps, reco(3 * day, {"B"}));
  auto out = attribute(tps, order(4 * day, {"B"}), "web:v-1", 7 * day);
  CHECK(out.attribution.recommended_sku == "B");
  CHECK(out.attribution.channel == "web");
  CHECK(out.attribution.order_id == "O-1");
  CHECK(out.attribution.amount == 399);
  CHECK(out.attribution.coupon_code.empty());
}

TEST_CASE("nothing outside the attribution window or after the order counts") {
  std::vector<touchpoint> tps;
  add_touchpoint(tps, reco(0, {"A"}));
  add_touchpoint(tps, coupon(20 * day, "LATE"));
  auto out = attribute(tps, order(8 * day, {"A"}), "web:v-1", 7 * day);
  CHECK(out.attribution.recommended_sku.empty());
  CHECK(out.attribution.coupon_code.empty());
}

TEST_CASE("an order is attributed to the latest coupon and converts each experiment once") {
  std::vector<touchpoint> tps;
  add_touchpoint(tps, reco(1 * day, {"A"}, "pitch", "award"));
  add_touchpoint(tps, coupon(2 * day, "C-1"));
  auto c2 = coupon(3 * day, "C-2", "winback");
  c2.experiment = "copy";
  c2.variant = "urgent";
  add_touchpoint(tps, c2);
  auto out = attribute(tps, order(4 * day, {"A"}), "web:v-1", 7 * day);
  CHECK(out.attribution.coupon_code == "C-2");
  CHECK(out.attribution.campaign == "winback");
  CHECK(out.attribution.experiment == "copy");
  CHECK(out.attribution.variant == "urgent");
  CHECK(out.conversions.size() == 2);
  tps[out.conversions[0]].converted = true;
  tps[out.conversions[1]].converted = true;
  CHECK(attribute(tps, order(5 * day, {"A"}), "web:v-1", 7 * day).conversions.empty());
}

TEST_CASE("a click belongs to the latest recommendation of that product, once") {
  std::vector<touchpoint> tps;
  add_touchpoint(tps, reco(1 * day, {"A"}));
  add_touchpoint(tps, reco(2 * day, {"A", "B"}));
  auto i = click_target(tps, "A", 2 * day + 5, 7 * day);
  REQUIRE(i.has_value());
  CHECK(tps[*i].at_ms == 2 * day);
  tps[*i].clicked = true;
  auto j = click_target(tps, "A", 2 * day + 5, 7 * day);
  REQUIRE(j.has_value());
  CHECK(tps[*j].at_ms == 1 * day);
  CHECK_FALSE(click_target(tps, "Z", 2 * day, 7 * day).has_value());
  CHECK_FALSE(click_target(tps, "B", 10 * day, 7 * day).has_value());
}

TEST_CASE("touchpoints stay in time order, without repeats and bounded") {
  std::vector<touchpoint> tps;
  add_touchpoint(tps, reco(5, {"A"}));
  add_touchpoint(tps, reco(1, {"A"}));
  add_touchpoint(tps, reco(5, {"A"}));
  REQUIRE(tps.size() == 2);
  CHECK(tps[0].at_ms == 1);
  for (int64_t t = 10; t < 200; ++t) {
    add_touchpoint(tps, reco(t, {"A"}));
  }
  CHECK(tps.size() == max_touchpoints);
  CHECK(tps.back().at_ms == 199);
}
