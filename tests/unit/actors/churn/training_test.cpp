// Fitting the churn model: the split, recovering known weights, held-out AUC, and refusals.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>

#include "actors/churn/model.hpp"
#include "actors/churn/synthetic_data.hpp"
#include "actors/churn/training.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;

// Rows whose label follows a known logistic model: logit = -0.5 + 2·a - 1·b, c is noise;
// a, b, c uniform on [-1, 1) (std 1/√3 = 0.577).
churn::dataset known_model_rows(size_t rows, uint64_t seed) {
  std::mt19937_64 rng{seed};
  const auto uniform = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  churn::dataset d;
  d.names = {"a", "b", "c"};
  for (size_t r = 0; r < rows; ++r) {
    const double a = 2 * uniform() - 1;
    const double b = 2 * uniform() - 1;
    const double c = 2 * uniform() - 1;
    d.x.insert(d.x.end(), {a, b, c});
    const double p = 1 / (1 + std::exp(-(-0.5 + 2 * a - b)));
    d.y.push_back(uniform() < p ? 1 : 0);
  }
  return d;
}

}  // namespace

// -- the split ------------------------------------------------------------------------------------

TEST_CASE("the split holds out a rounded share of the rows, disjoint and covering all") {
  const auto s = churn::split_rows(1000, 0.2, 42);
  CHECK(s.holdout.size() == 200);
  CHECK(s.train.size() == 800);
  std::vector<size_t> all = s.train;
  all.insert(all.end(), s.holdout.begin(), s.holdout.end());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i] == i);
  }
}

TEST_CASE("the split is the same for the same seed and differs for another") {
  CHECK(churn::split_rows(1000, 0.2, 42).holdout == churn::split_rows(1000, 0.2, 42).holdout);
  CHECK(churn::split_rows(1000, 0.2, 42).holdout != churn::split_rows(1000, 0.2, 43).holdout);
}

TEST_CASE("a tiny split still keeps a row on each side") {
  const auto s = churn::split_rows(2, 0.01, 1);  // round(0.02) = 0, raised to 1
  CHECK(s.holdout.size() == 1);
  CHECK(s.train.size() == 1);
}

// -- fitting --------------------------------------------------------------------------------------

TEST_CASE("training recovers the signs and sizes of known weights") {
  const auto r = SB_REQUIRE_OK(churn::train(known_model_rows(4000, 5), churn::train_options{}));
  CHECK(r.train_rows == 3200);
  CHECK(r.holdout_rows == 800);
  CHECK(r.converged);
  const auto& w = r.fitted.weights;
  // Weights are per standard deviation: 2 · 0.577 = 1.15 and -1 · 0.577 = -0.58; the standard
  // error of each is about 0.05 with 3200 rows, so ±0.25 holds with near certainty.
  CHECK(w.at("a") == doctest::Approx(1.155).epsilon(0.25 / 1.155));
  CHECK(w.at("b") == doctest::Approx(-0.577).epsilon(0.25 / 0.577));
  CHECK(std::abs(w.at("c")) < 0.15);
  CHECK(r.fitted.scaling_of.at("a").std == doctest::Approx(0.577).epsilon(0.05));
  CHECK(r.auc > 0.7);
  CHECK(r.fitted.threshold > 0);
  CHECK(r.fitted.threshold < 1);
  REQUIRE(r.fitted.trained.has_value());
  CHECK(r.fitted.trained->rows == 4000);
  CHECK(r.fitted.trained->auc == r.auc);
}

TEST_CASE("training on synthetic conversations finds what drives churn") {
  const auto r = SB_REQUIRE_OK(churn::train(churn::generate_synthetic(5000, 11), {}));
  const auto& w = r.fitted.weights;
  CHECK(w.at("negative_share") > 0);
  CHECK(w.at("unresolved_turns") > 0);
  CHECK(w.at("price_objections") > 0);
  CHECK(w.at("days_since_last_order") > 0);
  CHECK(w.at("order_count") < 0);
  CHECK(w.at("tier") < 0);
  CHECK(r.auc > 0.7);
  CHECK(r.auc < 0.95);  // noise and flipped labels keep it realistic
  CHECK(r.fitted.hysteresis < r.fitted.threshold);
  SB_REQUIRE_OK(churn::check_online_features(r.fitted, "model.yaml"));
}

TEST_CASE("the same data and seed train the same model") {
  const auto d = churn::generate_synthetic(2000, 4);
  const auto a = SB_REQUIRE_OK(churn::train(d, {}));
  const auto b = SB_REQUIRE_OK(churn::train(d, {}));
  CHECK(a.fitted == b.fitted);
}

TEST_CASE("a strong L2 penalty shrinks the weights towards zero") {
  const auto d = known_model_rows(2000, 9);
  churn::train_options strong;
  strong.l2 = 1e6;
  const auto weak = SB_REQUIRE_OK(churn::train(d, {}));
  const auto shrunk = SB_REQUIRE_OK(churn::train(d, strong));
  CHECK(std::abs(shrunk.fitted.weights.at("a")) < 0.01);
  CHECK(std::abs(weak.fitted.weights.at("a")) > 0.5);
}

TEST_CASE("a trained model written to YAML scores the same after loading") {
  const auto r = SB_REQUIRE_OK(churn::train(churn::generate_synthetic(1000, 2), {}));
  auto dir = SB_REQUIRE_OK(test::temp_dir::create("sb-churn-train-test"));
  const auto path = dir.file("model.yaml");
  std::ofstream{path} << churn::to_yaml(r.fitted);
  const auto loaded = SB_REQUIRE_OK(churn::load_model(path));
  CHECK(loaded == r.fitted);
  const std::map<std::string, double> x{{"negative_share", 0.7}, {"tier", 1}};
  CHECK(churn::score(loaded, x) == churn::score(r.fitted, x));
}

TEST_CASE("training refuses bad options and data with a single class") {
  const auto d = known_model_rows(100, 1);
  churn::train_options o;
  o.holdout = 0;
  CHECK(test::code_of(churn::train(d, o)) == errc::invalid_argument);
  o.holdout = 1;
  CHECK(test::code_of(churn::train(d, o)) == errc::invalid_argument);
  o = {};
  o.l2 = -1;
  CHECK(test::code_of(churn::train(d, o)) == errc::invalid_argument);
  auto one_class = d;
  std::fill(one_class.y.begin(), one_class.y.end(), 0);
  CHECK(test::code_of(churn::train(one_class, {})) == errc::invalid_argument);
}
