// A/B statistics: Wilson intervals, the two-proportion z-test and lift, each against values
// computed by hand from the formulas in actors/experiment/statistics.hpp.
#include <doctest/doctest.h>

#include <cmath>

#include "actors/experiment/statistics.hpp"

namespace {

using namespace sb::experiments;

constexpr double eps = 1e-6;

}  // namespace

TEST_CASE("an interval of no trials is everything from 0 to 1") {
  const auto ci = wilson(0, 0);
  CHECK(ci.low == 0.0);
  CHECK(ci.high == 1.0);
  CHECK(wilson(3, -1).high == 1.0);
}

TEST_CASE("five of ten gives the Wilson interval computed by hand") {
  // z = 1.959963984540054, z² = 3.8414588206941254; p = 0.5, n = 10
  // denominator = 1 + z²/n = 1.38414588206941254
  // center = (0.5 + z²/20) / 1.384145882 = 0.69207294103470627 / 1.38414588206941254 = 0.5
  // half = z · sqrt(0.25/10 + z²/400) / 1.384145882 = 1.959963985 · sqrt(0.034603647051735)
  //      / 1.384145882 = 1.959963985 · 0.186020555 / 1.384145882 = 0.263406909
  const auto ci = wilson(5, 10);
  CHECK(ci.low == doctest::Approx(0.5 - 0.263406909487436).epsilon(eps));
  CHECK(ci.high == doctest::Approx(0.5 + 0.263406909487436).epsilon(eps));
  CHECK(std::fabs(ci.low - 0.236593091) < eps);
  CHECK(std::fabs(ci.high - 0.763406909) < eps);
}

TEST_CASE("120 of 1000 gives the Wilson interval computed by hand") {
  // p = 0.12, n = 1000; denominator = 1 + 3.8414588206941254/1000 = 1.003841458820694
  // center = (0.12 + 3.8414588206941254/2000) / 1.003841458820694
  //        = 0.121920729410347 / 1.003841458820694 = 0.121454168
  // half = 1.959963985 · sqrt(0.12·0.88/1000 + 3.8414588206941254/4e6) / 1.003841459
  //      = 1.959963985 · sqrt(0.0001056 + 0.00000096036) / 1.003841459
  //      = 1.959963985 · 0.010322807 / 1.003841459 = 0.020154908
  // low = 0.101299261, high = 0.141609076
  const auto ci = wilson(120, 1000);
  CHECK(std::fabs(ci.low - 0.101299261) < eps);
  CHECK(std::fabs(ci.high - 0.141609076) < eps);
}

TEST_CASE("an interval of all failures starts at 0 and one of all successes ends at 1") {
  // x = 0, n = 10: center = (0 + 0.19207294) / 1.38414588 = 0.13876640 = half, so low = 0 and
  // high = 2 · 0.13876640 = 0.27753280.
  const auto none = wilson(0, 10);
  CHECK(none.low == 0.0);
  CHECK(std::fabs(none.high - 0.277532800) < eps);
  const auto all = wilson(10, 10);
  CHECK(std::fabs(all.low - 0.722467200) < eps);
  CHECK(all.high <= 1.0);
  CHECK(std::fabs(all.high - 1.0) < eps);
}

TEST_CASE("the z-test of 120/1000 against 150/1000 matches the hand computation") {
  // pooled p = 270 / 2000 = 0.135; p(1-p) = 0.135 · 0.865 = 0.116775
  // se = sqrt(0.116775 · (1/1000 + 1/1000)) = sqrt(0.00023355) = 0.0152823428
  // z = (0.12 - 0.15) / 0.0152823428 = -1.9630498
  // p = erfc(1.9630498 / sqrt 2) = 0.0496404 (just under 0.05)
  const auto t = two_proportion(120, 1000, 150, 1000);
  CHECK(t.valid);
  CHECK(std::fabs(t.z - -1.9630498) < 1e-4);
  CHECK(std::fabs(t.p_value - 0.0496404) < 1e-4);
  // Swapping the samples flips the sign only.
  const auto swapped = two_proportion(150, 1000, 120, 1000);
  CHECK(std::fabs(swapped.z - 1.9630498) < 1e-4);
  CHECK(swapped.p_value == doctest::Approx(t.p_value));
}

TEST_CASE("equal rates give z 0 and p 1") {
  const auto t = two_proportion(30, 300, 10, 100);
  CHECK(t.valid);
  CHECK(std::fabs(t.z) < 1e-12);
  CHECK(t.p_value == doctest::Approx(1.0));
}

TEST_CASE(
    "a z-test with an empty sample, impossible counts or a pooled rate of 0 or 1 is invalid") {
  for (const auto& t : {two_proportion(0, 0, 5, 10), two_proportion(5, 10, 0, 0),
                        two_proportion(0, 100, 0, 100), two_proportion(100, 100, 50, 50),
                        two_proportion(11, 10, 5, 10), two_proportion(-1, 10, 5, 10)}) {
    CHECK_FALSE(t.valid);
    CHECK(t.p_value == 1.0);
    CHECK(t.z == 0.0);
  }
}

TEST_CASE("lift is the change relative to the control and undefined for a control of 0") {
  // (0.15 - 0.12) / 0.12 = 0.25; (0.09 - 0.12) / 0.12 = -0.25
  REQUIRE(lift(0.15, 0.12).has_value());
  CHECK(*lift(0.15, 0.12) == doctest::Approx(0.25));
  CHECK(*lift(0.09, 0.12) == doctest::Approx(-0.25));
  CHECK(*lift(0.0, 0.5) == doctest::Approx(-1.0));
  CHECK_FALSE(lift(0.1, 0.0).has_value());
}
