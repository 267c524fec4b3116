// The synthetic churn data: reproducible, plausible ranges, and churn driven the right way.
#include <doctest/doctest.h>

#include <cstddef>

#include "actors/churn/features.hpp"
#include "actors/churn/synthetic_data.hpp"

namespace {

using namespace sb;

size_t column(const churn::dataset& d, const std::string& name) {
  for (size_t i = 0; i < d.names.size(); ++i) {
    if (d.names[i] == name) {
      return i;
    }
  }
  FAIL("no column " << name);
  return 0;
}

}  // namespace

TEST_CASE("the same seed gives the same rows and another seed other rows") {
  const auto a = churn::generate_synthetic(500, 7);
  const auto b = churn::generate_synthetic(500, 7);
  const auto c = churn::generate_synthetic(500, 8);
  CHECK(a.x == b.x);
  CHECK(a.y == b.y);
  CHECK(a.x != c.x);
}

TEST_CASE("synthetic rows have the online feature columns and values in their ranges") {
  const auto d = churn::generate_synthetic(5000, 1);
  CHECK(d.names == churn::feature_names());
  REQUIRE(d.rows() == 5000);
  REQUIRE(d.x.size() == 5000 * d.names.size());
  const auto length = column(d, "conversation_length");
  const auto rate = column(d, "question_rate");
  const auto negative = column(d, "negative_share");
  const auto days = column(d, "days_since_last_order");
  const auto orders = column(d, "order_count");
  const auto tier = column(d, "tier");
  size_t regular = 0;
  for (size_t r = 0; r < d.rows(); ++r) {
    CHECK(d.at(r, length) >= 1);
    CHECK(d.at(r, rate) >= 0);
    CHECK(d.at(r, rate) <= 1);
    CHECK(d.at(r, negative) >= 0);
    CHECK(d.at(r, negative) <= 1);
    CHECK(d.at(r, days) >= 0);
    CHECK(d.at(r, days) <= churn::never_ordered_days);
    if (d.at(r, orders) == 0) {
      CHECK(d.at(r, days) == churn::never_ordered_days);
    }
    CHECK((d.at(r, tier) == 0 || d.at(r, tier) == 1 || d.at(r, tier) == 2 || d.at(r, tier) == 3));
    CHECK((d.y[r] == 0 || d.y[r] == 1));
    regular += d.at(r, tier) == 0 ? 1 : 0;
  }
  // 70 % regular by construction; 5000 draws put the share within ±0.05 with near certainty.
  const double regular_share = static_cast<double>(regular) / 5000.0;
  CHECK(regular_share > 0.65);
  CHECK(regular_share < 0.75);
}

TEST_CASE("about a quarter of synthetic people churn, more of the unhappy ones") {
  const auto d = churn::generate_synthetic(20000, 3);
  const auto negative = column(d, "negative_share");
  double churned = 0;
  double unhappy = 0;
  double unhappy_churned = 0;
  double calm = 0;
  double calm_churned = 0;
  for (size_t r = 0; r < d.rows(); ++r) {
    churned += d.y[r];
    if (d.at(r, negative) >= 0.5) {
      unhappy += 1;
      unhappy_churned += d.y[r];
    } else if (d.at(r, negative) == 0) {
      calm += 1;
      calm_churned += d.y[r];
    }
  }
  const double rate = churned / static_cast<double>(d.rows());
  CHECK(rate > 0.15);
  CHECK(rate < 0.35);
  REQUIRE(unhappy > 100);
  REQUIRE(calm > 100);
  CHECK(unhappy_churned / unhappy > calm_churned / calm + 0.1);
}
