// The churn model: scoring against a hand computation, alert hysteresis, the YAML file's round
// trip and its errors, and the shipped config/churn-model.yaml.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "actors/churn/features.hpp"
#include "actors/churn/model.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;

struct model_file {
  test::temp_dir dir = SB_REQUIRE_OK(test::temp_dir::create("sb-churn-model-test"));

  std::string write(const std::string& text) const {
    auto path = dir.file("churn-model.yaml");
    std::ofstream{path} << text;
    return path;
  }

  std::string load_error(const std::string& text) const {
    auto r = churn::load_model(write(text));
    REQUIRE_FALSE(r.ok());
    return r.err().message;
  }

  std::string at(int line, int column) const {
    return dir.file("churn-model.yaml") + ":" + std::to_string(line) + ":" +
           std::to_string(column) + ": ";
  }
};

churn::model two_feature_model() {
  churn::model m;
  m.intercept = -1;
  m.weights = {{"negative_share", 2.0}, {"tier", -0.5}};
  m.scaling_of = {{"negative_share", churn::scaling{0.2, 0.4}}, {"tier", churn::scaling{1, 2}}};
  return m;
}

churn::model alert_model() {
  churn::model m = two_feature_model();
  m.threshold = 0.6;
  m.hysteresis = 0.1;
  return m;
}

}  // namespace

// -- scoring --------------------------------------------------------------------------------------

TEST_CASE("the score is the sigmoid of the intercept plus the standardised weighted features") {
  // z = -1 + 2·(0.6 - 0.2)/0.4 + (-0.5)·(3 - 1)/2 = -1 + 2 - 0.5 = 0.5;
  // sigmoid(0.5) = 1 / (1 + e^-0.5) = 0.62245933120185...
  const auto s = churn::score(two_feature_model(), {{"negative_share", 0.6}, {"tier", 3}});
  CHECK(s == doctest::Approx(0.6224593312018546).epsilon(1e-12));
}

TEST_CASE("a feature missing from the input counts as its mean") {
  // tier missing: z = -1 + 2·(0.6 - 0.2)/0.4 = 1; sigmoid(1) = 0.7310585786300049.
  const auto s = churn::score(two_feature_model(), {{"negative_share", 0.6}});
  CHECK(s == doctest::Approx(0.7310585786300049).epsilon(1e-12));
  // Nothing given: z = intercept = -1; sigmoid(-1) = 0.2689414213699951.
  CHECK(churn::score(two_feature_model(), {}) == doctest::Approx(0.2689414213699951));
}

TEST_CASE("an input the model does not weigh changes nothing") {
  const auto base = churn::score(two_feature_model(), {{"negative_share", 0.6}});
  CHECK(churn::score(two_feature_model(), {{"negative_share", 0.6}, {"order_count", 50}}) == base);
}

TEST_CASE("a weighted feature without scaling is used as it is") {
  churn::model m;
  m.intercept = 0;
  m.weights = {{"order_count", 0.1}};
  // z = 0.1 · 10 = 1.
  CHECK(churn::score(m, {{"order_count", 10}}) == doctest::Approx(0.7310585786300049));
}

TEST_CASE("an extreme score saturates without overflowing") {
  churn::model m;
  m.weights = {{"tier", 1000.0}};
  CHECK(churn::score(m, {{"tier", 10}}) == 1.0);
  CHECK(churn::score(m, {{"tier", -10}}) == doctest::Approx(0.0));
  CHECK(std::isfinite(churn::score(m, {{"tier", -10}})));
}

// -- alerts ---------------------------------------------------------------------------------------

TEST_CASE("a score wobbling around the threshold alerts once until it falls below the band") {
  // threshold 0.6, hysteresis 0.1: re-arms only below 0.5.
  const auto m = alert_model();
  churn::alert_state state;
  CHECK_FALSE(churn::update_alert(m, state, 0.5));
  CHECK(churn::update_alert(m, state, 0.8));
  CHECK_FALSE(churn::update_alert(m, state, 0.75));
  CHECK_FALSE(churn::update_alert(m, state, 0.55));
  CHECK_FALSE(churn::update_alert(m, state, 0.65));  // never dropped below 0.5: no re-alert
  CHECK(state.alerted);
  CHECK_FALSE(churn::update_alert(m, state, 0.45));  // re-arms, but is itself no alert
  CHECK_FALSE(state.alerted);
  CHECK(churn::update_alert(m, state, 0.65));  // dropped below 0.5 first: alerts again
}

TEST_CASE(
    "a score exactly at the threshold alerts and exactly at the band's floor does not re-arm") {
  const auto m = alert_model();
  churn::alert_state state;
  CHECK(churn::update_alert(m, state, 0.6));
  CHECK_FALSE(churn::update_alert(m, state, 0.5));
  CHECK(state.alerted);
  CHECK_FALSE(churn::update_alert(m, state, 0.7));
}

// -- the model file -------------------------------------------------------------------------------

TEST_CASE("a model written to YAML loads back equal") {
  model_file f;
  auto m = two_feature_model();
  m.intercept = 0.1 + 0.2;  // 0.30000000000000004: needs every digit
  m.threshold = 0.3193839771337126;
  m.hysteresis = 0.05;
  m.weights["odd name: with colon"] = -1e-7;
  m.scaling_of["odd name: with colon"] = churn::scaling{-3.5, 1e-3};
  m.trained = churn::training_info{100000, 0.8051234, "2024-05-01T12:00:00Z", "/tmp/a \"b\".csv"};
  const auto text = churn::to_yaml(m, {"Command: sbctl train-churn --data x.csv"});
  CHECK(text.rfind("# ", 0) == 0);  // starts with the comment header
  CHECK(text.find("# Command: sbctl train-churn --data x.csv\n") != std::string::npos);
  CHECK(text.find("held-out AUC 0.8051") != std::string::npos);
  const auto loaded = SB_REQUIRE_OK(churn::load_model(f.write(text)));
  CHECK(loaded == m);
  CHECK(loaded.intercept == 0.1 + 0.2);
  REQUIRE(loaded.trained.has_value());
  CHECK(loaded.trained->data == "/tmp/a \"b\".csv");
}

TEST_CASE("a model without training information loads back without it") {
  model_file f;
  const auto m = two_feature_model();
  const auto loaded = SB_REQUIRE_OK(churn::load_model(f.write(churn::to_yaml(m))));
  CHECK(loaded == m);
  CHECK_FALSE(loaded.trained.has_value());
  CHECK(loaded.threshold == 0.5);
  CHECK(loaded.hysteresis == 0.1);
}

TEST_CASE("models differing in one number are not equal") {
  auto a = two_feature_model();
  auto b = a;
  b.scaling_of["tier"].std = 2.5;
  CHECK(a != b);
}

TEST_CASE("an unknown key is an error at its line and column") {
  model_file f;
  const auto message = f.load_error(
      "intercept: 0.5\n"
      "weights:\n"
      "  tier: 1\n"
      "colour: red\n");
  CHECK(message.rfind(f.at(4, 1) + "colour: unknown key", 0) == 0);
}

TEST_CASE("a standard deviation of zero is an error at its value") {
  model_file f;
  const auto message = f.load_error(
      "intercept: 0\n"
      "weights:\n"
      "  tier: -0.5\n"
      "scaling:\n"
      "  tier: {mean: 1, std: 0}\n");
  // "  tier: {mean: 1, std: " is 23 characters: the 0 is in column 24.
  CHECK(message == f.at(5, 24) + "scaling.tier.std: must be greater than 0, not 0");
}

TEST_CASE("a threshold of 1.5 is an error at its value") {
  model_file f;
  const auto message = f.load_error(
      "intercept: 0\n"
      "weights: {tier: 1}\n"
      "threshold: 1.5\n");
  CHECK(message == f.at(3, 12) + "threshold: must be between 0 and 1, not 1.5");
}

TEST_CASE("a threshold of exactly 1 is refused: it must lie strictly between 0 and 1") {
  model_file f;
  const auto message = f.load_error("intercept: 0\nweights: {tier: 1}\nthreshold: 1\n");
  CHECK(message == f.at(3, 12) + "threshold: must be strictly between 0 and 1, not 1");
}

TEST_CASE("a missing intercept is an error at the start of the file") {
  model_file f;
  const auto message = f.load_error("weights:\n  tier: 1\n");
  CHECK(message == f.at(1, 1) + "intercept: missing (required)");
}

TEST_CASE("every problem of a model file is reported at once, in the order of the file") {
  model_file f;
  const auto message = f.load_error(
      "intercept: high\n"
      "weights:\n"
      "  tier: 1\n"
      "scaling:\n"
      "  tier: {mean: 1}\n"
      "  order_count: {mean: 1, std: 2}\n"
      "threshold: 0.05\n");
  CHECK(message == f.at(1, 12) + "intercept: expected a number, found \"high\"\n" + f.at(5, 3) +
                       "scaling.tier: missing std\n" + f.at(6, 3) +
                       "scaling.order_count: scales a feature that has no weight (a misspelt "
                       "name?)\n" +
                       f.at(7, 12) +
                       "threshold: must be greater than the hysteresis (0.1 by default), or an "
                       "alert would never re-arm");
}

TEST_CASE("a hysteresis as large as the threshold is refused") {
  model_file f;
  const auto message =
      f.load_error("intercept: 0\nweights: {tier: 1}\nthreshold: 0.3\nhysteresis: 0.3\n");
  CHECK(message.rfind(f.at(4, 13) + "hysteresis: must be less than the threshold (0.3)", 0) == 0);
}

TEST_CASE("a model file that cannot be opened is a config_io error") {
  model_file f;
  auto r = churn::load_model(f.dir.file("absent.yaml"));
  CHECK(test::code_of(r) == errc::config_io);
}

// -- online features ------------------------------------------------------------------------------

TEST_CASE("a model weighing a feature the node does not compute is refused at start") {
  auto m = two_feature_model();
  m.weights["shoe_size"] = 0.3;
  auto r = churn::check_online_features(m, "churn-model.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_bad_value);
  CHECK(r.err().message.find("churn-model.yaml: weights.shoe_size: not a feature the node computes "
                             "online") != std::string::npos);
  CHECK(r.err().message.find("tier") != std::string::npos);  // lists what is computed
}

TEST_CASE("a model weighing only online features is accepted") {
  SB_REQUIRE_OK(churn::check_online_features(two_feature_model(), "churn-model.yaml"));
}

TEST_CASE("the shipped model loads, weighs every online feature and has a sensible threshold") {
  const std::string path = std::string{SB_SOURCE_DIR} + "/config/churn-model.yaml";
  const auto m = SB_REQUIRE_OK(churn::load_model(path));
  SB_REQUIRE_OK(churn::check_online_features(m, path));
  CHECK(m.weights.size() == churn::feature_names().size());
  CHECK(m.threshold > 0.05);
  CHECK(m.threshold < 0.95);
  REQUIRE(m.trained.has_value());
  CHECK(m.trained->auc > 0.75);
  // An angry, unanswered, price-objecting newcomer scores above a calm platinum regular.
  churn::features angry;
  angry.conversation_length = 6;
  angry.negative_share = 0.8;
  angry.unresolved_turns = 3;
  angry.price_objections = 2;
  angry.days_since_last_order = churn::never_ordered_days;
  churn::features calm;
  calm.conversation_length = 3;
  calm.days_since_last_order = 10;
  calm.order_count = 20;
  calm.tier = 3;
  const double high = churn::score(m, churn::to_map(angry));
  const double low = churn::score(m, churn::to_map(calm));
  CHECK(high > m.threshold);
  CHECK(low < m.threshold - m.hysteresis);
}
