// Local times through ICU: a local midnight in Asia/Shanghai is 16:00 UTC the day before.
#include <doctest/doctest.h>

#include "actors/campaign/active_window.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;
using namespace sb::campaigns;

// 2026-11-01T00:00 in Shanghai = 2026-10-31T16:00Z. 2026-01-01 is day 20454 since 1970
// (56 × 365 + 14 leap days); 31 October is day 273 + 30 = 303 of the year (0-based):
// (20454 + 303) × 86 400 000 + 16 × 3 600 000 = 1 793 462 400 000.
constexpr int64_t shanghai_midnight = 1'793'462'400'000;

}  // namespace

TEST_CASE("a local midnight in shanghai is 16:00 utc the day before") {
  auto t = parse_local_time("2026-11-01T00:00");
  REQUIRE(t.has_value());
  CHECK(t->weekday == 7);  // a Sunday
  CHECK(SB_REQUIRE_OK(to_epoch_ms(*t, "Asia/Shanghai")) == shanghai_midnight);
  auto utc = SB_REQUIRE_OK(to_local(shanghai_midnight, "UTC"));
  CHECK(utc.day == 31);
  CHECK(utc.hour == 16);
  CHECK(utc.weekday == 6);
  auto back = SB_REQUIRE_OK(to_local(shanghai_midnight, "Asia/Shanghai"));
  CHECK(format_minute(back) == "2026-11-01 00:00");
  // One millisecond earlier it is still October in Shanghai.
  CHECK(format_minute(SB_REQUIRE_OK(to_local(shanghai_midnight - 1, "Asia/Shanghai"))) ==
        "2026-10-31 23:59");
}

TEST_CASE("daylight saving time is applied where the zone has it") {
  // Paris is UTC+1 in winter and UTC+2 in summer: 12:00 local on 2026-01-15 is 11:00Z and on
  // 2026-07-15 is 10:00Z. 2026-01-15 is day 20454 + 14 = 20468; 2026-07-15 is day
  // 20454 + 195 = 20649 (181 days to 1 July, + 14).
  auto winter = parse_local_time("2026-01-15T12:00");
  auto summer = parse_local_time("2026-07-15T12:00:00");
  REQUIRE(winter.has_value());
  REQUIRE(summer.has_value());
  CHECK(SB_REQUIRE_OK(to_epoch_ms(*winter, "Europe/Paris")) ==
        20468 * 86'400'000LL + 11 * 3'600'000LL);
  CHECK(SB_REQUIRE_OK(to_epoch_ms(*summer, "Europe/Paris")) ==
        20649 * 86'400'000LL + 10 * 3'600'000LL);
}

TEST_CASE("times before 1970 convert too") {
  // 1969-12-31T23:59Z is -60 000 ms; in Shanghai that is 1970-01-01 07:59, a Thursday.
  auto t = SB_REQUIRE_OK(to_local(-60'000, "Asia/Shanghai"));
  CHECK(format_minute(t) == "1970-01-01 07:59");
  CHECK(t.weekday == 4);
  auto utc = SB_REQUIRE_OK(to_local(-60'000, "UTC"));
  CHECK(format_minute(utc) == "1969-12-31 23:59");
  CHECK(utc.weekday == 3);
}

TEST_CASE("only well-formed possible local times parse") {
  CHECK(parse_local_time("2028-02-29T23:59").has_value());  // a leap day
  CHECK_FALSE(parse_local_time("2026-02-29T00:00").has_value());
  CHECK_FALSE(parse_local_time("2026-11-01 00:00").has_value());
  CHECK_FALSE(parse_local_time("2026-11-01").has_value());
  CHECK_FALSE(parse_local_time("2026-11-01T24:00").has_value());
  CHECK_FALSE(parse_local_time("2026-13-01T00:00").has_value());
  CHECK_FALSE(parse_local_time("2026-11-01T00:60").has_value());
}

TEST_CASE("unknown time zones are refused") {
  CHECK(is_time_zone("Asia/Shanghai"));
  CHECK(is_time_zone("UTC"));
  CHECK_FALSE(is_time_zone("Mars/Olympus"));
  CHECK_FALSE(is_time_zone(""));
  CHECK(test::code_of(to_local(0, "Mars/Olympus")) == errc::invalid_argument);
  CHECK(test::code_of(to_epoch_ms(local_time{}, "Mars/Olympus")) == errc::invalid_argument);
}
