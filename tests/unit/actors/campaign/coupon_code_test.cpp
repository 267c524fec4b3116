// Coupon codes: unguessable, unique in practice and always of the published shape.
#include <doctest/doctest.h>

#include <string>
#include <unordered_set>

#include "actors/campaign/coupon_code.hpp"
#include "tests/support/require.hpp"

using namespace sb::campaigns;

TEST_CASE("coupon codes are unique over 100000 draws and well formed") {
  // 80 random bits: the chance of any repeat among 10^5 codes is about
  // (10^5)^2 / 2 / 2^80 ≈ 4e-15, so one repeat means the randomness is broken.
  std::unordered_set<std::string> seen;
  std::unordered_set<char> letters;
  for (int i = 0; i < 100'000; ++i) {
    auto code = SB_REQUIRE_OK(new_coupon_code());
    REQUIRE(is_coupon_code(code));
    REQUIRE(seen.insert(code).second);
    letters.insert(code.begin(), code.end());
  }
  // Every one of the 32 digits and the dash appear over that many codes.
  CHECK(letters.size() == 33);
  CHECK(letters.count('I') == 0);
  CHECK(letters.count('O') == 0);
}

TEST_CASE("only the exact shape counts as a coupon code") {
  CHECK(is_coupon_code("ABCD-EFGH-JKMN-PQRS"));
  CHECK(is_coupon_code("0000-1111-ZZZZ-9999"));
  CHECK_FALSE(is_coupon_code(""));
  CHECK_FALSE(is_coupon_code("ABCDEFGHJKMNPQRS"));      // no dashes
  CHECK_FALSE(is_coupon_code("abcd-efgh-jkmn-pqrs"));   // lower case
  CHECK_FALSE(is_coupon_code("ABCD-EFGH-JKMN-PQRU"));   // U is not a Crockford digit
  CHECK_FALSE(is_coupon_code("ABCD-EFGH-IKMN-PQRS"));   // nor is I
  CHECK_FALSE(is_coupon_code("ABC-DEFGH-JKMN-PQRS"));   // dash misplaced
  CHECK_FALSE(is_coupon_code("ABCD-EFGH-JKMN-PQRS-"));  // too long
}
