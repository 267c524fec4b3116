// Message templates: checking placeholders against the campaign's coupon, and rendering them in
// Chinese and English with local expiry times.
#include <doctest/doctest.h>

#include <string>

#include "actors/campaign/campaign_spec.hpp"
#include "actors/campaign/message_template.hpp"
#include "tests/support/nlu_fixtures.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;
using namespace sb::campaigns;

constexpr int64_t minute = 60'000;
constexpr int64_t hour = 60 * minute;
constexpr int64_t day = 24 * hour;

// 2026-11-25T06:30Z: (20454 + 328) days × 86 400 000 + 6.5 h = 1 795 588 200 000 ms.
constexpr int64_t issued = 1'795'588'200'000;

campaign_spec with_coupon(coupon_action c, std::string locale = "zh") {
  campaign_spec spec;
  spec.id = "t";
  spec.name = "测试活动";
  spec.locale = std::move(locale);
  action a;
  a.type = action::kind::coupon;
  a.coupon = std::move(c);
  spec.actions.push_back(a);
  return spec;
}

coupon_action ten_yuan() {
  coupon_action c;
  c.amount = 10;
  c.valid_for_ms = 72 * hour;
  return c;
}

std::string check_reason(std::string_view text, const coupon_action* coupon) {
  auto r = check_template(text, coupon);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_bad_value);
  return r.err().message;
}

}  // namespace

TEST_CASE("the shipped consult message renders in chinese") {
  auto spec = SB_REQUIRE_OK(
      load_campaign_file(test::source_file("config/campaigns/consult-no-order-30m.yaml")));
  const auto& text = spec.actions[1].message.template_text;
  CHECK(render(spec, text, {"ABCD-EFGH-JKMN-PQRS", "降噪耳机", issued}) ==
        "送您一张10元优惠券：ABCD-EFGH-JKMN-PQRS，72小时内有效");
}

TEST_CASE("the same template renders in english") {
  auto spec = with_coupon(ten_yuan(), "en");
  CHECK(render(spec, "{currency} {amount} off with {code}, valid for {valid_for}",
               {"X", "", issued}) == "CNY 10 off with X, valid for 72 hours");
}

TEST_CASE("expires_at is the local time in the campaign's zone") {
  auto spec = with_coupon(ten_yuan());
  // Issued 2026-11-25T06:30Z, valid 72 h: 2026-11-28T06:30Z, which is 14:30 in Shanghai (UTC+8).
  CHECK(render(spec, "{expires_at}前有效", {"", "", issued}) == "2026-11-28 14:30前有效");
  spec.time_zone = "UTC";
  CHECK(render(spec, "{expires_at}", {"", "", issued}) == "2026-11-28 06:30");
}

TEST_CASE("numbers lose trailing zeros and the other placeholders fill in") {
  coupon_action c;
  c.percent = 12.5;
  c.min_spend = 99.90;
  c.valid_for_ms = 30 * minute;
  auto spec = with_coupon(c);
  CHECK(render(spec, "{percent}% / {min_spend} / {valid_for} / {product} / {campaign}",
               {"", "降噪耳机", 0}) == "12.5% / 99.9 / 30分钟 / 降噪耳机 / 测试活动");
}

TEST_CASE("doubled braces are literal braces") {
  auto spec = with_coupon(ten_yuan());
  CHECK(render(spec, "{{code}} is {code}", {"X", "", 0}) == "{code} is X");
  CHECK(check_template("{{ and }}", nullptr).ok());
}

TEST_CASE("what render cannot fill stays as written") {
  campaign_spec none;  // no coupon
  CHECK(render(none, "{amount} {nope} {product}", {"", "p", 0}) == "{amount} {nope} p");
  CHECK(render(none, "broken {", {}) == "broken {");
}

TEST_CASE("durations read as people say them") {
  CHECK(spoken_duration(30 * minute, "zh") == "30分钟");
  CHECK(spoken_duration(30 * minute, "en") == "30 minutes");
  CHECK(spoken_duration(72 * hour, "zh") == "72小时");
  CHECK(spoken_duration(72 * hour, "en") == "72 hours");
  CHECK(spoken_duration(7 * day, "zh") == "7天");
  CHECK(spoken_duration(7 * day, "en") == "7 days");
  CHECK(spoken_duration(90 * minute, "zh") == "1小时30分钟");
  CHECK(spoken_duration(90 * minute, "en") == "1 hour 30 minutes");
  CHECK(spoken_duration(4 * day + 12 * hour, "zh") == "4天12小时");
  CHECK(spoken_duration(minute, "en") == "1 minute");
  CHECK(spoken_duration(0, "zh") == "0分钟");
}

TEST_CASE("a template is checked against the campaign's coupon") {
  const auto amount = ten_yuan();
  coupon_action percent;
  percent.percent = 15;
  CHECK(check_template("{amount} {code} {valid_for} {expires_at} {min_spend}", &amount).ok());
  CHECK(check_template("{product} {campaign}", nullptr).ok());
  CHECK(check_reason("{percent}", &amount) ==
        "{percent} at character 1 needs a percent coupon (this campaign's coupon has an amount)");
  CHECK(check_reason("{amount}", &percent) ==
        "{amount} at character 1 needs an amount coupon (this campaign's coupon has a percent)");
  CHECK(check_reason("码：{expires_at}", nullptr) ==
        "{expires_at} at character 3 needs a coupon action in this campaign");
}

TEST_CASE("unbalanced braces and unknown placeholders are refused") {
  CHECK(check_reason("a } b", nullptr) ==
        "unbalanced brace: '}' at character 3 closes nothing (write }} for a brace)");
  CHECK(check_reason("a {b {product}", nullptr) ==
        "unbalanced brace: '{' at character 3 is not closed (write {{ for a brace)");
  CHECK(
      check_reason("{Product}", nullptr).rfind("unknown placeholder {Product} at character 1", 0) ==
      0);
}
