// Loading config/experiments.yaml and files with mistakes: every problem at its file:line:column
// and key path.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "actors/experiment/experiment_spec.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;
using namespace sb::experiments;

// A valid experiment as YAML lines 2..12 of a file; tests replace one line.
const std::string valid =
    "experiments:\n"                                                      // 1
    "  - id: pitch\n"                                                     // 2
    "    surface: recommendation_reply\n"                                 // 3
    "    match: { brand: Auralink }\n"                                    // 4
    "    metrics: [click]\n"                                              // 5
    "    attribution_window: 1h30m\n"                                     // 6
    "    mode: thompson\n"                                                // 7
    "    control: b\n"                                                    // 8
    "    variants:\n"                                                     // 9
    "      - { name: a, weight: 3, script: \"{product} by {brand}\" }\n"  // 10
    "      - { name: b, script: \"only {price}\" }\n";                    // 11

struct experiments_file {
  test::temp_dir dir = SB_REQUIRE_OK(test::temp_dir::create("sb-experiments-test"));

  std::string write(const std::string& text) const {
    auto path = dir.file("experiments.yaml");
    std::ofstream{path} << text;
    return path;
  }

  error load_error(const std::string& text) const {
    auto r = load_experiments(write(text));
    REQUIRE_FALSE(r.ok());
    return r.err();
  }

  // Returns `valid` with `from` (which must occur) replaced by `to`.
  static std::string with(const std::string& from, const std::string& to) {
    auto text = valid;
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
  }

  // Returns "<file>:<line>:<column>: <key>: ".
  std::string at(int line, int column, const std::string& key) const {
    return dir.file("experiments.yaml") + ":" + std::to_string(line) + ":" +
           std::to_string(column) + ": " + key + ": ";
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("the shipped experiments load") {
  const auto all = SB_REQUIRE_OK(load_experiments("config/experiments.yaml"));
  REQUIRE(all.size() == 2);
  const auto* pitch = find(all, "headphone-pitch");
  REQUIRE(pitch != nullptr);
  CHECK(pitch->surface == recommendation_reply);
  CHECK(pitch->match_category == "headphones");
  CHECK(pitch->match_brand.empty());
  CHECK(pitch->count_clicks);
  CHECK(pitch->count_orders);
  CHECK(pitch->attribution_window_ms == 7 * 86'400'000LL);
  CHECK_FALSE(pitch->thompson);
  REQUIRE(pitch->variants.size() == 2);
  CHECK(pitch->variants[pitch->control].name == "battery");
  CHECK(pitch->variants[1].weight == 50);
  CHECK(matches(*pitch, "headphones", "Auralink"));
  CHECK_FALSE(matches(*pitch, "speakers", "Auralink"));

  const auto* coupon = find(all, "coupon-copy");
  REQUIRE(coupon != nullptr);
  CHECK(coupon->surface == coupon_message);
  CHECK_FALSE(coupon->count_clicks);
  CHECK(coupon->count_orders);
  CHECK(contains(coupon->variants[0].script, "{amount}"));
  CHECK(matches(*coupon, "anything", "any brand"));
  CHECK(find(all, "nope") == nullptr);
}

TEST_CASE_FIXTURE(experiments_file, "every key is read and defaults fill the rest") {
  const auto all = SB_REQUIRE_OK(load_experiments(write(valid)));
  REQUIRE(all.size() == 1);
  const auto& s = all[0];
  CHECK(s.id == "pitch");
  CHECK(s.name == "pitch");  // defaults to the id
  CHECK(s.enabled);
  CHECK(s.match_brand == "Auralink");
  CHECK(s.match_category.empty());
  CHECK(s.count_clicks);
  CHECK_FALSE(s.count_orders);
  CHECK(s.attribution_window_ms == 5'400'000);  // 1h30m
  CHECK(s.thompson);
  CHECK(s.control == 1);
  CHECK(s.variants[0].weight == 3);
  CHECK(s.variants[1].weight == 1);  // default
  CHECK(s.variants[1].script == "only {price}");

  const auto minimal = SB_REQUIRE_OK(load_experiments(write(
      "experiments:\n  - id: x\n    surface: coupon_message\n    enabled: false\n    variants:\n"
      "      - { name: a, script: A }\n      - { name: b, script: B }\n")));
  CHECK_FALSE(minimal[0].enabled);
  CHECK(minimal[0].count_clicks);
  CHECK(minimal[0].count_orders);
  CHECK(minimal[0].attribution_window_ms == 604'800'000);  // 7d
  CHECK(minimal[0].control == 0);
  CHECK_FALSE(minimal[0].thompson);
}

TEST_CASE_FIXTURE(experiments_file, "an unknown key is an error at its line and column") {
  const auto e = load_error(with("    mode: thompson\n", "    mode: thompson\n    colour: red\n"));
  CHECK(e.code == errc::config_unknown_key);
  CHECK_MESSAGE(e.message.rfind(at(8, 5, "experiments[0].colour"), 0) == 0, e.message);
}

TEST_CASE_FIXTURE(experiments_file, "an experiment with one variant is an error") {
  const auto e = load_error(with("      - { name: b, script: \"only {price}\" }\n", ""));
  CHECK_MESSAGE(contains(e.message, at(10, 7, "experiments[0].variants") +
                                        "an experiment needs at least two variants, found 1"),
                e.message);
}

TEST_CASE_FIXTURE(experiments_file, "a variant name used twice is an error at the second") {
  const auto e = load_error(with("{ name: b,", "{ name: a,"));
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(contains(e.message, at(11, 17, "experiments[0].variants[1].name") +
                                        "variant \"a\" is already defined at line 10"),
                e.message);
}

TEST_CASE_FIXTURE(experiments_file, "a weight that is not a positive whole number is an error") {
  auto e = load_error(with("weight: 3", "weight: 0"));
  CHECK_MESSAGE(contains(e.message, at(10, 28, "experiments[0].variants[0].weight") +
                                        "must be between 1 and 1000000, not 0"),
                e.message);
  e = load_error(with("weight: 3", "weight: 2.5"));
  CHECK_MESSAGE(contains(e.message, at(10, 28, "experiments[0].variants[0].weight") +
                                        "expected a whole number"),
                e.message);
}

TEST_CASE_FIXTURE(experiments_file, "an unknown placeholder is an error naming the allowed ones") {
  const auto e = load_error(with("only {price}", "only {amount}"));
  CHECK_MESSAGE(contains(e.message, at(11, 28, "experiments[0].variants[1].script") +
                                        "unknown placeholder {amount}; recommendation_reply "
                                        "scripts may use {product}, {brand}, {price}"),
                e.message);
  // A brace that is never closed is no placeholder either.
  const auto unclosed = load_error(with("only {price}", "only {price"));
  CHECK(contains(unclosed.message, "a '{' without '}'"));
}

TEST_CASE_FIXTURE(experiments_file, "an unknown surface is an error") {
  const auto e = load_error(with("surface: recommendation_reply", "surface: sms"));
  CHECK_MESSAGE(contains(e.message, at(3, 14, "experiments[0].surface") +
                                        "unknown surface \"sms\" (expected recommendation_reply "
                                        "or coupon_message)"),
                e.message);
}

TEST_CASE_FIXTURE(experiments_file, "a bad duration is an error with the reason") {
  auto e = load_error(with("1h30m", "7"));
  CHECK_MESSAGE(contains(e.message, at(6, 25, "experiments[0].attribution_window") +
                                        "a bare number has no unit"),
                e.message);
  e = load_error(with("1h30m", "0s"));
  CHECK(contains(e.message, "must be longer than 0s"));
}

TEST_CASE_FIXTURE(experiments_file, "every problem of a file is reported at once, in file order") {
  const auto e = load_error(with("id: pitch", "id: Pitch!") + "  - id: second\n");
  // Pitch! is a bad id, and the second experiment lacks surface and variants.
  CHECK_MESSAGE(contains(e.message, at(2, 9, "experiments[0].id") +
                                        "\"Pitch!\" may use only a-z, 0-9 and '-'"),
                e.message);
  CHECK(contains(e.message, at(12, 5, "experiments[1]") + "missing key 'surface'"));
  CHECK(contains(e.message, at(12, 5, "experiments[1]") + "missing key 'variants'"));
  CHECK(e.message.find("experiments[0].id") < e.message.find("experiments[1]"));
}

TEST_CASE_FIXTURE(experiments_file, "a duplicate id, a match on coupons and a bad control fail") {
  const auto coupon =
      "experiments:\n"
      "  - id: c\n"
      "    surface: coupon_message\n"
      "    match: { category: phones }\n"
      "    control: nobody\n"
      "    metrics: [order, view]\n"
      "    variants:\n"
      "      - { name: a, script: \"{code}\" }\n"
      "      - { name: b, script: \"{valid_for}\" }\n"
      "  - id: c\n"
      "    surface: coupon_message\n"
      "    variants: [{ name: a, script: A }, { name: b, script: B }]\n";
  const auto e = load_error(coupon);
  CHECK_MESSAGE(contains(e.message, at(4, 5, "experiments[0].match") +
                                        "only recommendation_reply experiments match products"),
                e.message);
  CHECK(contains(e.message, at(5, 14, "experiments[0].control") +
                                "no variant is named \"nobody\" (variants: a, b)"));
  CHECK(contains(e.message, at(6, 22, "experiments[0].metrics[1]") + "unknown metric \"view\""));
  CHECK(contains(e.message,
                 at(10, 9, "experiments[1].id") + "experiment \"c\" is already defined at line 2"));
}

TEST_CASE_FIXTURE(experiments_file, "a missing or unreadable file is an error value") {
  auto r = load_experiments(dir.file("absent.yaml"));
  CHECK(test::code_of(r) == errc::config_io);
  CHECK(test::code_of(load_experiments(write("experiments: [\n"))) == errc::config_syntax);
  CHECK(contains(load_error("other: 1\n").message, "unknown key"));
  CHECK(contains(load_error("{}\n").message, "missing key 'experiments'"));
}
