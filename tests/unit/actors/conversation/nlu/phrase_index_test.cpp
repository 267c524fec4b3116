// Phrase matching on word boundaries, shared by intents, sentiment and the FAQ.
#include <doctest/doctest.h>

#include "actors/conversation/nlu/phrase_index.hpp"
#include "tests/support/nlu_fixtures.hpp"

namespace {

using namespace sb;
using words = std::vector<std::string>;

}  // namespace

TEST_CASE("a phrase matches one or more whole tokens and never part of one") {
  nlu::phrase_index index;
  CHECK(index.add("人工", 1));
  CHECK(index.add("转人工", 2));
  CHECK(index.add("Talk to a human", 3));
  CHECK(index.add("hi", 4));

  auto found = index.find_all({"我要", "转", "人工", "客服"});
  REQUIRE(found.size() == 2);
  CHECK(found[0].begin == 1);
  CHECK(found[0].end == 3);
  CHECK(*found[0].ids == std::vector<size_t>{2});
  CHECK(found[1].begin == 2);
  CHECK(*found[1].ids == std::vector<size_t>{1});

  CHECK(index.find_all({"人工智能"}).empty());
  CHECK(index.find_all({"this", "is"}).empty());
  auto phrase = index.find_all({"please", "talk", "to", "a", "human"});
  REQUIRE(phrase.size() == 1);
  CHECK(phrase[0].begin == 1);
  CHECK(phrase[0].end == 5);
}

TEST_CASE("the longest phrase at a position is preferred") {
  nlu::phrase_index index;
  CHECK(index.add("便宜", 1));
  CHECK(index.add("便宜一点", 2));
  const words tokens{"有没有", "便宜", "一点", "的"};
  CHECK_FALSE(index.longest_at(tokens, 0).has_value());
  auto m = index.longest_at(tokens, 1);
  REQUIRE(m.has_value());
  CHECK(m->end == 3);
  CHECK(*m->ids == std::vector<size_t>{2});
  CHECK_FALSE(index.longest_at(tokens, 4).has_value());
}

TEST_CASE("phrases are folded like messages and a phrase of punctuation is refused") {
  nlu::phrase_index index;
  CHECK(index.add("ＷＩ-ＦＩ", 7));
  CHECK_FALSE(index.add("？！…", 8));
  CHECK(index.find("wi-fi") != nullptr);
  CHECK(index.find_all(test::plain_segmenter().cut("Wi-Fi 6 好用吗")).size() == 1);
  CHECK(test::joined(nlu::fold_all({"Hello", "，", "ＯＫ"})) == "hello | ok");
}
