#include "runtime/gateway/channels/app_signature.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <string>

#include "runtime/gateway/channels/digest.hpp"
#include "tests/support/require.hpp"

using namespace sb;
using namespace sb::channels;
using sb::test::code_of;

namespace {

constexpr int64_t now = 1'700'000'000;
const std::string secret = "app-secret";
const std::string body = R"({"person":"u-1","text":"hi"})";

}  // namespace

TEST_CASE("app_signature is the hex HMAC-SHA256 of timestamp, a dot and the body") {
  // Computed with Python's hmac module.
  CHECK(app_signature(secret, "1700000000", body) ==
        "94cad1826ccae833a308ee5b5b62848085a47730a8bd5bc51c0bfe29546fcca8");
  CHECK(app_signature(secret, "1700000000", body) == hmac_sha256_hex(secret, "1700000000." + body));
  CHECK(app_signature(secret, "1", "2") != app_signature(secret, "12", ""));
}

TEST_CASE("a request signed with the secret within the skew verifies") {
  const std::string ts = std::to_string(now);
  auto sig = app_signature(secret, ts, body);
  CHECK(code_of(verify_app_request(secret, ts, sig, body, now)) == errc::ok);
  CHECK(code_of(verify_app_request(secret, ts, ascii_lower(sig), body, now + 300)) == errc::ok);
  CHECK(code_of(verify_app_request(secret, ts, sig, body, now - 300)) == errc::ok);
  std::string upper = sig;
  for (auto& ch : upper)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  CHECK(code_of(verify_app_request(secret, ts, upper, body, now)) == errc::ok);
}

TEST_CASE("a request with a wrong signature, body, secret or timestamp does not verify") {
  const std::string ts = std::to_string(now);
  auto sig = app_signature(secret, ts, body);
  CHECK(code_of(verify_app_request(secret, ts, sig, body + " ", now)) == errc::invalid_argument);
  CHECK(code_of(verify_app_request("other", ts, sig, body, now)) == errc::invalid_argument);
  CHECK(code_of(verify_app_request(secret, std::to_string(now + 1), sig, body, now)) ==
        errc::invalid_argument);
  CHECK(code_of(verify_app_request(secret, ts, sig.substr(1), body, now)) ==
        errc::invalid_argument);
  CHECK(code_of(verify_app_request(secret, ts, "", body, now)) == errc::invalid_argument);
  CHECK(code_of(verify_app_request("", ts, app_signature("", ts, body), body, now)) ==
        errc::invalid_argument);
}

TEST_CASE("a request too old, too new, without or with a non-numeric timestamp is refused") {
  auto check = [](const std::string& ts, int64_t at, int64_t skew = 300) {
    return code_of(verify_app_request(secret, ts, app_signature(secret, ts, body), body, at, skew));
  };
  CHECK(check(std::to_string(now), now + 301) == errc::invalid_argument);
  CHECK(check(std::to_string(now), now - 301) == errc::invalid_argument);
  CHECK(check(std::to_string(now), now + 10, 5) == errc::invalid_argument);
  for (const char* ts : {"", "-1700000000", "+1700000000", " 1700000000", "1700000000 ", "17e8",
                         "0x1", "99999999999999999999"}) {
    CAPTURE(ts);
    CHECK(check(ts, now) == errc::invalid_argument);
  }
}

TEST_CASE("check_timestamp returns the seconds of a fresh timestamp and says why it refuses one") {
  CHECK(SB_REQUIRE_OK(check_timestamp("1700000000", now, 0)) == now);
  auto old = check_timestamp("1699999000", now, 300);
  REQUIRE_FALSE(old.ok());
  CHECK(old.err().message.find("1000 s old") != std::string::npos);
  auto future = check_timestamp("1700001000", now, 300);
  REQUIRE_FALSE(future.ok());
  CHECK(future.err().message.find("in the future") != std::string::npos);
}

TEST_CASE("replay_key names the signature, whatever its hex case") {
  CHECK(replay_key("ABCdef01") == "replay:app:abcdef01");
  CHECK(replay_key("abcdef01") == replay_key("ABCDEF01"));
}
