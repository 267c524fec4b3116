#include "runtime/json_nesting.hpp"

#include <doctest/doctest.h>

#include <string>

#include "actors/agent_pool/agent_pool_logic.hpp"
#include "actors/user/profile_logic.hpp"

TEST_CASE("nesting up to the limit passes and one level more does not") {
  CHECK(sb::json_nesting_within("{}", 1));
  CHECK(sb::json_nesting_within(R"({"a":[1,{"b":2}]})", 3));
  CHECK_FALSE(sb::json_nesting_within(R"({"a":[1,{"b":2}]})", 2));
  CHECK(sb::json_nesting_within("[][][]", 1));
}

TEST_CASE("brackets inside strings, escaped quotes included, do not count") {
  CHECK(sb::json_nesting_within(R"({"a":"[[[[{{{{"})", 1));
  CHECK(sb::json_nesting_within(R"({"a":"\"[[[[\""})", 1));
  CHECK_FALSE(sb::json_nesting_within(R"({"a":"\\"}[[)", 1));  // "\\" ends the string
}

TEST_CASE("stored profiles and desk states nested absurdly deep are refused before parsing") {
  std::string deep = R"({"tags":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto p = sb::profile_from_json(deep);
  REQUIRE_FALSE(p.ok());
  CHECK(p.err().code == sb::errc::decode_malformed);
  auto pool = sb::agent_pool_logic::from_json(deep);
  REQUIRE_FALSE(pool.ok());
  CHECK(pool.err().code == sb::errc::decode_malformed);
}
