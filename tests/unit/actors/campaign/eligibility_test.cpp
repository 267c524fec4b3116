// may_arm (enabled, window, audience) and conditions_hold (every `when`, unknown facts failing).
#include <doctest/doctest.h>

#include "actors/campaign/campaign_spec.hpp"
#include "actors/campaign/eligibility.hpp"
#include "tests/support/nlu_fixtures.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;
using namespace sb::campaigns;

// The holiday window starts 2026-12-20T00:00 Shanghai = 2026-12-19T16:00Z = 1 797 696 000 000 ms
// (computed in campaign_spec_test) and ends after 2027-01-03T23:59 local = 1 798 992 000 000.
constexpr int64_t window_start = 1'797'696'000'000;
constexpr int64_t window_end = 1'798'992'000'000;

campaign_spec holiday() {
  auto spec = SB_REQUIRE_OK(
      load_campaign_file(test::source_file("config/campaigns/gold-holiday-welcome.yaml")));
  spec.enabled = true;
  return spec;
}

facts gold_app(int64_t now_ms) {
  facts f;
  f.tier = "gold";
  f.tier_known = true;
  f.channel = "app";
  f.now_ms = now_ms;
  return f;
}

}  // namespace

TEST_CASE("a disabled campaign never arms") {
  auto spec = holiday();
  spec.enabled = false;
  auto v = may_arm(spec, gold_app(window_start));
  CHECK_FALSE(v.pass);
  CHECK(v.reason == "disabled");
}

TEST_CASE("the active window starts at local midnight, not utc midnight") {
  const auto spec = holiday();
  CHECK(may_arm(spec, gold_app(window_start)).pass);
  auto before = may_arm(spec, gold_app(window_start - 1));
  CHECK_FALSE(before.pass);
  CHECK(before.reason == "outside active window");
  // 2026-12-20T00:00Z is 08:00 in Shanghai: inside.
  CHECK(may_arm(spec, gold_app(window_start + 8 * 3'600'000)).pass);
  CHECK(may_arm(spec, gold_app(window_end - 1)).pass);  // 23:59:59.999 on the last day
  CHECK_FALSE(may_arm(spec, gold_app(window_end)).pass);
}

TEST_CASE("the audience filters tiers, channels and tags") {
  auto spec = holiday();
  auto f = gold_app(window_start);
  f.tier = "silver";
  CHECK(may_arm(spec, f).reason == "tier 'silver' not in audience");
  f.tier_known = false;
  CHECK(may_arm(spec, f).reason == "tier unknown");
  f = gold_app(window_start);
  f.channel = "web";
  CHECK(may_arm(spec, f).reason == "channel 'web' not in audience");
  f.channel = "";
  CHECK(may_arm(spec, f).reason == "channel unknown");
  f = gold_app(window_start);
  spec.tags = {"vip", "press"};
  CHECK(may_arm(spec, f).reason == "no audience tag");
  f.user_tags = {"press"};
  CHECK(may_arm(spec, f).pass);
}

TEST_CASE("an empty audience and no window let everyone arm") {
  campaign_spec spec;
  const facts nobody_known;
  auto v = may_arm(spec, nobody_known);
  CHECK(v.pass);
  CHECK(v.reason.empty());
}

TEST_CASE("every condition must hold and the first failure is named") {
  const auto spec = holiday();  // time.hour >= 9, time.hour < 22, coupon.unused == 0
  // window_start + 10 h = 2026-12-20T02:00Z = 10:00 in Shanghai.
  auto f = gold_app(window_start + 10 * 3'600'000);
  CHECK(conditions_hold(spec, f).pass);
  f.unused_coupons = 1;
  CHECK(conditions_hold(spec, f).reason == "condition 'coupon.unused == 0' failed");
  // window_start + 2 h = 02:00 in Shanghai (but 18:00 UTC, which would pass).
  f = gold_app(window_start + 2 * 3'600'000);
  CHECK(conditions_hold(spec, f).reason == "condition 'time.hour >= 9' failed");
}

TEST_CASE("a condition on an unknown fact fails and says so") {
  auto spec = SB_REQUIRE_OK(
      load_campaign_file(test::source_file("config/campaigns/consult-no-order-30m.yaml")));
  facts f;
  auto v = conditions_hold(spec, f);
  CHECK_FALSE(v.pass);
  CHECK(v.reason == "condition 'product.stock > 0': product.stock unknown");
  f.product_stock = 0;
  CHECK(conditions_hold(spec, f).reason == "condition 'product.stock > 0' failed");
  f.product_stock = 3;
  CHECK(conditions_hold(spec, f).pass);
}
