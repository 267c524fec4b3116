#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runtime/store.hpp"
#include "tests/support/require.hpp"

namespace doctest {

/// Prints optional strings in failure messages (nullopt as "nullopt").
template <>
struct StringMaker<std::optional<std::string>> {
  static String convert(const std::optional<std::string>& v) {
    return v ? String{("\"" + *v + "\"").c_str()} : String{"nullopt"};
  }
};

/// Prints optional integers in failure messages.
template <>
struct StringMaker<std::optional<int64_t>> {
  static String convert(const std::optional<int64_t>& v) {
    return v ? String{std::to_string(*v).c_str()} : String{"nullopt"};
  }
};

/// Prints sorted-set ranges as [member:score, ...].
template <>
struct StringMaker<std::vector<sb::scored_member>> {
  static String convert(const std::vector<sb::scored_member>& v) {
    std::string out = "[";
    for (const auto& m : v) {
      out += (out.size() > 1 ? ", " : "") + m.member + ":" + std::to_string(m.score);
    }
    return String{(out + "]").c_str()};
  }
};

/// Prints claim statuses by name.
template <>
struct StringMaker<sb::claim_status> {
  static String convert(sb::claim_status s) {
    switch (s) {
      case sb::claim_status::claimed:
        return "claimed";
      case sb::claim_status::already_claimed:
        return "already_claimed";
      case sb::claim_status::limit_reached:
        return "limit_reached";
    }
    return "?";
  }
};

}  // namespace doctest

/// The behaviour every `sb::store` implementation must show, written once and run against each
/// (tests/unit/runtime/memory_store_test.cpp, tests/integration/runtime/redis_store_test.cpp).
///
/// Each `check_*` function is called from a TEST_CASE in the implementation's own test file (so
/// that doctest's --source-file filter finds it) and holds SUBCASEs; doctest reruns the TEST_CASE
/// once per SUBCASE, so build the fixture inside the TEST_CASE to get a fresh, empty store each
/// time.
///
/// A Fixture provides:
///   sb::store& store();                  the store under test, empty (a new store, or a new key
///                                        prefix on a shared server)
///   void advance(int64_t ms);            lets `ms` of the store's time pass: moves a manual clock,
///                                        or sleeps when the store runs on real time (only called
///                                        between polls of a condition, with a deadline)
///   static constexpr bool exact_time;    true when advance() moves the store's clock exactly
///   static constexpr int64_t short_ttl;  a TTL in ms that tests can wait out (real time: ~150 ms)
namespace sb::test {

/// Polls `done()` until it holds, calling `f.advance(step)` between polls, for at most `within_ms`
/// of the fixture's time. Returns whether `done()` held.
template <class Fixture, class Condition>
bool eventually(Fixture& f, int64_t within_ms, Condition done, int64_t step_ms = 5) {
  for (int64_t waited = 0;; waited += step_ms) {
    if (done()) {
      return true;
    }
    if (waited >= within_ms) {
      return false;
    }
    f.advance(step_ms);
  }
}

/// Runs `body(thread_index)` on `n` threads that start together; joins them.
template <class Body>
void run_together(int n, Body body) {
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&go, &body, i] {
      while (!go.load()) {
        std::this_thread::yield();
      }
      body(i);
    });
  }
  go.store(true);
  for (auto& t : threads) {
    t.join();
  }
}

/// An optional value as get() returns it, for brief expectations: `opt_string{"v"}`.
using opt_string = std::optional<std::string>;

// -- plain values
// ----------------------------------------------------------------------------------

/// Checks get, put, put_if_absent, erase, increment, argument errors and ping.
template <class Fixture>
void check_plain_values(Fixture& f) {
  store& s = f.store();
  SUBCASE("a key that was never written reads as absent") {
    CHECK(SB_REQUIRE_OK(s.get("missing")) == std::nullopt);
    CHECK(SB_REQUIRE_OK(s.ttl_ms("missing")) == std::nullopt);
    CHECK_FALSE(SB_REQUIRE_OK(s.erase("missing")));
  }
  SUBCASE("put then get returns the value, and a second put overwrites it") {
    SB_REQUIRE_OK(s.put("k", "one"));
    CHECK(SB_REQUIRE_OK(s.get("k")) == opt_string{"one"});
    SB_REQUIRE_OK(s.put("k", "two"));
    CHECK(SB_REQUIRE_OK(s.get("k")) == opt_string{"two"});
    CHECK(SB_REQUIRE_OK(s.ttl_ms("k")) == int64_t{0});
  }
  SUBCASE("an empty value is a value, not an absence") {
    SB_REQUIRE_OK(s.put("k", ""));
    CHECK(SB_REQUIRE_OK(s.get("k")) == opt_string{""});
    CHECK_FALSE(SB_REQUIRE_OK(s.put_if_absent("k", "x")));
  }
  SUBCASE("put_if_absent writes only when the key has no value") {
    CHECK(SB_REQUIRE_OK(s.put_if_absent("k", "first")));
    CHECK_FALSE(SB_REQUIRE_OK(s.put_if_absent("k", "second")));
    CHECK(SB_REQUIRE_OK(s.get("k")) == opt_string{"first"});
  }
  SUBCASE("erase deletes a key and reports whether it existed") {
    SB_REQUIRE_OK(s.put("k", "v"));
    CHECK(SB_REQUIRE_OK(s.erase("k")));
    CHECK_FALSE(SB_REQUIRE_OK(s.erase("k")));
    CHECK(SB_REQUIRE_OK(s.get("k")) == std::nullopt);
  }
  SUBCASE("increment starts from zero and takes negative deltas") {
    CHECK(SB_REQUIRE_OK(s.increment("n")) == 1);
    CHECK(SB_REQUIRE_OK(s.increment("n", 41)) == 42);
    CHECK(SB_REQUIRE_OK(s.increment("n", -50)) == -8);
    CHECK(SB_REQUIRE_OK(s.get("n")) == opt_string{"-8"});
    CHECK(SB_REQUIRE_OK(s.increment("m", -3)) == -3);
  }
  SUBCASE("increment of a value that is not an integer fails and leaves it alone") {
    SB_REQUIRE_OK(s.put("k", "abc"));
    CHECK(code_of(s.increment("k")) == errc::store_protocol);
    CHECK(SB_REQUIRE_OK(s.get("k")) == opt_string{"abc"});
  }
  SUBCASE("a negative TTL is an invalid argument") {
    CHECK(code_of(s.put("k", "v", -1)) == errc::invalid_argument);
    CHECK(code_of(s.put_if_absent("k", "v", -1)) == errc::invalid_argument);
    CHECK(SB_REQUIRE_OK(s.get("k")) == std::nullopt);
  }
  SUBCASE("ping answers and kind names the implementation") {
    SB_REQUIRE_OK(s.ping());
    CHECK_FALSE(s.kind().empty());
  }
}

// -- compare and set
// -------------------------------------------------------------------------------

/// Checks compare_and_set: from and to absent, wrong expectations, and that it clears the TTL.
template <class Fixture>
void check_compare_and_set(Fixture& f) {
  store& s = f.store();
  SUBCASE("compare_and_set from absent creates the key only while it is absent") {
    CHECK(SB_REQUIRE_OK(s.compare_and_set("k", std::nullopt, opt_string{"v1"})));
    CHECK(SB_REQUIRE_OK(s.get("k")) == opt_string{"v1"});
    CHECK_FALSE(SB_REQUIRE_OK(s.compare_and_set("k", std::nullopt, opt_string{"v2"})));
    CHECK(SB_REQUIRE_OK(s.get("k")) == opt_string{"v1"});
  }
  SUBCASE("compare_and_set swaps a value only when the expected one is there") {
    SB_REQUIRE_OK(s.put("k", "v1"));
    CHECK(SB_REQUIRE_OK(s.compare_and_set("k", opt_string{"v1"}, opt_string{"v2"})));
    CHECK(SB_REQUIRE_OK(s.get("k")) == opt_string{"v2"});
    CHECK_FALSE(SB_REQUIRE_OK(s.compare_and_set("k", opt_string{"v1"}, opt_string{"v3"})));
    CHECK(SB_REQUIRE_OK(s.get("k")) == opt_string{"v2"});
  }
  SUBCASE("compare_and_set expecting a value fails on an absent key") {
    CHECK_FALSE(SB_REQUIRE_OK(s.compare_and_set("k", opt_string{""}, opt_string{"v"})));
    CHECK(SB_REQUIRE_OK(s.get("k")) == std::nullopt);
  }
  SUBCASE("compare_and_set to nullopt deletes the key") {
    SB_REQUIRE_OK(s.put("k", "v"));
    CHECK_FALSE(SB_REQUIRE_OK(s.compare_and_set("k", opt_string{"other"}, std::nullopt)));
    CHECK(SB_REQUIRE_OK(s.get("k")) == opt_string{"v"});
    CHECK(SB_REQUIRE_OK(s.compare_and_set("k", opt_string{"v"}, std::nullopt)));
    CHECK(SB_REQUIRE_OK(s.get("k")) == std::nullopt);
  }
  SUBCASE("compare_and_set from absent to absent succeeds without writing") {
    CHECK(SB_REQUIRE_OK(s.compare_and_set("k", std::nullopt, std::nullopt)));
    CHECK(SB_REQUIRE_OK(s.get("k")) == std::nullopt);
  }
  SUBCASE("compare_and_set clears the TTL of the key it swaps") {
    SB_REQUIRE_OK(s.put("k", "v1", 60'000));
    CHECK(SB_REQUIRE_OK(s.ttl_ms("k")).value_or(-1) > 0);
    CHECK(SB_REQUIRE_OK(s.compare_and_set("k", opt_string{"v1"}, opt_string{"v2"})));
    CHECK(SB_REQUIRE_OK(s.ttl_ms("k")) == int64_t{0});
  }
}

// -- expiry
// ----------------------------------------------------------------------------------------

/// Checks TTLs: ttl_ms, expiry, and how put, put_if_absent, increment and CAS treat them.
template <class Fixture>
void check_expiry(Fixture& f) {
  store& s = f.store();
  const int64_t ttl = Fixture::short_ttl;
  auto gone = [&s](const char* key) { return SB_REQUIRE_OK(s.get(key)) == std::nullopt; };
  SUBCASE("a value written with a TTL reports its remaining time and then expires") {
    SB_REQUIRE_OK(s.put("k", "v", ttl));
    CHECK(SB_REQUIRE_OK(s.get("k")) == opt_string{"v"});
    auto left = SB_REQUIRE_OK(s.ttl_ms("k"));
    REQUIRE(left.has_value());
    CHECK(*left > 0);
    CHECK(*left <= ttl);
    if constexpr (Fixture::exact_time) {
      f.advance(ttl - 1);
      CHECK(SB_REQUIRE_OK(s.get("k")) == opt_string{"v"});
      CHECK(SB_REQUIRE_OK(s.ttl_ms("k")) == int64_t{1});
      f.advance(1);
      CHECK(gone("k"));
    } else {
      CHECK(eventually(f, ttl + 5'000, [&] { return gone("k"); }));
    }
    CHECK(SB_REQUIRE_OK(s.ttl_ms("k")) == std::nullopt);
    CHECK_FALSE(SB_REQUIRE_OK(s.erase("k")));
  }
  SUBCASE("put_if_absent succeeds again once the earlier value expired") {
    CHECK(SB_REQUIRE_OK(s.put_if_absent("lease", "a", ttl)));
    CHECK_FALSE(SB_REQUIRE_OK(s.put_if_absent("lease", "b", ttl)));
    CHECK(eventually(f, ttl + 5'000, [&] { return gone("lease"); }));
    CHECK(SB_REQUIRE_OK(s.put_if_absent("lease", "b")));
    CHECK(SB_REQUIRE_OK(s.get("lease")) == opt_string{"b"});
  }
  SUBCASE("compare_and_set treats an expired value as absent") {
    SB_REQUIRE_OK(s.put("k", "old", ttl));
    CHECK(eventually(f, ttl + 5'000, [&] { return gone("k"); }));
    CHECK_FALSE(SB_REQUIRE_OK(s.compare_and_set("k", opt_string{"old"}, opt_string{"x"})));
    CHECK(SB_REQUIRE_OK(s.compare_and_set("k", std::nullopt, opt_string{"new"})));
    CHECK(SB_REQUIRE_OK(s.get("k")) == opt_string{"new"});
  }
  SUBCASE("a put without TTL removes an earlier TTL") {
    SB_REQUIRE_OK(s.put("k", "v", 60'000));
    SB_REQUIRE_OK(s.put("k", "w"));
    CHECK(SB_REQUIRE_OK(s.ttl_ms("k")) == int64_t{0});
  }
  SUBCASE("increment keeps the TTL of the key") {
    SB_REQUIRE_OK(s.put("n", "5", 60'000));
    CHECK(SB_REQUIRE_OK(s.increment("n", 2)) == 7);
    CHECK(SB_REQUIRE_OK(s.ttl_ms("n")).value_or(-1) > 0);
  }
}

// -- sorted sets
// -----------------------------------------------------------------------------------

/// Checks sorted sets: ordering by score then member, updates, bounds, limit, remove, size.
template <class Fixture>
void check_sorted_sets(Fixture& f) {
  store& s = f.store();
  using list = std::vector<scored_member>;
  constexpr int64_t lo = INT64_MIN;
  constexpr int64_t hi = INT64_MAX;
  SUBCASE("a sorted set that was never written is empty") {
    CHECK(SB_REQUIRE_OK(s.sorted_set_size("z")) == 0);
    CHECK(SB_REQUIRE_OK(s.sorted_set_range_by_score("z", lo, hi, 10)).empty());
    CHECK_FALSE(SB_REQUIRE_OK(s.sorted_set_remove("z", "a")));
  }
  SUBCASE("members come back lowest score first, ties ordered by member") {
    SB_REQUIRE_OK(s.sorted_set_add("z", "a", 30));
    SB_REQUIRE_OK(s.sorted_set_add("z", "c", 10));
    SB_REQUIRE_OK(s.sorted_set_add("z", "b", 10));
    SB_REQUIRE_OK(s.sorted_set_add("z", "d", -5));
    CHECK(SB_REQUIRE_OK(s.sorted_set_size("z")) == 4);
    CHECK(SB_REQUIRE_OK(s.sorted_set_range_by_score("z", lo, hi, 10)) ==
          list{{"d", -5}, {"b", 10}, {"c", 10}, {"a", 30}});
  }
  SUBCASE("adding a member again updates its score") {
    SB_REQUIRE_OK(s.sorted_set_add("z", "a", 30));
    SB_REQUIRE_OK(s.sorted_set_add("z", "b", 20));
    SB_REQUIRE_OK(s.sorted_set_add("z", "a", 5));
    CHECK(SB_REQUIRE_OK(s.sorted_set_size("z")) == 2);
    CHECK(SB_REQUIRE_OK(s.sorted_set_range_by_score("z", lo, hi, 10)) == list{{"a", 5}, {"b", 20}});
  }
  SUBCASE("a range includes both bounds and stops at the limit") {
    for (int i = 1; i <= 5; ++i) {
      SB_REQUIRE_OK(s.sorted_set_add("z", "m" + std::to_string(i), i * 10));
    }
    CHECK(SB_REQUIRE_OK(s.sorted_set_range_by_score("z", 20, 40, 10)) ==
          list{{"m2", 20}, {"m3", 30}, {"m4", 40}});
    CHECK(SB_REQUIRE_OK(s.sorted_set_range_by_score("z", 15, 45, 2)) ==
          list{{"m2", 20}, {"m3", 30}});
    CHECK(SB_REQUIRE_OK(s.sorted_set_range_by_score("z", 21, 29, 10)).empty());
    CHECK(SB_REQUIRE_OK(s.sorted_set_range_by_score("z", 40, 20, 10)).empty());
    CHECK(SB_REQUIRE_OK(s.sorted_set_range_by_score("z", lo, hi, 0)).empty());
  }
  SUBCASE("remove reports true only for the call that removed the member") {
    SB_REQUIRE_OK(s.sorted_set_add("z", "a", 1));
    SB_REQUIRE_OK(s.sorted_set_add("z", "b", 2));
    CHECK(SB_REQUIRE_OK(s.sorted_set_remove("z", "a")));
    CHECK_FALSE(SB_REQUIRE_OK(s.sorted_set_remove("z", "a")));
    CHECK(SB_REQUIRE_OK(s.sorted_set_size("z")) == 1);
    CHECK(SB_REQUIRE_OK(s.sorted_set_remove("z", "b")));
    CHECK(SB_REQUIRE_OK(s.sorted_set_size("z")) == 0);
  }
  SUBCASE("millisecond timestamps survive as exact scores") {
    const int64_t now = 1'700'000'000'123;
    const int64_t big = int64_t{1} << 53;
    SB_REQUIRE_OK(s.sorted_set_add("z", "now", now));
    SB_REQUIRE_OK(s.sorted_set_add("z", "next", now + 1));
    SB_REQUIRE_OK(s.sorted_set_add("z", "big", big));
    SB_REQUIRE_OK(s.sorted_set_add("z", "neg", -now));
    CHECK(SB_REQUIRE_OK(s.sorted_set_range_by_score("z", lo, hi, 10)) ==
          list{{"neg", -now}, {"now", now}, {"next", now + 1}, {"big", big}});
    CHECK(SB_REQUIRE_OK(s.sorted_set_range_by_score("z", now + 1, now + 1, 10)) ==
          list{{"next", now + 1}});
  }
}

// -- binary safety
// ---------------------------------------------------------------------------------

/// Checks that NUL and high bytes in keys, values and members survive, and a 256 KiB value.
template <class Fixture>
void check_binary_safety(Fixture& f) {
  store& s = f.store();
  using namespace std::string_literals;
  SUBCASE("keys, values and members may hold NUL and high bytes") {
    const std::string key_a = "a\0b"s;
    const std::string key_b = "a\0c"s;
    const std::string value = "\0\xff\r\n \"x\"\0"s;
    SB_REQUIRE_OK(s.put(key_a, value));
    SB_REQUIRE_OK(s.put(key_b, "other"));
    CHECK(SB_REQUIRE_OK(s.get(key_a)) == opt_string{value});
    CHECK(SB_REQUIRE_OK(s.get("a")) == std::nullopt);
    CHECK(SB_REQUIRE_OK(s.compare_and_set(key_a, value, value + "\0"s)));
    CHECK(SB_REQUIRE_OK(s.get(key_a)) == opt_string{value + "\0"s});
    SB_REQUIRE_OK(s.sorted_set_add("z\0"s, "m\0"s, 1));
    SB_REQUIRE_OK(s.sorted_set_add("z\0"s, "m"s, 1));
    CHECK(SB_REQUIRE_OK(s.sorted_set_range_by_score("z\0"s, 0, 2, 10)) ==
          std::vector<scored_member>{{"m"s, 1}, {"m\0"s, 1}});
    CHECK(SB_REQUIRE_OK(s.sorted_set_size("z")) == 0);
  }
  SUBCASE("a large value round-trips unchanged") {
    std::string big(256 * 1024, '\0');
    for (size_t i = 0; i < big.size(); ++i) {
      big[i] = static_cast<char>(i * 131 % 256);
    }
    SB_REQUIRE_OK(s.put("big", big));
    CHECK(SB_REQUIRE_OK(s.get("big")) == opt_string{big});
  }
}

// -- concurrency
// -----------------------------------------------------------------------------------

/// Checks atomicity from 8 threads: CAS and increment lose no update; one winner per remove
/// and per put_if_absent.
template <class Fixture>
void check_concurrency(Fixture& f) {
  store& s = f.store();
  constexpr int threads = 8;
  SUBCASE("compare_and_set loops on 8 threads lose no update") {
    constexpr int per_thread = 50;
    std::atomic<int> failures{0};
    run_together(threads, [&](int) {
      for (int done = 0; done < per_thread && failures.load() == 0;) {
        auto current = s.get("counter");
        if (!current) {
          failures.fetch_add(1);
          return;
        }
        const int64_t n = current->has_value() ? std::stoll(**current) : 0;
        auto swapped = s.compare_and_set("counter", *current, std::to_string(n + 1));
        if (!swapped) {
          failures.fetch_add(1);
          return;
        }
        done += *swapped ? 1 : 0;
      }
    });
    REQUIRE(failures.load() == 0);
    CHECK(SB_REQUIRE_OK(s.get("counter")) == opt_string{std::to_string(threads * per_thread)});
  }
  SUBCASE("increment on 8 threads loses no update") {
    constexpr int per_thread = 100;
    std::atomic<int> failures{0};
    run_together(threads, [&](int) {
      for (int i = 0; i < per_thread; ++i) {
        failures.fetch_add(s.increment("n").ok() ? 0 : 1);
      }
    });
    CHECK(failures.load() == 0);
    CHECK(SB_REQUIRE_OK(s.get("n")) == opt_string{std::to_string(threads * per_thread)});
  }
  SUBCASE("of 8 threads removing the same sorted-set member exactly one wins") {
    constexpr int members = 40;
    for (int m = 0; m < members; ++m) {
      SB_REQUIRE_OK(s.sorted_set_add("due", "t" + std::to_string(m), m));
    }
    std::vector<std::atomic<int>> wins(members);
    std::atomic<int> failures{0};
    run_together(threads, [&](int) {
      for (int m = 0; m < members; ++m) {
        auto removed = s.sorted_set_remove("due", "t" + std::to_string(m));
        failures.fetch_add(removed.ok() ? 0 : 1);
        wins[static_cast<size_t>(m)].fetch_add(removed.ok() && *removed ? 1 : 0);
      }
    });
    CHECK(failures.load() == 0);
    for (int m = 0; m < members; ++m) {
      CHECK_MESSAGE(wins[static_cast<size_t>(m)].load() == 1, ("member t" + std::to_string(m)));
    }
    CHECK(SB_REQUIRE_OK(s.sorted_set_size("due")) == 0);
  }
  SUBCASE("of 8 threads calling put_if_absent on one key exactly one wins") {
    std::atomic<int> wins{0};
    std::atomic<int> failures{0};
    run_together(threads, [&](int i) {
      auto put = s.put_if_absent("once", std::to_string(i));
      failures.fetch_add(put.ok() ? 0 : 1);
      wins.fetch_add(put.ok() && *put ? 1 : 0);
    });
    CHECK(failures.load() == 0);
    CHECK(wins.load() == 1);
  }
}

// -- fenced writes
// ---------------------------------------------------------------------------------

/// Checks raise_fence and put_fenced: the token that raised the fence writes, an older one is
/// refused once a newer one raised it, equal raises pass, lower ones change nothing, bad tokens
/// and bad fences are errors, and 8 racing raises leave the highest token.
template <class Fixture>
void check_fences(Fixture& f) {
  store& s = f.store();
  auto value_of = [&s](const std::string& key) { return SB_REQUIRE_OK(s.get(key)); };
  SUBCASE("a raised fence lets its token write") {
    CHECK(SB_REQUIRE_OK(s.raise_fence("fence:7", 3)));
    CHECK(value_of("fence:7") == opt_string{"3"});
    CHECK(SB_REQUIRE_OK(s.put_fenced("state:a", "v1", "fence:7", 3)));
    CHECK(value_of("state:a") == opt_string{"v1"});
    CHECK(SB_REQUIRE_OK(s.ttl_ms("state:a")) == int64_t{0});
    CHECK(SB_REQUIRE_OK(s.put_fenced("state:a", "v2", "fence:7", 3)));
    CHECK(value_of("state:a") == opt_string{"v2"});
  }
  SUBCASE("a put_fenced with a token the fence does not hold writes nothing") {
    // Absent = 0: an unraised fence refuses every token.
    CHECK_FALSE(SB_REQUIRE_OK(s.put_fenced("state:a", "v", "fence:7", 1)));
    CHECK(value_of("state:a") == std::nullopt);
    CHECK(value_of("fence:7") == std::nullopt);
    CHECK(SB_REQUIRE_OK(s.raise_fence("fence:7", 5)));
    CHECK_FALSE(SB_REQUIRE_OK(s.put_fenced("state:a", "v", "fence:7", 6)));  // newer than held
    CHECK(value_of("state:a") == std::nullopt);
  }
  SUBCASE("a higher raise refuses the old token's writes and keeps the new owner's value") {
    CHECK(SB_REQUIRE_OK(s.raise_fence("fence:7", 3)));
    CHECK(SB_REQUIRE_OK(s.put_fenced("state:a", "old owner", "fence:7", 3)));
    CHECK(SB_REQUIRE_OK(s.raise_fence("fence:7", 9)));
    CHECK(SB_REQUIRE_OK(s.put_fenced("state:a", "new owner", "fence:7", 9)));
    CHECK_FALSE(SB_REQUIRE_OK(s.put_fenced("state:a", "late write", "fence:7", 3)));
    CHECK(value_of("state:a") == opt_string{"new owner"});
    CHECK(value_of("fence:7") == opt_string{"9"});
  }
  SUBCASE("raising to the token the fence holds succeeds and changes nothing") {
    CHECK(SB_REQUIRE_OK(s.raise_fence("fence:7", 4)));
    CHECK(SB_REQUIRE_OK(s.raise_fence("fence:7", 4)));
    CHECK(value_of("fence:7") == opt_string{"4"});
    CHECK(SB_REQUIRE_OK(s.put_fenced("state:a", "v", "fence:7", 4)));
  }
  SUBCASE("raising to a lower token fails and leaves the fence where it was") {
    CHECK(SB_REQUIRE_OK(s.raise_fence("fence:7", 8)));
    CHECK_FALSE(SB_REQUIRE_OK(s.raise_fence("fence:7", 7)));
    CHECK_FALSE(SB_REQUIRE_OK(s.raise_fence("fence:7", 1)));
    CHECK(value_of("fence:7") == opt_string{"8"});
    CHECK(SB_REQUIRE_OK(s.put_fenced("state:a", "v", "fence:7", 8)));
    CHECK_FALSE(SB_REQUIRE_OK(s.put_fenced("state:b", "v", "fence:7", 7)));
  }
  SUBCASE("fences are independent of each other") {
    CHECK(SB_REQUIRE_OK(s.raise_fence("fence:1", 10)));
    CHECK(SB_REQUIRE_OK(s.raise_fence("fence:2", 2)));
    CHECK(SB_REQUIRE_OK(s.put_fenced("state:a", "v", "fence:2", 2)));
    CHECK_FALSE(SB_REQUIRE_OK(s.put_fenced("state:b", "v", "fence:1", 2)));
  }
  SUBCASE("a fence holding no integer is a protocol error for both calls, changing nothing") {
    SB_REQUIRE_OK(s.put("fence:7", "abc"));
    SB_REQUIRE_OK(s.put("state:a", "before"));
    CHECK(code_of(s.put_fenced("state:a", "v", "fence:7", 1)) == errc::store_protocol);
    CHECK(code_of(s.raise_fence("fence:7", 1)) == errc::store_protocol);
    CHECK(value_of("fence:7") == opt_string{"abc"});
    CHECK(value_of("state:a") == opt_string{"before"});
    SB_REQUIRE_OK(s.put("fence:8", "12.5"));
    CHECK(code_of(s.put_fenced("state:a", "v", "fence:8", 12)) == errc::store_protocol);
  }
  SUBCASE("a token outside 1 .. 2^53-1 or a key that is its own fence is an invalid argument") {
    for (int64_t bad : {int64_t{0}, int64_t{-1}, claim_exact_max + 1}) {
      CAPTURE(bad);
      CHECK(code_of(s.raise_fence("fence:7", bad)) == errc::invalid_argument);
      CHECK(code_of(s.put_fenced("state:a", "v", "fence:7", bad)) == errc::invalid_argument);
    }
    CHECK(value_of("fence:7") == std::nullopt);
    CHECK(SB_REQUIRE_OK(s.raise_fence("fence:7", claim_exact_max)));
    CHECK(code_of(s.put_fenced("fence:7", "v", "fence:7", claim_exact_max)) ==
          errc::invalid_argument);
    CHECK(SB_REQUIRE_OK(s.put_fenced("state:a", "v", "fence:7", claim_exact_max)));
    CHECK(value_of("fence:7") == opt_string{std::to_string(claim_exact_max)});
  }
  SUBCASE("of 8 threads raising different tokens the highest ends up on the fence") {
    constexpr int threads = 8;
    // Thread i raises tokens 8k + i + 1 for k = 0..49, in a different order per thread: tokens
    // 1..400 in all, so the fence must end at 400 whatever the interleaving.
    std::atomic<int> failures{0};
    std::atomic<int> accepted_max{0};
    run_together(threads, [&](int i) {
      for (int k = 0; k < 50; ++k) {
        const int step = (i % 2 == 0) ? k : 49 - k;
        const int token = threads * step + i + 1;
        auto raised = s.raise_fence("fence:7", token);
        failures.fetch_add(raised.ok() ? 0 : 1);
        if (raised.ok() && *raised && token == 400) {
          accepted_max.fetch_add(1);
        }
      }
    });
    CHECK(failures.load() == 0);
    CHECK(accepted_max.load() == 1);  // 400 is never below the fence, so its raise succeeds
    CHECK(value_of("fence:7") == opt_string{"400"});
    CHECK(SB_REQUIRE_OK(s.put_fenced("state:a", "v", "fence:7", 400)));
    CHECK_FALSE(SB_REQUIRE_OK(s.put_fenced("state:a", "w", "fence:7", 399)));
  }
}

// -- claims
// ----------------------------------------------------------------------------------------

/// Returns a claim of `once_key` (value `once_value`) on `counters`, with nothing else to write.
inline claim_request claim_of(std::string once_key, std::string once_value,
                              std::vector<claim_counter> counters) {
  claim_request req;
  req.once_key = std::move(once_key);
  req.once_value = std::move(once_value);
  req.counters = std::move(counters);
  return req;
}

/// Checks claim: claiming, retries, limits, puts and index adds, TTLs and rejected requests.
template <class Fixture>
void check_claims(Fixture& f) {
  store& s = f.store();
  using list = std::vector<scored_member>;
  auto value_of = [&s](const std::string& key) { return SB_REQUIRE_OK(s.get(key)); };
  SUBCASE("a first claim claims, writes once_key and bumps every counter") {
    SB_REQUIRE_OK(s.put("budget", "3"));
    auto out = SB_REQUIRE_OK(
        s.claim(claim_of("once", "order-1", {{"budget", 1, 10}, {"spent", 250, -1}})));
    CHECK(out.status == claim_status::claimed);
    CHECK(out.value == "order-1");
    CHECK(out.counter == -1);
    CHECK(value_of("once") == opt_string{"order-1"});
    CHECK(SB_REQUIRE_OK(s.ttl_ms("once")) == int64_t{0});
    CHECK(value_of("budget") == opt_string{"4"});   // 3 + 1
    CHECK(value_of("spent") == opt_string{"250"});  // absent = 0, + 250
  }
  SUBCASE("a repeated claim returns the first value and changes nothing") {
    SB_REQUIRE_OK(s.claim(claim_of("once", "first", {{"n", 1, -1}})));
    auto retry = claim_of("once", "second", {{"n", 1, -1}});
    retry.puts = {{"p", "x"}};
    retry.index_adds = {{"z", {"m", 1}}};
    auto out = SB_REQUIRE_OK(s.claim(retry));
    CHECK(out.status == claim_status::already_claimed);
    CHECK(out.value == "first");
    CHECK(value_of("once") == opt_string{"first"});
    CHECK(value_of("n") == opt_string{"1"});
    CHECK(value_of("p") == std::nullopt);
    CHECK(SB_REQUIRE_OK(s.sorted_set_size("z")) == 0);
  }
  SUBCASE("a claim that would pass a limit changes nothing and names the first such counter") {
    SB_REQUIRE_OK(s.put("a", "4"));
    SB_REQUIRE_OK(s.put("b", "9"));
    // a: 4 + 1 = 5 <= 10 passes; b: 9 + 2 = 11 > 10 is the first over; c: 0 + 5 > 3 too.
    auto req = claim_of("once", "v", {{"a", 1, 10}, {"b", 2, 10}, {"c", 5, 3}});
    req.puts = {{"p", "x"}};
    req.index_adds = {{"z", {"m", 1}}};
    auto out = SB_REQUIRE_OK(s.claim(req));
    CHECK(out.status == claim_status::limit_reached);
    CHECK(out.counter == 1);
    CHECK(out.value.empty());
    CHECK(value_of("once") == std::nullopt);
    CHECK(value_of("a") == opt_string{"4"});
    CHECK(value_of("b") == opt_string{"9"});
    CHECK(value_of("c") == std::nullopt);
    CHECK(value_of("p") == std::nullopt);
    CHECK(SB_REQUIRE_OK(s.sorted_set_size("z")) == 0);
    // Landing exactly on the limit is allowed: 9 + 1 = 10 <= 10.
    out = SB_REQUIRE_OK(s.claim(claim_of("once", "v", {{"b", 1, 10}})));
    CHECK(out.status == claim_status::claimed);
    CHECK(value_of("b") == opt_string{"10"});
  }
  SUBCASE("counters with a negative limit have none, and negative deltas refund") {
    for (int i = 0; i < 3; ++i) {
      auto out =
          SB_REQUIRE_OK(s.claim(claim_of("once" + std::to_string(i), "v", {{"n", 1'000'000}})));
      CHECK(out.status == claim_status::claimed);
    }
    CHECK(value_of("n") == opt_string{"3000000"});  // 3 x 1'000'000
    SB_REQUIRE_OK(s.claim(claim_of("refund", "v", {{"n", -3'000'001, 0}})));
    CHECK(value_of("n") == opt_string{"-1"});  // 3'000'000 - 3'000'001, and -1 <= 0
  }
  SUBCASE("a counter listed twice gets both deltas, each checked in order") {
    // 0 + 1 = 1 <= 1 passes, then 1 + 1 = 2 > 1 fails at index 1.
    auto out = SB_REQUIRE_OK(s.claim(claim_of("once", "v", {{"k", 1, 1}, {"k", 1, 1}})));
    CHECK(out.status == claim_status::limit_reached);
    CHECK(out.counter == 1);
    CHECK(value_of("k") == std::nullopt);
    out = SB_REQUIRE_OK(s.claim(claim_of("once", "v", {{"k", 1, 2}, {"k", 1, 2}})));
    CHECK(out.status == claim_status::claimed);
    CHECK(value_of("k") == opt_string{"2"});
  }
  SUBCASE("puts and index adds are written only by a claim that succeeds") {
    auto req = claim_of("once", "v", {{"budget", 1, 0}});
    req.puts = {{"coupon", "C-1"}, {"owner", "alice"}};
    req.index_adds = {{"by_due", {"C-1", 500}}, {"by_owner", {"alice", 7}}};
    CHECK(SB_REQUIRE_OK(s.claim(req)).status == claim_status::limit_reached);
    CHECK(value_of("coupon") == std::nullopt);
    CHECK(SB_REQUIRE_OK(s.sorted_set_size("by_due")) == 0);
    SB_REQUIRE_OK(s.put("owner", "old", 60'000));
    SB_REQUIRE_OK(s.sorted_set_add("by_due", "C-0", 900));
    req.counters[0].limit = 1;
    CHECK(SB_REQUIRE_OK(s.claim(req)).status == claim_status::claimed);
    CHECK(value_of("coupon") == opt_string{"C-1"});
    CHECK(value_of("owner") == opt_string{"alice"});
    CHECK(SB_REQUIRE_OK(s.ttl_ms("owner")) == int64_t{0});  // a put replaces the TTL too
    CHECK(SB_REQUIRE_OK(s.sorted_set_range_by_score("by_due", INT64_MIN, INT64_MAX, 10)) ==
          list{{"C-1", 500}, {"C-0", 900}});
    CHECK(SB_REQUIRE_OK(s.sorted_set_range_by_score("by_owner", INT64_MIN, INT64_MAX, 10)) ==
          list{{"alice", 7}});
  }
  SUBCASE("a counter that holds no integer fails the claim and changes nothing") {
    SB_REQUIRE_OK(s.put("bad", "abc"));
    auto req = claim_of("once", "v", {{"good", 1, -1}, {"bad", 1, -1}});
    req.puts = {{"p", "x"}};
    req.index_adds = {{"z", {"m", 1}}};
    CHECK(code_of(s.claim(req)) == errc::store_protocol);
    CHECK(value_of("once") == std::nullopt);
    CHECK(value_of("good") == std::nullopt);
    CHECK(value_of("bad") == opt_string{"abc"});
    CHECK(value_of("p") == std::nullopt);
    CHECK(SB_REQUIRE_OK(s.sorted_set_size("z")) == 0);
  }
  SUBCASE("counters are exact up to 2^53-1 and fail the claim beyond") {
    constexpr int64_t max = claim_exact_max;  // 9'007'199'254'740'991
    SB_REQUIRE_OK(s.put("near", std::to_string(max - 1)));
    auto out = SB_REQUIRE_OK(s.claim(claim_of("o1", "v", {{"near", 1, max}})));
    CHECK(out.status == claim_status::claimed);
    CHECK(value_of("near") == opt_string{"9007199254740991"});
    CHECK(code_of(s.claim(claim_of("o2", "v", {{"near", 1, -1}}))) == errc::store_protocol);
    SB_REQUIRE_OK(s.put("far", "9007199254740992"));
    CHECK(code_of(s.claim(claim_of("o3", "v", {{"far", 0, -1}}))) == errc::store_protocol);
    CHECK(value_of("near") == opt_string{"9007199254740991"});
    CHECK(value_of("o2") == std::nullopt);
    CHECK(value_of("o3") == std::nullopt);
  }
  SUBCASE("claims that no store could honour are invalid arguments and write nothing") {
    auto negative_ttl = claim_of("once", "v", {{"n", 1, -1}});
    negative_ttl.once_ttl_ms = -1;
    CHECK(code_of(s.claim(negative_ttl)) == errc::invalid_argument);
    CHECK(code_of(s.claim(claim_of("once", "v", {{"n", claim_exact_max + 1, -1}}))) ==
          errc::invalid_argument);
    CHECK(code_of(s.claim(claim_of("once", "v", {{"once", 1, -1}}))) == errc::invalid_argument);
    auto clash = claim_of("once", "v", {{"n", 1, -1}});
    clash.puts = {{"p", "x"}};
    clash.index_adds = {{"p", {"m", 1}}};
    CHECK(code_of(s.claim(clash)) == errc::invalid_argument);
    CHECK(value_of("once") == std::nullopt);
    CHECK(value_of("n") == std::nullopt);
    CHECK(value_of("p") == std::nullopt);
  }
  SUBCASE("keys and values of a claim may hold NUL bytes") {
    using namespace std::string_literals;
    auto req = claim_of("o\0x"s, "\0v"s, {{"n\0"s, 2, -1}});
    req.puts = {{"p\0"s, "\0"s}};
    CHECK(SB_REQUIRE_OK(s.claim(req)).status == claim_status::claimed);
    CHECK(value_of("o\0x"s) == opt_string{"\0v"s});
    CHECK(value_of("o"s) == std::nullopt);
    CHECK(value_of("n\0"s) == opt_string{"2"});
    CHECK(value_of("p\0"s) == opt_string{"\0"s});
    CHECK(SB_REQUIRE_OK(s.claim(req)).value == "\0v"s);
  }
  SUBCASE("a counter keeps its TTL through a claim") {
    SB_REQUIRE_OK(s.put("budget", "0", 60'000));
    SB_REQUIRE_OK(s.claim(claim_of("once", "v", {{"budget", 1, 5}})));
    CHECK(value_of("budget") == opt_string{"1"});
    CHECK(SB_REQUIRE_OK(s.ttl_ms("budget")).value_or(-1) > 0);
  }
  SUBCASE("once_ttl_ms expires the claim, after which it can be claimed again") {
    const int64_t ttl = Fixture::short_ttl;
    auto req = claim_of("once", "v", {{"n", 1, -1}});
    req.once_ttl_ms = ttl;
    CHECK(SB_REQUIRE_OK(s.claim(req)).status == claim_status::claimed);
    auto left = SB_REQUIRE_OK(s.ttl_ms("once"));
    REQUIRE(left.has_value());
    CHECK(*left > 0);
    CHECK(*left <= ttl);
    CHECK(SB_REQUIRE_OK(s.claim(req)).status == claim_status::already_claimed);
    if constexpr (Fixture::exact_time) {
      f.advance(ttl - 1);
      CHECK(SB_REQUIRE_OK(s.claim(req)).status == claim_status::already_claimed);
      f.advance(1);
    } else {
      CHECK(eventually(f, ttl + 5'000, [&] { return value_of("once") == std::nullopt; }));
    }
    CHECK(SB_REQUIRE_OK(s.claim(req)).status == claim_status::claimed);
    CHECK(value_of("n") == opt_string{"2"});  // one bump per claim that claimed
  }
}

/// Checks that claims stay exactly-once and within budget when 8 threads race: 8 x 500 claims
/// over 1,000 once_keys (each key claimed by 4 threads, in different orders) share one budget
/// counter with limit 700.
template <class Fixture>
void check_claim_concurrency(Fixture& f) {
  store& s = f.store();
  constexpr int threads = 8;
  constexpr int per_thread = 500;
  constexpr int keys = 1'000;
  constexpr int64_t budget = 700;
  struct seen {
    int key = 0;
    claim_status status = claim_status::claimed;
    std::string value;
  };
  std::vector<std::vector<seen>> outcomes(threads);
  std::atomic<int> failures{0};
  run_together(threads, [&](int t) {
    for (int i = 0; i < per_thread; ++i) {
      // Thread t claims keys 250t .. 250t+499 (mod 1,000): every key by 4 of the 8 threads.
      const int key = (i + 250 * t) % keys;
      auto out = s.claim(claim_of("once" + std::to_string(key), "t" + std::to_string(t),
                                  {{"budget", 1, budget}, {"claims", 1, -1}}));
      if (!out) {
        failures.fetch_add(1);
        continue;
      }
      outcomes[static_cast<size_t>(t)].push_back(seen{key, out->status, std::move(out->value)});
    }
  });
  REQUIRE(failures.load() == 0);
  std::vector<int> claimed(keys, 0);
  std::vector<int> refused(keys, 0);
  std::map<int, std::string> winner;
  for (int t = 0; t < threads; ++t) {
    for (const auto& o : outcomes[static_cast<size_t>(t)]) {
      claimed[static_cast<size_t>(o.key)] += o.status == claim_status::claimed ? 1 : 0;
      refused[static_cast<size_t>(o.key)] += o.status == claim_status::limit_reached ? 1 : 0;
      if (o.status == claim_status::claimed) {
        winner[o.key] = o.value;
      }
    }
  }
  int total = 0;
  int stored = 0;
  for (int k = 0; k < keys; ++k) {
    const auto i = static_cast<size_t>(k);
    total += claimed[i];
    CHECK_MESSAGE(claimed[i] <= 1, "once" << k << " claimed " << claimed[i] << " times");
    // The budget only grows, so a key refused once is never claimed later, nor earlier.
    CHECK_MESSAGE((claimed[i] == 0 || refused[i] == 0), "once" << k << " claimed and refused");
    auto value = SB_REQUIRE_OK(s.get("once" + std::to_string(k)));
    stored += value ? 1 : 0;
    CHECK(value == (claimed[i] == 1 ? opt_string{winner[k]} : std::nullopt));
  }
  CHECK(total == budget);
  CHECK(stored == budget);
  CHECK(SB_REQUIRE_OK(s.get("budget")) == opt_string{"700"});
  CHECK(SB_REQUIRE_OK(s.get("claims")) == opt_string{"700"});
  // Every retry saw the winner's value.
  int wrong = 0;
  for (const auto& per_thread_outcomes : outcomes) {
    for (const auto& o : per_thread_outcomes) {
      wrong += o.status == claim_status::already_claimed && o.value != winner[o.key] ? 1 : 0;
    }
  }
  CHECK(wrong == 0);
}

}  // namespace sb::test
