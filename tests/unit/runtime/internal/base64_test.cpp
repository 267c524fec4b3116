#include "runtime/internal/base64.hpp"

#include <doctest/doctest.h>

#include <string>

using sb::internal::base64_decode;
using sb::internal::base64_encode;

TEST_CASE("base64 encodes the RFC 4648 test vectors") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode(std::string("\0\xff\xfe", 3)) == "AP/+");
}

TEST_CASE("base64 decodes what it encodes, with or without padding") {
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    CHECK(base64_decode(base64_encode(s)) == s);
  }
  CHECK(base64_decode("Zg") == std::string("f"));
  CHECK(base64_decode("Zm8") == std::string("fo"));
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  CHECK(base64_decode(base64_encode(all)) == all);
}

TEST_CASE("base64 refuses text that is not canonical standard base64") {
  CHECK_FALSE(base64_decode("Z").has_value());     // a lone sextet
  CHECK_FALSE(base64_decode("Zh==").has_value());  // non-zero leftover bits
  CHECK_FALSE(base64_decode("Zg=").has_value());   // partial padding
  CHECK_FALSE(base64_decode("Z===").has_value());
  CHECK_FALSE(base64_decode("====").has_value());
  CHECK_FALSE(base64_decode("Zm9v\n").has_value());    // whitespace
  CHECK_FALSE(base64_decode("Zm-_").has_value());      // URL-safe alphabet
  CHECK_FALSE(base64_decode("Zg==Zg==").has_value());  // padding in the middle
}
