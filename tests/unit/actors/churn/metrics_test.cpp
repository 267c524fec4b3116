// Rank AUC and the F1-maximising threshold, against hand computations.
#include <doctest/doctest.h>

#include <vector>

#include "actors/churn/metrics.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;

}  // namespace

TEST_CASE("scores that put every churner above every stayer have an AUC of 1") {
  CHECK(SB_REQUIRE_OK(churn::auc({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1})) == 1.0);
}

TEST_CASE("reversed scores have an AUC of 0") {
  CHECK(SB_REQUIRE_OK(churn::auc({0.9, 0.8, 0.2, 0.1}, {0, 0, 1, 1})) == 0.0);
}

TEST_CASE("scores that are all tied have an AUC of one half") {
  CHECK(SB_REQUIRE_OK(churn::auc({0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 1})) == 0.5);
}

TEST_CASE("a tie between a churner and a stayer counts half a pair") {
  // Pairs (churner, stayer): (0.4, 0.1) 1, (0.4, 0.4) 0.5, (0.8, 0.1) 1, (0.8, 0.4) 1 -> 3.5 / 4.
  // By ranks: 1, 2.5, 2.5, 4; churners 2.5 + 4 = 6.5; (6.5 - 2·3/2) / (2·2) = 0.875.
  CHECK(SB_REQUIRE_OK(churn::auc({0.1, 0.4, 0.4, 0.8}, {0, 1, 0, 1})) == doctest::Approx(0.875));
}

TEST_CASE("the AUC does not depend on the order of the rows") {
  // Pairs: 0.7>0.3 1, 0.7>0.6 1, 0.5>0.3 1, 0.5<0.6 0 -> 3 / 4.
  CHECK(SB_REQUIRE_OK(churn::auc({0.7, 0.3, 0.5, 0.6}, {1, 0, 1, 0})) == doctest::Approx(0.75));
  CHECK(SB_REQUIRE_OK(churn::auc({0.6, 0.5, 0.3, 0.7}, {0, 1, 0, 1})) == doctest::Approx(0.75));
}

TEST_CASE("the AUC is refused without both classes or with mismatched lengths") {
  CHECK(test::code_of(churn::auc({0.1, 0.2}, {1, 1})) == errc::invalid_argument);
  CHECK(test::code_of(churn::auc({0.1, 0.2}, {0, 0})) == errc::invalid_argument);
  CHECK(test::code_of(churn::auc({0.1, 0.2}, {0})) == errc::invalid_argument);
}

TEST_CASE("the threshold is the score that maximises F1") {
  // Three churners. F1 = 2TP / (2TP + FP + FN) when predicting churn for score >= t:
  // t=0.9: TP1 FP0 FN2 -> 2/4 = 0.5; t=0.8: TP1 FP1 FN2 -> 2/5 = 0.4;
  // t=0.7: TP2 FP1 FN1 -> 4/6 = 0.667; t=0.3: TP3 FP1 FN0 -> 6/7 = 0.857; t=0.2: 6/8 = 0.75.
  auto c = SB_REQUIRE_OK(churn::best_f1_threshold({0.9, 0.8, 0.7, 0.3, 0.2}, {1, 0, 1, 1, 0}));
  CHECK(c.threshold == 0.3);
  CHECK(c.f1 == doctest::Approx(6.0 / 7.0));
}

TEST_CASE("rows tied at a score enter the threshold sweep together") {
  // At t=0.6 both tied rows are predicted churn: TP1 FP1 FN0 -> 2/3; at t=0.2: TP1 FP2 -> 2/4.
  // Taking the churner alone at 0.6 (F1 1) would be impossible for any threshold.
  auto c = SB_REQUIRE_OK(churn::best_f1_threshold({0.6, 0.6, 0.2}, {1, 0, 0}));
  CHECK(c.threshold == 0.6);
  CHECK(c.f1 == doctest::Approx(2.0 / 3.0));
}

TEST_CASE("a threshold of 1 is clamped into the open interval a model accepts") {
  auto c = SB_REQUIRE_OK(churn::best_f1_threshold({1.0, 0.0}, {1, 0}));
  CHECK(c.threshold < 1.0);
  CHECK(c.threshold > 0.999);
  CHECK(c.f1 == 1.0);
}

TEST_CASE("a threshold cannot be chosen without any churner") {
  CHECK(test::code_of(churn::best_f1_threshold({0.2, 0.4}, {0, 0})) == errc::invalid_argument);
}
