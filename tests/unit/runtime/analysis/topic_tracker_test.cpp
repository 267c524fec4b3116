#include "runtime/analysis/topic_tracker.hpp"

#include <doctest/doctest.h>

namespace {

using sb::topic_tracker;
constexpr int64_t minute = 60'000;

}  // namespace

TEST_CASE("the hottest intents, products and words are ranked over the span asked for") {
  topic_tracker t;
  const int64_t t0 = 1'795'572'000'000;
  t.add(t0, "product_inquiry", {"SKU-1"}, {"降噪耳机", "推荐"});
  t.add(t0 + 30 * minute, "product_inquiry", {"SKU-1", "SKU-2"}, {"降噪耳机"});
  t.add(t0 + 50 * minute, "order_status", {}, {"订单"});
  auto all = t.top(t0, 10);
  CHECK(all.messages == 3);
  REQUIRE(all.intents.size() == 2);
  CHECK(all.intents[0] == topic_tracker::ranked{"product_inquiry", 2});
  CHECK(all.intents[1] == topic_tracker::ranked{"order_status", 1});
  CHECK(all.products[0] == topic_tracker::ranked{"SKU-1", 2});
  CHECK(all.words[0] == topic_tracker::ranked{"降噪耳机", 2});
  // The last 25 minutes hold only the second and third messages.
  auto recent = t.top(t0 + 25 * minute, 10);
  CHECK(recent.messages == 2);
  CHECK(recent.words.size() == 2);
  CHECK(t.top(t0, 1).words.size() == 1);
}

TEST_CASE("counts older than the horizon are forgotten") {
  topic_tracker t{minute, 60 * minute};
  t.add(0, "greeting", {}, {});
  t.add(2 * 60 * minute, "thanks_bye", {}, {});
  auto all = t.top(0, 10);
  CHECK(all.messages == 1);
  CHECK(all.intents[0].name == "thanks_bye");
}

TEST_CASE("topic words keep content words and drop numbers, masks and function words") {
  CHECK(sb::topic_words({"我", "想", "买", "一款", "降噪耳机"}) ==
        std::vector<std::string>{"降噪耳机"});
  CHECK(sb::topic_words({"138****5678", "手机号", "a1002", "订单", "订单"}) ==
        std::vector<std::string>{"手机号", "订单"});
  CHECK(sb::topic_words({"the", "noise", "cancelling", "ok"}) ==
        std::vector<std::string>{"noise", "cancelling"});
  CHECK(sb::topic_words({"耳机", "音箱", "手表"}, 2).size() == 2);
}
