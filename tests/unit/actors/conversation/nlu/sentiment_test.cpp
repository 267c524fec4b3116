// Sentiment and price objections with the shipped config/lexicon/sentiment.yaml: negation,
// intensifiers, words the dictionary keeps whole, and the errors of bad lexicon files.
#include <doctest/doctest.h>

#include <algorithm>

#include <fstream>
#include <string>

#include "actors/conversation/nlu/sentiment.hpp"
#include "tests/support/nlu_fixtures.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;

nlu::sentiment_result mood(std::string_view text) {
  return nlu::analyze(test::shipped_lexicon(), nlu::clause_tokens(test::plain_segmenter(), text));
}

struct lexicon_file {
  test::temp_dir dir = SB_REQUIRE_OK(test::temp_dir::create("sb-sentiment-test"));

  std::string write(const std::string& text) const {
    auto path = dir.file("sentiment.yaml");
    std::ofstream{path} << text;
    return path;
  }

  error load_error(const std::string& text) const {
    auto r = nlu::load_lexicon(write(text));
    REQUIRE_FALSE(r.ok());
    return r.err();
  }

  std::string at(int line, int column) const {
    return dir.file("sentiment.yaml") + ":" + std::to_string(line) + ":" + std::to_string(column) +
           ": ";
  }
};

}  // namespace

// -- the required sentences -----------------------------------------------------------------------

TEST_CASE("a negation does not reach past the end of its clause") {
  // 不 negates 回复, not 失望 in the next clause: the whole stays negative.
  CHECK(mood("客服一直不回复，太失望了").score < 0);
  CHECK(mood("客服一直不回复。太失望了").score < 0);
  // Without the comma the negation would turn 失望 around; within one clause it still does.
  CHECK(mood("不失望").score > mood("失望").score);
  auto tokens = nlu::clause_tokens(test::plain_segmenter(), "你好，不贵! ok. 3.5寸");
  CHECK(std::count(tokens.begin(), tokens.end(), std::string{nlu::clause_break}) == 3);
  CHECK(std::find(tokens.begin(), tokens.end(), "3.5") != tokens.end());
}

TEST_CASE("not expensive is neither a price objection nor negative") {
  auto r = mood("不贵");
  CHECK_FALSE(r.price_objection);
  CHECK(r.score >= 0.0);
  CHECK_FALSE(r.strong_negative);
}

TEST_CASE("too expensive is a price objection") {
  auto r = mood("太贵了");
  CHECK(r.price_objection);
  CHECK(r.score < 0.0);
  CHECK_FALSE(r.strong_negative);
}

TEST_CASE("poor quality and great disappointment are strongly negative") {
  auto r = mood("质量太差了，非常失望");
  CHECK(r.strong_negative);
  CHECK(r.score < -0.9);
  CHECK_FALSE(r.price_objection);
}

TEST_CASE("very good and very satisfied is positive") {
  auto r = mood("很好，非常满意");
  CHECK(r.score > 0.9);
  CHECK_FALSE(r.strong_negative);
}

TEST_CASE("not bad is not negative") {
  auto r = mood("not bad");
  CHECK(r.score > 0.0);
  CHECK(r.score < 0.5);  // mild: not praise either
}

TEST_CASE("terrible and so angry is strongly negative") {
  auto r = mood("this is terrible, I'm so angry");
  CHECK(r.strong_negative);
  CHECK(r.score < -0.9);
}

TEST_CASE("the required moods hold when the node adds its domain words to the dictionary") {
  const auto& seg = test::domain_segmenter();
  const auto& lex = test::shipped_lexicon();
  CHECK_FALSE(nlu::analyze(lex, seg.cut("不贵")).price_objection);
  CHECK(nlu::analyze(lex, seg.cut("太贵了")).price_objection);
  CHECK(nlu::analyze(lex, seg.cut("有没有便宜一点的")).price_objection);
  CHECK(nlu::analyze(lex, seg.cut("质量太差了，非常失望")).strong_negative);
  CHECK(nlu::analyze(lex, seg.cut("客服态度太差，我要投诉")).score < -0.8);
  CHECK(nlu::analyze(lex, seg.cut("很好，非常满意")).score > 0.9);
}

// -- how words combine ----------------------------------------------------------------------------

TEST_CASE("a softening word keeps a disappointment from being strongly negative") {
  const auto some = mood("有点失望");
  const auto plain = mood("失望");
  CHECK(some.score < 0.0);
  CHECK_FALSE(some.strong_negative);
  CHECK(plain.strong_negative);
  CHECK(mood("非常失望").score < plain.score);
}

TEST_CASE("negation turns praise into complaint and a problem into reassurance") {
  CHECK(mood("不太满意").score < -0.5);  // 不 + 太 + 满意, or 不太 + 满意 with domain words
  CHECK(mood("不满意").strong_negative);
  CHECK(mood("没问题").score > 0.0);
  CHECK(mood("no problem").score > 0.0);
  CHECK(mood("I don't like it").score < 0.0);
  CHECK(mood("不是不好").score > 0.0);  // two negations cancel
}

TEST_CASE("a negation only reaches a few words ahead") {
  CHECK(mood("not a very good one").score < 0.0);
  CHECK(mood("no, I really think this is good").score > 0.0);
}

TEST_CASE("price objections in chinese and english are recognised") {
  for (const char* text :
       {"能便宜点吗", "有没有便宜一点的", "太贵了，有没有便宜一点的", "可以打折吗", "too pricey",
        "that's way too expensive", "any discount?"}) {
    CHECK_MESSAGE(mood(text).price_objection, std::string{text});
  }
}

TEST_CASE("cheap things and negated prices are no objection") {
  for (const char* text :
       {"这个很便宜", "not too expensive", "不算贵", "价格还可以", "我想买耳机"}) {
    CHECK_MESSAGE(!mood(text).price_objection, std::string{text});
  }
  CHECK(mood("这个很便宜").score > 0.0);
}

TEST_CASE("a neutral or empty message scores zero") {
  CHECK(mood("").score == 0.0);
  CHECK(mood("我想买一款降噪耳机").score == 0.0);
  CHECK(nlu::analyze(test::shipped_lexicon(), {}).score == 0.0);
}

TEST_CASE("scores stay between minus one and one however many words pile up") {
  auto r = mood("垃圾垃圾垃圾，骗子，太差太差太差，非常非常失望，愤怒愤怒");
  CHECK(r.score >= -1.0);
  CHECK(r.score < -0.99);
  CHECK(r.strong_negative);
}

TEST_CASE("tokens given directly are folded before matching") {
  auto r = nlu::analyze(test::shipped_lexicon(), {"NOT", "Bad"});
  CHECK(r.score > 0.0);
}

// -- the file -------------------------------------------------------------------------------------

TEST_CASE("the shipped lexicon has its documented settings") {
  CHECK(test::shipped_lexicon().strong_negative_threshold() == doctest::Approx(-0.6));
  CHECK(test::shipped_lexicon().negation_window() == 3);
}

TEST_CASE_FIXTURE(lexicon_file, "the strong negative threshold is configurable") {
  auto lex = SB_REQUIRE_OK(nlu::load_lexicon(
      write("strong_negative_threshold: -0.9\nnegative:\n  失望: 2\nnegations: [不]\n")));
  const auto tokens = test::plain_segmenter().cut("失望");
  CHECK_FALSE(nlu::analyze(lex, tokens).strong_negative);
  CHECK(nlu::analyze(lex, tokens).score < 0.0);
}

TEST_CASE_FIXTURE(lexicon_file, "an unknown key is reported where it is") {
  auto err = load_error("positive:\n  好: 1\nnegatives:\n  差: 1\n");
  CHECK(err.code == errc::config_unknown_key);
  CHECK(err.message == at(3, 1) +
                           "negatives: unknown key (expected one of "
                           "strong_negative_threshold, negation_window, positive, "
                           "negative, negations, intensifiers, price_objections)");
}

TEST_CASE_FIXTURE(lexicon_file, "values of the wrong type or out of range are reported") {
  auto err = load_error(
      "negation_window: three\nstrong_negative_threshold: 0.5\npositive:\n  好: 1\n  棒: lots\n"
      "  赞: 20\nnegations: {不: 1}\n");
  CHECK(err.code == errc::config_bad_value);
  CHECK(err.message == at(1, 18) + "negation_window: expected a whole number, found \"three\"\n" +
                           at(2, 28) +
                           "strong_negative_threshold: must be between -1 and -0.05, not 0.5\n" +
                           at(5, 6) + "positive.棒: expected a number, found \"lots\"\n" +
                           at(6, 6) + "positive.赞: must be between 0.01 and 10, not 20\n" +
                           at(7, 12) + "negations: expected a list of words, found a map");
}

TEST_CASE_FIXTURE(lexicon_file, "a word cannot be both positive and negative") {
  auto err = load_error("positive:\n  好: 1\nnegative:\n  差: 1\n  好: 2\n");
  CHECK(err.code == errc::config_bad_value);
  CHECK(err.message == at(5, 3) +
                           "negative.好: \"好\" is already under positive (line 2); a word "
                           "can have one meaning");
}

TEST_CASE_FIXTURE(lexicon_file, "a price word may also be negative") {
  auto lex = SB_REQUIRE_OK(
      nlu::load_lexicon(write("negative:\n  贵: 0.5\nprice_objections: [贵]\nnegations: [不]\n")));
  auto r = nlu::analyze(lex, {"太", "贵"});
  CHECK(r.price_objection);
  CHECK(r.score < 0.0);
}
