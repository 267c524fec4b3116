// Sticky weighted assignment and Thompson sampling of experiment variants.
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "actors/experiment/assignment.hpp"

namespace {

using namespace sb::experiments;

experiment_spec two_way(std::string id, int64_t first, int64_t second) {
  experiment_spec s;
  s.id = std::move(id);
  s.surface = std::string{recommendation_reply};
  s.variants = {{"a", first, "A"}, {"b", second, "B"}};
  return s;
}

// Returns how many of `n` persons "person-0" .. are assigned each of the two variants.
std::array<int, 2> split(const experiment_spec& s, int n) {
  std::array<int, 2> seen{0, 0};
  for (int i = 0; i < n; ++i) {
    ++seen.at(assign(s, "person-" + std::to_string(i)));
  }
  return seen;
}

}  // namespace

TEST_CASE("the assignment hash is FNV-1a 64 of id, 0x1f and person, finalized by fmix64") {
  // Reference values from an independent Python implementation of the documented formula:
  // FNV-1a("headphone-pitch\x1fuser-42") = 2974099239095982805, fmix64 of it below.
  CHECK(assignment_hash("headphone-pitch", "user-42") == 13237444309772891775ULL);
  CHECK(assignment_hash("coupon-copy", "user-42") == 6242163186074424838ULL);
  CHECK(assignment_hash("a", "b") == 8433195956555227007ULL);
}

TEST_CASE("a person keeps their variant forever, on every node") {
  // floor(13237444309772891775 · 100 / 2^64) = 71 >= 50: the second variant.
  const auto s = two_way("headphone-pitch", 50, 50);
  CHECK(assign(s, "user-42") == 1);
  // floor(6242163186074424838 · 100 / 2^64) = 33 < 50: the first variant.
  CHECK(assign(two_way("coupon-copy", 50, 50), "user-42") == 0);
  for (int i = 0; i < 1000; ++i) {
    const auto person = "p" + std::to_string(i);
    const auto first = assign(s, person);
    CHECK(assign(s, person) == first);
    CHECK(assign(two_way("headphone-pitch", 50, 50), person) == first);
  }
}

TEST_CASE("a 50/50 split over 100,000 persons is within 1 %") {
  const auto seen = split(two_way("headphone-pitch", 50, 50), 100'000);
  CHECK(seen[0] + seen[1] == 100'000);
  CHECK(seen[0] > 49'000);
  CHECK(seen[0] < 51'000);
}

TEST_CASE("an 80/20 split over 100,000 persons is within 1 %") {
  const auto seen = split(two_way("coupon-copy", 80, 20), 100'000);
  CHECK(seen[0] > 79'000);
  CHECK(seen[0] < 81'000);
}

TEST_CASE("two experiments split the same persons independently of each other") {
  // Weights 1/1 are the case where raw FNV-1a low bits would tie both experiments together.
  const auto a = two_way("headphone-pitch", 1, 1);
  const auto b = two_way("coupon-copy", 1, 1);
  int both_first = 0;
  for (int i = 0; i < 100'000; ++i) {
    const auto person = "user:" + std::to_string(i);
    both_first += assign(a, person) == 0 && assign(b, person) == 0 ? 1 : 0;
  }
  // Independent halves: a quarter of the persons, 25,000 ± 1 %.
  CHECK(both_first > 24'000);
  CHECK(both_first < 26'000);
}

TEST_CASE("three variants split by their weights and a spec without variants gives 0") {
  auto s = two_way("three", 1, 2);
  s.variants.push_back({"c", 1, "C"});
  std::array<int, 3> seen{0, 0, 0};
  for (int i = 0; i < 40'000; ++i) {
    ++seen.at(assign(s, std::to_string(i)));
  }
  // Expected 10,000 / 20,000 / 10,000.
  CHECK(seen[0] > 9'500);
  CHECK(seen[0] < 10'500);
  CHECK(seen[1] > 19'500);
  CHECK(seen[1] < 20'500);
  CHECK(assign(experiment_spec{}, "anyone") == 0);
}

TEST_CASE("Thompson sampling sends almost everyone to the variant that converts better") {
  // Beta(101, 901) (mean 0.10) against Beta(11, 991) (mean 0.011): the first nearly always wins.
  auto s = two_way("thompson", 1, 1);
  s.thompson = true;
  const std::vector<variant_counts> counts{{1000, 0, 100}, {1000, 0, 10}};
  int better = 0;
  for (int i = 0; i < 10'000; ++i) {
    better += assign_thompson(s, counts, "person-" + std::to_string(i)) == 0 ? 1 : 0;
  }
  CHECK(better > 9'500);
  // The same when the better variant is listed second.
  const std::vector<variant_counts> reversed{{1000, 0, 10}, {1000, 0, 100}};
  int second = 0;
  for (int i = 0; i < 10'000; ++i) {
    second += assign_thompson(s, reversed, "person-" + std::to_string(i)) == 1 ? 1 : 0;
  }
  CHECK(second > 9'500);
}

TEST_CASE("Thompson sampling counts clicks when orders are not a metric") {
  auto s = two_way("clicks-only", 1, 1);
  s.count_orders = false;
  // Many more clicks on the second, more conversions on the first: clicks decide.
  const std::vector<variant_counts> counts{{1000, 10, 500}, {1000, 300, 0}};
  int second = 0;
  for (int i = 0; i < 1'000; ++i) {
    second += assign_thompson(s, counts, std::to_string(i)) == 1 ? 1 : 0;
  }
  CHECK(second > 950);
}

TEST_CASE("Thompson sampling is deterministic and splits evenly without data") {
  const auto s = two_way("fresh", 1, 1);
  const std::vector<variant_counts> counts{{40, 4, 2}, {40, 5, 3}};
  int first = 0;
  for (int i = 0; i < 10'000; ++i) {
    const auto person = "person-" + std::to_string(i);
    const auto pick = assign_thompson(s, counts, person);
    CHECK(assign_thompson(s, counts, person) == pick);
    // Missing counts are zeros: Beta(1, 1) against Beta(1, 1), a fair coin.
    first += assign_thompson(s, {}, person) == 0 ? 1 : 0;
  }
  CHECK(first > 4'700);
  CHECK(first < 5'300);
}
