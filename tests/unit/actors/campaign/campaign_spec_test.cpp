// Loading campaign files: the shipped campaigns, defaults, and every kind of mistake reported as
// file:line:column: key.path: reason.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "actors/campaign/campaign_spec.hpp"
#include "tests/support/nlu_fixtures.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;
using namespace sb::campaigns;

// The smallest valid campaign; tests append or replace lines.
constexpr const char* minimal =
    "id: t\n"
    "name: test\n"
    "on: order.placed\n"
    "do:\n"
    "  - message: { template: \"hi\" }\n";

struct campaign_files {
  test::temp_dir dir = SB_REQUIRE_OK(test::temp_dir::create("sb-campaign-test"));

  std::string write(const std::string& text, const std::string& name = "c.yaml") const {
    auto path = dir.file(name);
    std::ofstream{path} << text;
    return path;
  }

  error load_error(const std::string& text) const {
    auto r = load_campaign_file(write(text));
    REQUIRE_FALSE(r.ok());
    return r.err();
  }

  std::string at(int line, int column, const std::string& name = "c.yaml") const {
    return dir.file(name) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  }
};

}  // namespace

// -- the shipped campaigns ------------------------------------------------------------------------

TEST_CASE("the shipped campaigns load") {
  auto all = SB_REQUIRE_OK(load_campaign_dir(test::source_file("config/campaigns")));
  REQUIRE(all.size() == 3);
  // Sorted by file name.
  CHECK(all[0].id == "churn-winback");
  CHECK(all[1].id == "consult-no-order-30m");
  CHECK(all[2].id == "gold-holiday-welcome");
}

TEST_CASE("the consult campaign reads as the product owner wrote it") {
  auto c = SB_REQUIRE_OK(
      load_campaign_file(test::source_file("config/campaigns/consult-no-order-30m.yaml")));
  CHECK(c.name == "咨询后30分钟未下单送10元券");
  CHECK(c.enabled);
  CHECK(c.on == "conversation.product_inquiry");
  CHECK(c.wait_ms == 30 * 60'000);
  CHECK(c.unless == "order.placed");
  REQUIRE(c.when.size() == 1);
  CHECK(c.when[0].subject == fact::product_stock);
  CHECK(c.when[0].op == comparison::greater);
  REQUIRE(c.actions.size() == 2);
  REQUIRE(c.coupon() != nullptr);
  CHECK(c.coupon()->amount == 10);
  CHECK(c.coupon()->percent == 0);
  CHECK(c.coupon()->currency == "CNY");
  CHECK(c.coupon()->valid_for_ms == 72 * 3'600'000LL);
  CHECK(c.actions[1].type == action::kind::message);
  CHECK(c.per_person == 1);
  CHECK(c.budget_count == 10000);
  CHECK(c.budget_value == 0);
  // Defaults of the keys it leaves out.
  CHECK(c.locale == "zh");
  CHECK(c.time_zone == "Asia/Shanghai");
  CHECK_FALSE(c.active_from_ms.has_value());
  CHECK_FALSE(c.active_until_ms.has_value());
  CHECK(c.tiers.empty());
  CHECK(c.cooldown_ms == 0);
}

TEST_CASE("the churn campaign discounts, messages and hands off") {
  auto c =
      SB_REQUIRE_OK(load_campaign_file(test::source_file("config/campaigns/churn-winback.yaml")));
  CHECK(c.on == "churn.high_risk");
  CHECK(c.wait_ms == 0);
  CHECK(c.unless.empty());
  REQUIRE(c.coupon() != nullptr);
  CHECK(c.coupon()->percent == 15);
  CHECK(c.coupon()->max_discount == 100);
  CHECK(c.coupon()->valid_for_ms == 24 * 3'600'000LL);
  REQUIRE(c.actions.size() == 3);
  CHECK(c.actions[2].type == action::kind::handoff);
  CHECK(c.actions[2].handoff.priority == 90);
  CHECK(c.actions[2].handoff.reason == "churn_risk");
  CHECK(c.cooldown_ms == 30 * 86'400'000LL);
  CHECK(c.budget_count == 2000);
  CHECK(c.budget_value == 100000);
}

TEST_CASE("the holiday example is disabled and has an audience and a window") {
  auto c = SB_REQUIRE_OK(
      load_campaign_file(test::source_file("config/campaigns/gold-holiday-welcome.yaml")));
  CHECK_FALSE(c.enabled);
  CHECK(c.locale == "en");
  CHECK(c.tiers == std::vector<std::string>{"gold", "platinum"});
  CHECK(c.channels == std::vector<std::string>{"app", "wechat"});
  // 2026-12-20T00:00 in Shanghai (UTC+8) is 2026-12-19T16:00Z. 2026-01-01 is day 20454 since
  // 1970 (56 × 365 + 14 leap days); 19 December is day 334 + 18 = 352 of the year (0-based), so
  // (20454 + 352) × 86 400 000 + 16 × 3 600 000 = 1 797 638 400 000 + 57 600 000.
  REQUIRE(c.active_from_ms.has_value());
  CHECK(*c.active_from_ms == 1'797'696'000'000);
  // 2027-01-03T23:59 with its minute included ends at 2027-01-04T00:00 local = 2027-01-03T16:00Z:
  // day 20454 + 365 + 2 = 20821, 20821 × 86 400 000 + 57 600 000 = 1 798 992 000 000.
  REQUIRE(c.active_until_ms.has_value());
  CHECK(*c.active_until_ms == 1'798'992'000'000);
}

TEST_CASE_FIXTURE(campaign_files, "a minimal campaign gets every default") {
  auto c = SB_REQUIRE_OK(load_campaign_file(write(minimal)));
  CHECK(c.id == "t");
  CHECK(c.file == dir.file("c.yaml"));
  CHECK(c.enabled);
  CHECK(c.wait_ms == 0);
  CHECK(c.when.empty());
  CHECK(c.coupon() == nullptr);
  CHECK(c.per_person == 1);
  CHECK(c.budget_count == 0);
}

TEST_CASE_FIXTURE(campaign_files, "wait accepts zero and combined units") {
  auto zero = SB_REQUIRE_OK(load_campaign_file(write(std::string{minimal} + "wait: 0\n")));
  CHECK(zero.wait_ms == 0);
  auto mixed = SB_REQUIRE_OK(load_campaign_file(write(std::string{minimal} + "wait: 1h30m\n")));
  CHECK(mixed.wait_ms == 90 * 60'000);
}

// -- mistakes, each where it is -------------------------------------------------------------------

TEST_CASE_FIXTURE(campaign_files, "an unknown key names the allowed ones") {
  auto err = load_error(std::string{minimal} + "colour: red\n");
  CHECK(err.code == errc::config_unknown_key);
  CHECK(err.message == at(6, 1) +
                           "colour: unknown key (expected one of id, name, enabled, locale, on, "
                           "wait, unless, when, do, limits, active, audience)");
}

TEST_CASE_FIXTURE(campaign_files, "an unknown key inside an action gives its full path") {
  auto err = load_error(
      "id: t\nname: test\non: order.placed\ndo:\n  - coupon: { amout: 10, valid_for: 1h }\n");
  CHECK(err.code == errc::config_unknown_key);
  // In the order of the file; the code is that of the first problem noted.
  CHECK(err.message == at(5, 5) + "do[0].coupon: needs amount or percent\n" + at(5, 15) +
                           "do[0].coupon.amout: unknown key (expected one of amount, percent, "
                           "currency, min_spend, valid_for, max_discount)");
}

TEST_CASE_FIXTURE(campaign_files, "a duration without a unit is refused") {
  auto err = load_error(std::string{minimal} + "wait: 30\n");
  CHECK(err.code == errc::config_bad_value);
  CHECK(err.message.rfind(at(6, 7) + "wait: \"30\" is not a duration: a bare number has no unit",
                          0) == 0);
}

TEST_CASE_FIXTURE(campaign_files, "a malformed condition is reported at its item") {
  auto err =
      load_error(std::string{minimal} + "when:\n  - product.stock\n  - product.stock >> 0\n");
  CHECK(err.code == errc::config_bad_value);
  CHECK(err.message == at(7, 5) +
                           "when[0]: after product.stock expected an operator (>, >=, <, <=, ==, "
                           "!=, in, not_in), found \"\"\n" +
                           at(8, 5) + "when[1]: expected FACT OP VALUE, found two operators");
}

TEST_CASE_FIXTURE(campaign_files, "an unknown fact lists the known ones") {
  auto err = load_error(std::string{minimal} + "when:\n  - product.colour == red\n");
  CHECK(err.message.rfind(at(7, 5) + "when[0]: unknown fact \"product.colour\" (expected one of "
                                     "product.stock, product.price,",
                          0) == 0);
}

TEST_CASE_FIXTURE(campaign_files, "an operator that does not suit the fact is refused") {
  auto err = load_error(std::string{minimal} + "when:\n  - user.tags == vip\n");
  CHECK(err.message == at(7, 5) +
                           "when[0]: operator == does not apply to user.tags; use in (has any "
                           "of) or not_in (has none of)");
}

TEST_CASE_FIXTURE(campaign_files, "an unknown placeholder is refused") {
  auto err = load_error(
      "id: t\nname: test\non: order.placed\ndo:\n"
      "  - coupon: { amount: 5, valid_for: 1h }\n"
      "  - message: { template: \"送您{amout}元\" }\n");
  CHECK(err.code == errc::config_bad_value);
  CHECK(err.message.rfind(at(6, 26) +
                              "do[1].message.template: unknown placeholder {amout} at character 3 "
                              "(expected one of {amount}, {percent},",
                          0) == 0);
}

TEST_CASE_FIXTURE(campaign_files, "coupon placeholders need a coupon in the campaign") {
  auto err = load_error(
      "id: t\nname: test\non: order.placed\ndo:\n  - message: { template: \"code {code}\" }\n");
  CHECK(err.message == at(5, 26) +
                           "do[0].message.template: {code} at character 6 needs a coupon action "
                           "in this campaign");
}

TEST_CASE_FIXTURE(campaign_files, "an unbalanced brace is refused") {
  auto err = load_error(
      "id: t\nname: test\non: order.placed\ndo:\n  - message: { template: \"hi {product\" }\n");
  CHECK(err.message == at(5, 26) +
                           "do[0].message.template: unbalanced brace: '{' at character 4 is not "
                           "closed (write {{ for a brace)");
}

TEST_CASE_FIXTURE(campaign_files, "a coupon cannot have both an amount and a percent") {
  auto err = load_error(
      "id: t\nname: test\non: order.placed\ndo:\n"
      "  - coupon: { amount: 5, percent: 10, valid_for: 1h }\n");
  CHECK(err.message == at(5, 26) + "do[0].coupon.percent: give either amount or percent, not both");
}

TEST_CASE_FIXTURE(campaign_files, "coupon values out of range and a missing validity are refused") {
  auto err = load_error(
      "id: t\nname: test\non: order.placed\ndo:\n"
      "  - coupon:\n      percent: 100\n      currency: yuan\n");
  CHECK(err.message == at(5, 5) + "do[0].coupon.valid_for: missing (required)\n" + at(6, 16) +
                           "do[0].coupon.percent: must be more than 0 and less than 100\n" +
                           at(7, 17) +
                           "do[0].coupon.currency: \"yuan\" is not a currency code (three "
                           "capitals, such as CNY)");
}

TEST_CASE_FIXTURE(campaign_files, "an unknown time zone is refused") {
  auto err = load_error(std::string{minimal} +
                        "active: { start: \"2026-11-01T00:00\", time_zone: Mars/Olympus }\n");
  CHECK(err.message == at(6, 49) +
                           "active.time_zone: unknown time zone \"Mars/Olympus\" (use a tz "
                           "database name such as Asia/Shanghai)");
}

TEST_CASE_FIXTURE(campaign_files, "a window that ends before it starts is refused") {
  auto err = load_error(std::string{minimal} +
                        "active:\n  start: 2026-11-02T00:00\n  end: 2026-11-01T23:59\n");
  CHECK(err.message == at(8, 8) + "active.end: must be after active.start");
  auto bad_time = load_error(std::string{minimal} + "active:\n  start: 2026-02-30T00:00\n");
  CHECK(bad_time.message == at(7, 10) +
                                "active.start: \"2026-02-30T00:00\" is not a local time such as "
                                "\"2026-11-01T00:00\"");
}

TEST_CASE_FIXTURE(campaign_files, "required keys, bad words and bad ids are all reported at once") {
  auto err = load_error(
      "id: Bad_ID\nenabled: yes\non: order.shipped\nlocale: fr\naudience: { tiers: [gold, "
      "diamond] }\n");
  CHECK(err.code == errc::config_bad_value);
  CHECK(err.message ==
        at(1, 1) + "name: missing (required)\n" + at(1, 1) + "do: missing (required)\n" + at(1, 5) +
            "id: \"Bad_ID\" may only use a-z, 0-9 and -\n" + at(2, 10) +
            "enabled: expected true or false, found \"yes\"\n" + at(3, 5) +
            "on: \"order.shipped\" is not one of conversation.started, conversation.closed, "
            "conversation.product_inquiry, recommendation.shown, recommendation.clicked, "
            "handoff.requested, churn.high_risk, order.placed, order.paid, product.viewed, "
            "csat.rated, coupon.redeemed\n" +
            at(4, 9) + "locale: \"fr\" is not one of zh, en\n" + at(5, 27) +
            "audience.tiers[1]: \"diamond\" is not one of regular, silver, gold, platinum");
}

TEST_CASE_FIXTURE(campaign_files, "unless needs a wait and another event than on") {
  auto no_wait = load_error(std::string{minimal} + "unless: order.paid\n");
  CHECK(no_wait.message ==
        at(6, 9) + "unless: cancels only during a wait; set `wait` or remove `unless`");
  auto same = load_error(std::string{minimal} + "wait: 1m\nunless: order.placed\n");
  CHECK(same.message == at(7, 9) + "unless: cannot be the event in `on`");
}

TEST_CASE_FIXTURE(campaign_files, "an action item holds exactly one action") {
  auto err = load_error(
      "id: t\nname: test\non: order.placed\ndo:\n"
      "  - message: { template: hi }\n    handoff: { reason: x }\n"
      "  - handoff: { priority: 101 }\n");
  CHECK(err.message == at(6, 5) +
                           "do[0]: one action per item: start another item with \"- handoff:\"\n" +
                           at(7, 5) + "do[1].handoff.reason: missing (required)\n" + at(7, 26) +
                           "do[1].handoff.priority: must be between 0 and 100, not 101");
}

TEST_CASE_FIXTURE(campaign_files, "a value budget needs a coupon whose face value is known") {
  auto err = load_error(
      "id: t\nname: test\non: order.placed\ndo:\n"
      "  - coupon: { percent: 10, valid_for: 1h }\nlimits: { budget: { value: 1000 } }\n");
  CHECK(err.message == at(6, 28) +
                           "limits.budget.value: needs the percent coupon to have a max_discount "
                           "(its face value)");
}

TEST_CASE_FIXTURE(campaign_files, "a column counts characters in a line with chinese") {
  auto err = load_error("id: t\nname: 测试活动\non: 下单\ndo:\n  - message: { template: hi }\n");
  CHECK(err.message.rfind(at(3, 5) + "on: \"下单\" is not one of", 0) == 0);
}

TEST_CASE_FIXTURE(campaign_files, "a file that is not yaml or missing is an error, not a throw") {
  auto syntax = load_error("id: [t\n");
  CHECK(syntax.code == errc::config_syntax);
  auto missing = load_campaign_file(dir.file("none.yaml"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.err().code == errc::config_io);
}

// -- folders --------------------------------------------------------------------------------------

TEST_CASE_FIXTURE(campaign_files, "an id used by two files is reported with both places") {
  write(minimal, "a.yaml");
  write(minimal, "b.yaml");
  write("not a campaign", "README.md");
  auto r = load_campaign_dir(dir.path());
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_bad_value);
  CHECK(r.err().message == at(1, 5, "b.yaml") + "id: \"t\" is already the id of the campaign at " +
                               dir.file("a.yaml") + ":1:5");
}

TEST_CASE_FIXTURE(campaign_files, "the problems of every file come in one error") {
  write(std::string{minimal} + "wait: soon\n", "a.yaml");
  write("id: u\nname: u\non: order.paid\ndo: []\n", "b.yaml");
  auto r = load_campaign_dir(dir.path());
  REQUIRE_FALSE(r.ok());
  const auto& m = r.err().message;
  CHECK(m.find(at(6, 7, "a.yaml") + "wait: \"soon\" is not a duration") == 0);
  CHECK(m.find("\n" + at(4, 5, "b.yaml") +
               "do: expected a list of at least one action (coupon, message, handoff)") !=
        std::string::npos);
}

TEST_CASE("a folder that does not exist is an io error") {
  auto r = load_campaign_dir("/nonexistent/campaigns");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_io);
}
