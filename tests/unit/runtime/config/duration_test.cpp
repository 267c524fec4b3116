#include <doctest/doctest.h>

#include <cstdint>

#include "runtime/config/node_config.hpp"

namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

milliseconds parsed(std::string_view text) {
  auto d = sb::parse_duration(text);
  REQUIRE_MESSAGE(d.ok(), d.err().message);
  return *d;
}

std::string rejection(std::string_view text) {
  auto d = sb::parse_duration(text);
  REQUIRE_FALSE(d.ok());
  CHECK(d.err().code == sb::errc::config_bad_value);
  return d.err().message;
}

}  // namespace

TEST_CASE("durations parse with every unit and with units combined largest first") {
  CHECK(parsed("250ms") == 250ms);
  CHECK(parsed("30s") == 30s);
  CHECK(parsed("30m") == 30min);
  CHECK(parsed("72h") == 72h);
  CHECK(parsed("2d") == 48h);
  CHECK(parsed("1h30m") == 90min);
  CHECK(parsed("1d2h3m4s5ms") == 24h + 2h + 3min + 4s + 5ms);
  CHECK(parsed("0s") == 0ms);
  CHECK(parsed("90m") == 90min);
}

TEST_CASE("a bare number is not a duration, and the message says a unit is required") {
  auto message = rejection("30");
  CHECK(message.find("a bare number has no unit") != std::string::npos);
  CHECK(message.find("\"30s\"") != std::string::npos);
  CHECK(rejection("1h30").find("the last number has no unit") != std::string::npos);
}

TEST_CASE("malformed durations are rejected with the reason") {
  CHECK(rejection("") == "a duration cannot be empty");
  CHECK(rejection("-5s") == "a duration cannot be negative");
  CHECK(rejection("1.5h").find("fractions are not supported") == 0);
  CHECK(rejection("5x").find("unknown unit \"x\"") == 0);
  CHECK(rejection("5S").find("unknown unit \"S\"") == 0);
  CHECK(rejection("30m1h").find("units must go from largest to smallest") == 0);
  CHECK(rejection("1h1h").find("units must go from largest to smallest") == 0);
  CHECK(rejection("h") == "expected a number at \"h\"");
  CHECK(rejection("1h 30m") == "expected a number at \" 30m\"");
  CHECK(rejection("1h+30m") == "expected a number at \"+30m\"");
  CHECK(rejection("99999999999999999999d") == "the number 99999999999999999999 is too large");
  CHECK(rejection("9999999999999d") == "the duration is too long");
}

TEST_CASE("format_duration gives the shortest text, preferring the larger leading unit on a tie") {
  CHECK(sb::format_duration(0ms) == "0s");
  CHECK(sb::format_duration(1ms) == "1ms");
  CHECK(sb::format_duration(1000ms) == "1s");
  CHECK(sb::format_duration(90s) == "90s");
  CHECK(sb::format_duration(90min) == "90m");
  CHECK(sb::format_duration(2h + 5min) == "2h5m");
  CHECK(sb::format_duration(24h) == "1d");
  CHECK(sb::format_duration(24h + 1ms) == "1d1ms");
  CHECK(sb::format_duration(1500ms) == "1500ms");
  CHECK(sb::format_duration(61s) == "61s");
  CHECK(sb::format_duration(-5ms) == "-5ms");
}

TEST_CASE("formatted durations parse back to the same value") {
  // A fixed linear congruential sequence: many shapes of value, the same ones on every run.
  uint64_t state = 42;
  for (int i = 0; i < 2000; ++i) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    const auto value = milliseconds{static_cast<int64_t>(state >> (1 + state % 40))};
    CAPTURE(value.count());
    CHECK(parsed(sb::format_duration(value)) == value);
  }
  const auto largest = milliseconds{INT64_MAX};
  CHECK(parsed(sb::format_duration(largest)) == largest);
}
