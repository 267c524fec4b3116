// The experiment report served at GET /v1/experiments/{id}, checked on a small case computed by
// hand.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

#include "actors/experiment/report.hpp"

namespace {

using namespace sb::experiments;
using nlohmann::json;

constexpr double eps = 1e-6;

experiment_spec three_way() {
  experiment_spec s;
  s.id = "pitch";
  s.name = "Pitch";
  s.surface = std::string{recommendation_reply};
  s.attribution_window_ms = 3'600'000;
  s.variants = {{"a", 2, "A"}, {"b", 1, "B"}, {"c", 1, "C"}};
  return s;
}

bool near(const json& value, double expected) {
  return value.is_number() && std::fabs(value.get<double>() - expected) < eps;
}

}  // namespace

TEST_CASE("the report has rates, intervals, lifts and p-values computed by hand") {
  // a (control): 1000 shown, 120 clicks, 30 orders; b: 1000, 150, 50; c: no counts at all.
  const auto doc = json::parse(report_json(three_way(), {{1000, 120, 30}, {1000, 150, 50}}));
  CHECK(doc["id"] == "pitch");
  CHECK(doc["name"] == "Pitch");
  CHECK(doc["surface"] == "recommendation_reply");
  CHECK(doc["mode"] == "fixed");
  CHECK(doc["enabled"] == true);
  CHECK(doc["control"] == "a");
  CHECK(doc["attribution_window_ms"] == 3'600'000);
  CHECK(doc["metrics"] == json::array({"click", "order"}));
  CHECK(doc["total_impressions"] == 2000);
  REQUIRE(doc["variants"].size() == 3);

  const auto& a = doc["variants"][0];
  CHECK(a["name"] == "a");
  CHECK(a["weight"] == 2);
  CHECK(a["impressions"] == 1000);
  CHECK(a["clicks"] == 120);
  CHECK(a["conversions"] == 30);
  // 120/1000 = 0.12 with the Wilson interval [0.101299261, 0.141609076] (statistics_test).
  CHECK(near(a["click_through"]["rate"], 0.12));
  CHECK(near(a["click_through"]["ci95"][0], 0.101299261));
  CHECK(near(a["click_through"]["ci95"][1], 0.141609076));
  // 30/1000: center (0.03 + 0.0019207294) / 1.0038414588 = 0.0317985765,
  // half 1.959963985 · sqrt(0.0000291 + 0.00000096036) / 1.0038414588 = 0.0107048188.
  CHECK(near(a["conversion"]["rate"], 0.03));
  CHECK(near(a["conversion"]["ci95"][0], 0.0210937388));
  CHECK(near(a["conversion"]["ci95"][1], 0.0425034141));
  CHECK(a["lift_click_through"].is_null());
  CHECK(a["p_value_conversion"].is_null());

  const auto& b = doc["variants"][1];
  CHECK(near(b["click_through"]["rate"], 0.15));
  CHECK(near(b["conversion"]["rate"], 0.05));
  // Lifts: (0.15 - 0.12) / 0.12 = 0.25 and (0.05 - 0.03) / 0.03 = 0.6666667.
  CHECK(near(b["lift_click_through"], 0.25));
  CHECK(near(b["lift_conversion"], 2.0 / 3.0));
  // Clicks: z = 1.9630498 as in statistics_test, p = 0.0496404.
  CHECK(std::fabs(b["p_value_click_through"].get<double>() - 0.0496404) < 1e-4);
  // Orders: pooled 80/2000 = 0.04, se = sqrt(0.04 · 0.96 · 0.002) = sqrt(0.0000768) = 0.0087636,
  // z = 0.02 / 0.0087636 = 2.2821773, p = erfc(2.2821773 / sqrt 2) = 0.0224789.
  CHECK(std::fabs(b["p_value_conversion"].get<double>() - 0.0224789) < 1e-4);

  const auto& c = doc["variants"][2];
  CHECK(c["impressions"] == 0);
  CHECK(c["click_through"]["rate"] == 0.0);
  CHECK(c["click_through"]["ci95"] == json::array({0.0, 1.0}));
  CHECK(near(c["lift_conversion"], -1.0));   // (0 - 0.03) / 0.03
  CHECK(c["p_value_conversion"].is_null());  // an empty sample has no test

  // Orders count, so conversion is primary: b is better than a at p = 0.022 < 0.05.
  CHECK(doc["winner"] == "b");
}

TEST_CASE("without orders the winner is judged on clicks, and nothing significant wins nothing") {
  auto spec = three_way();
  spec.count_orders = false;
  spec.thompson = true;
  spec.control = 1;
  // Control b: 1000/120 clicks; a: 1000/150 (p = 0.0496 < 0.05); c worse than control.
  auto doc = json::parse(report_json(spec, {{1000, 150, 0}, {1000, 120, 0}, {1000, 90, 0}}));
  CHECK(doc["mode"] == "thompson");
  CHECK(doc["metrics"] == json::array({"click"}));
  CHECK(doc["control"] == "b");
  CHECK(doc["winner"] == "a");
  // No orders anywhere: the conversion lift is undefined and the test invalid (pooled p = 0).
  CHECK(doc["variants"][0]["lift_conversion"].is_null());
  CHECK(doc["variants"][0]["p_value_conversion"].is_null());

  // 12/100 against 10/100: pooled 0.11, se = sqrt(0.11 · 0.89 · 0.02) = 0.0442493,
  // z = 0.02 / 0.0442493 = 0.452, p = 0.651: no winner.
  doc = json::parse(report_json(spec, {{100, 12, 0}, {100, 10, 0}}));
  CHECK(doc["winner"].is_null());
  CHECK(std::fabs(doc["variants"][0]["p_value_click_through"].get<double>() - 0.6512) < 1e-3);
}
