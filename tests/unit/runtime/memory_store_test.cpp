#include <doctest/doctest.h>

#include "runtime/clock.hpp"
#include "runtime/store.hpp"
#include "tests/support/store_contract.hpp"

namespace {

// A fresh memory store on a manual clock: TTLs move only when the test advances the clock.
struct memory_fixture {
  static constexpr bool exact_time = true;
  static constexpr int64_t short_ttl = 150;

  sb::manual_clock clock;
  std::unique_ptr<sb::store> instance = sb::make_memory_store(clock);

  sb::store& store() { return *instance; }
  void advance(int64_t ms) { clock.advance(ms); }
};

}  // namespace

TEST_CASE("the memory store keeps plain values as the store contract says") {
  memory_fixture f;
  sb::test::check_plain_values(f);
}

TEST_CASE("the memory store compares and sets as the store contract says") {
  memory_fixture f;
  sb::test::check_compare_and_set(f);
}

TEST_CASE("the memory store expires values by its injected clock") {
  memory_fixture f;
  sb::test::check_expiry(f);
}

TEST_CASE("the memory store orders sorted sets as the store contract says") {
  memory_fixture f;
  sb::test::check_sorted_sets(f);
}

TEST_CASE("the memory store is binary-safe") {
  memory_fixture f;
  sb::test::check_binary_safety(f);
}

TEST_CASE("the memory store loses no update under concurrent callers") {
  memory_fixture f;
  sb::test::check_concurrency(f);
}

TEST_CASE("the memory store fences writes as the store contract says") {
  memory_fixture f;
  sb::test::check_fences(f);
}

TEST_CASE("the memory store claims all or nothing as the store contract says") {
  memory_fixture f;
  sb::test::check_claims(f);
}

TEST_CASE("the memory store keeps racing claims exactly-once and within budget") {
  memory_fixture f;
  sb::test::check_claim_concurrency(f);
}

TEST_CASE("the memory store names itself memory") {
  memory_fixture f;
  CHECK(f.store().kind() == "memory");
}

TEST_CASE("the memory store forgets expired values that are never read again") {
  memory_fixture f;
  // Expired keys must not keep the TTL bookkeeping alive: rewriting the same keys with TTLs many
  // times over, with time moving on, leaves only the live ones readable.
  for (int round = 0; round < 100; ++round) {
    for (int k = 0; k < 10; ++k) {
      SB_REQUIRE_OK(f.store().put("k" + std::to_string(k), std::to_string(round), 10));
    }
    f.advance(10);
  }
  for (int k = 0; k < 10; ++k) {
    CHECK(SB_REQUIRE_OK(f.store().get("k" + std::to_string(k))) == std::nullopt);
  }
}
