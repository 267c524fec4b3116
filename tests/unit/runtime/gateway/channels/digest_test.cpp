#include "runtime/gateway/channels/digest.hpp"

#include <doctest/doctest.h>

using namespace sb::channels;

TEST_CASE("sha1_hex gives the FIPS 180 test vectors in lowercase hex") {
  CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST_CASE("hmac_sha256_hex gives the RFC 4231 test vectors, also with an empty key") {
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hmac_sha256_hex("", "") ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("constant_time_equal compares contents and lengths") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK_FALSE(constant_time_equal("", "a"));
}

TEST_CASE("ascii_lower lowers only ASCII letters") {
  CHECK(ascii_lower("AbC-09\xC3\x89") == "abc-09\xC3\x89");
}
