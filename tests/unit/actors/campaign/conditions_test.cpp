// `when` conditions: parsing FACT OP VALUE for every fact type, refusing what does not fit, and
// evaluating each operator, with unknown facts never guessed.
#include <doctest/doctest.h>

#include <string>

#include "actors/campaign/conditions.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;
using namespace sb::campaigns;

truth eval(const std::string& text, const facts& known, const std::string& zone = "Asia/Shanghai") {
  return evaluate(SB_REQUIRE_OK(parse_condition(text)), known, zone);
}

std::string reason(const std::string& text) {
  auto r = parse_condition(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_bad_value);
  return r.err().message;
}

facts with_stock(double stock) {
  facts f;
  f.product_stock = stock;
  return f;
}

}  // namespace

// -- parsing --------------------------------------------------------------------------------------

TEST_CASE("a condition keeps its text, fact, operator and value") {
  auto c = SB_REQUIRE_OK(parse_condition("  churn.score >= 0.6 "));
  CHECK(c.text == "churn.score >= 0.6");
  CHECK(c.subject == fact::churn_score);
  CHECK(c.op == comparison::greater_equal);
  REQUIRE(c.numbers.size() == 1);
  CHECK(c.numbers[0] == 0.6);
  CHECK(fact_name(c.subject) == "churn.score");
}

TEST_CASE("spaces around the operator are optional") {
  auto c = SB_REQUIRE_OK(parse_condition("product.stock>0"));
  CHECK(c.op == comparison::greater);
  CHECK(c.numbers == std::vector<double>{0});
}

TEST_CASE("lists take bare words, quoted words and numbers") {
  auto words = SB_REQUIRE_OK(parse_condition("product.category in [耳机, \"蓝牙 音箱\", 'a,b']"));
  CHECK(words.words == std::vector<std::string>{"耳机", "蓝牙 音箱", "a,b"});
  auto days = SB_REQUIRE_OK(parse_condition("time.weekday not_in [6, 7]"));
  CHECK(days.op == comparison::not_in);
  CHECK(days.numbers == std::vector<double>{6, 7});
}

TEST_CASE("malformed conditions say what is wrong") {
  CHECK(reason("") == "expected FACT OP VALUE, such as \"product.stock > 0\"");
  CHECK(reason("product.stock = 0") ==
        "after product.stock expected an operator (>, >=, <, <=, ==, !=, in, not_in), found "
        "\"= 0\"");
  CHECK(reason("user.tier inside [gold]").find("expected an operator") != std::string::npos);
  CHECK(reason("product.stock >") == "a value is missing");
  CHECK(reason("product.category == 蓝牙 音箱") ==
        "\"蓝牙 音箱\" is not one value; quote text with spaces");
  CHECK(reason("product.category == \"耳机") == "unbalanced quotes in \"耳机");
  CHECK(reason("user.tier in gold") == "expected a list such as [gold, platinum], found \"gold\"");
  CHECK(reason("user.tier in []") == "the list is empty");
}

TEST_CASE("an unknown fact is refused") {
  CHECK(reason("product.colour == red").rfind("unknown fact \"product.colour\"", 0) == 0);
  CHECK(reason("tier == gold").rfind("unknown fact \"tier\"", 0) == 0);
}

TEST_CASE("operators must suit the fact's type") {
  CHECK(reason("product.category > a") ==
        "operator > does not apply to product.category; use ==, !=, in or not_in");
  CHECK(reason("user.price_sensitive in [true]") ==
        "operator in does not apply to user.price_sensitive; use == or != with true or false");
  CHECK(reason("user.tags != vip") ==
        "operator != does not apply to user.tags; use in (has any of) or not_in (has none of)");
}

TEST_CASE("values must suit the fact's type and range") {
  CHECK(reason("product.stock > many") == "product.stock is a number; \"many\" is not one");
  CHECK(reason("product.stock > \"3\"") == "product.stock is a number; \"3\" is not one");
  CHECK(reason("churn.score > 1.5") == "churn.score is between 0 and 1; 1.5 is out of range");
  CHECK(reason("time.hour == 24") == "time.hour is between 0 and 23; 24 is out of range");
  CHECK(reason("time.weekday in [0, 1]") == "time.weekday is between 1 and 7; 0 is out of range");
  CHECK(reason("user.price_sensitive == yes") ==
        "user.price_sensitive is true or false, not \"yes\"");
  CHECK(reason("user.tier == diamond") ==
        "user.tier: \"diamond\" is not one of regular, silver, gold, platinum");
  CHECK(reason("channel in [web, sms]") == "channel: \"sms\" is not one of web, app, wechat");
}

// -- numbers --------------------------------------------------------------------------------------

TEST_CASE("every comparison of numbers") {
  const auto five = with_stock(5);
  CHECK(eval("product.stock > 4", five) == truth::holds);
  CHECK(eval("product.stock > 5", five) == truth::fails);
  CHECK(eval("product.stock >= 5", five) == truth::holds);
  CHECK(eval("product.stock >= 6", five) == truth::fails);
  CHECK(eval("product.stock < 6", five) == truth::holds);
  CHECK(eval("product.stock < 5", five) == truth::fails);
  CHECK(eval("product.stock <= 5", five) == truth::holds);
  CHECK(eval("product.stock <= 4.5", five) == truth::fails);
  CHECK(eval("product.stock == 5", five) == truth::holds);
  CHECK(eval("product.stock == 4", five) == truth::fails);
  CHECK(eval("product.stock != 4", five) == truth::holds);
  CHECK(eval("product.stock != 5", five) == truth::fails);
  CHECK(eval("product.stock in [1, 5]", five) == truth::holds);
  CHECK(eval("product.stock in [1, 2]", five) == truth::fails);
  CHECK(eval("product.stock not_in [1, 2]", five) == truth::holds);
  CHECK(eval("product.stock not_in [5]", five) == truth::fails);
}

TEST_CASE("an unknown product or churn score is unknown, not zero") {
  const facts nothing;
  CHECK(eval("product.stock > 0", nothing) == truth::unknown);
  CHECK(eval("product.stock == 0", nothing) == truth::unknown);
  CHECK(eval("product.price < 100", nothing) == truth::unknown);
  CHECK(eval("churn.score >= 0.6", nothing) == truth::unknown);
  facts churny;
  churny.churn_score = 0.6;
  CHECK(eval("churn.score >= 0.6", churny) == truth::holds);
  CHECK(eval("churn.score > 0.6", churny) == truth::fails);
}

TEST_CASE("person counts are always known") {
  facts f;  // never ordered: days_since_last_order = -1
  CHECK(eval("user.days_since_last_order == -1", f) == truth::holds);
  CHECK(eval("user.order_count == 0", f) == truth::holds);
  CHECK(eval("coupon.unused == 0", f) == truth::holds);
  f.order_count = 3;
  f.days_since_last_order = 40;
  f.unused_coupons = 1;
  CHECK(eval("user.order_count >= 3", f) == truth::holds);
  CHECK(eval("user.days_since_last_order > 30", f) == truth::holds);
  CHECK(eval("coupon.unused == 0", f) == truth::fails);
}

// -- words, flags and tags ------------------------------------------------------------------------

TEST_CASE("words compare exactly and an empty word is unknown") {
  facts f;
  CHECK(eval("product.category == 耳机", f) == truth::unknown);
  CHECK(eval("product.brand != 声联", f) == truth::unknown);
  f.product_category = "耳机";
  f.product_brand = "声联";
  f.product_sku = "SKU-1";
  CHECK(eval("product.category == 耳机", f) == truth::holds);
  CHECK(eval("product.category == \"耳机\"", f) == truth::holds);
  CHECK(eval("product.category != 耳机", f) == truth::fails);
  CHECK(eval("product.category in [音箱, 耳机]", f) == truth::holds);
  CHECK(eval("product.category not_in [音箱, 耳机]", f) == truth::fails);
  CHECK(eval("product.brand != 声联", f) == truth::fails);
  CHECK(eval("product.sku == sku-1", f) == truth::fails);  // case matters
  CHECK(eval("product.sku == SKU-1", f) == truth::holds);
}

TEST_CASE("a tier is unknown until the profile says it") {
  facts f;
  f.tier = "gold";  // not yet known: tier_known is false
  CHECK(eval("user.tier == gold", f) == truth::unknown);
  CHECK(eval("user.tier != gold", f) == truth::unknown);
  f.tier_known = true;
  CHECK(eval("user.tier == gold", f) == truth::holds);
  CHECK(eval("user.tier in [silver, platinum]", f) == truth::fails);
  CHECK(eval("user.tier not_in [silver, platinum]", f) == truth::holds);
}

TEST_CASE("a channel compares like a word") {
  facts f;
  CHECK(eval("channel == wechat", f) == truth::unknown);
  f.channel = "wechat";
  CHECK(eval("channel == wechat", f) == truth::holds);
  CHECK(eval("channel in [web, app]", f) == truth::fails);
}

TEST_CASE("a flag compares with true and false") {
  facts f;
  f.price_sensitive = true;
  CHECK(eval("user.price_sensitive == true", f) == truth::holds);
  CHECK(eval("user.price_sensitive != true", f) == truth::fails);
  CHECK(eval("user.price_sensitive == false", f) == truth::fails);
  f.price_sensitive = false;
  CHECK(eval("user.price_sensitive != true", f) == truth::holds);
}

TEST_CASE("tags in means has any of and not_in has none of") {
  facts f;
  CHECK(eval("user.tags in [vip]", f) == truth::fails);
  CHECK(eval("user.tags not_in [vip]", f) == truth::holds);
  f.user_tags = {"new", "vip"};
  CHECK(eval("user.tags in [blocked, vip]", f) == truth::holds);
  CHECK(eval("user.tags not_in [blocked, vip]", f) == truth::fails);
  CHECK(eval("user.tags not_in [blocked]", f) == truth::holds);
}

// -- local time -----------------------------------------------------------------------------------

TEST_CASE("hour and weekday are read in the campaign's time zone") {
  facts f;
  // 2026-10-31T16:00Z = 1 793 462 400 000 ms (day 20757 = 20454 + 303, plus 16 h); in
  // Shanghai (UTC+8) that is 2026-11-01 00:00, a Sunday; in UTC still Saturday 16:00.
  f.now_ms = 1'793'462'400'000;
  CHECK(eval("time.hour == 0", f) == truth::holds);
  CHECK(eval("time.weekday == 7", f) == truth::holds);
  CHECK(eval("time.weekday in [6, 7]", f) == truth::holds);
  CHECK(eval("time.hour == 16", f, "UTC") == truth::holds);
  CHECK(eval("time.weekday == 6", f, "UTC") == truth::holds);
  CHECK(eval("time.hour >= 9", f) == truth::fails);
  CHECK(eval("time.hour == 0", f, "Mars/Olympus") == truth::unknown);
}
