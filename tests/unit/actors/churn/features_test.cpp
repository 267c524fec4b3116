// The feature names are the contract between the model file and the online scorer.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "actors/churn/features.hpp"

namespace {

using namespace sb;

}  // namespace

TEST_CASE("the feature names are the nine fields in declaration order") {
  const std::vector<std::string> expected{"conversation_length",
                                          "conversation_duration_min",
                                          "question_rate",
                                          "unresolved_turns",
                                          "negative_share",
                                          "price_objections",
                                          "days_since_last_order",
                                          "order_count",
                                          "tier"};
  CHECK(churn::feature_names() == expected);
}

TEST_CASE("to_map gives every field under its own name") {
  churn::features f;
  f.conversation_length = 1;
  f.conversation_duration_min = 2;
  f.question_rate = 0.3;
  f.unresolved_turns = 4;
  f.negative_share = 0.5;
  f.price_objections = 6;
  f.days_since_last_order = 7;
  f.order_count = 8;
  f.tier = 3;
  const auto m = churn::to_map(f);
  REQUIRE(m.size() == 9);
  CHECK(m.at("conversation_length") == 1);
  CHECK(m.at("conversation_duration_min") == 2);
  CHECK(m.at("question_rate") == 0.3);
  CHECK(m.at("unresolved_turns") == 4);
  CHECK(m.at("negative_share") == 0.5);
  CHECK(m.at("price_objections") == 6);
  CHECK(m.at("days_since_last_order") == 7);
  CHECK(m.at("order_count") == 8);
  CHECK(m.at("tier") == 3);
}

TEST_CASE("a person who never ordered counts 365 days since the last order") {
  CHECK(churn::never_ordered_days == 365);
}
