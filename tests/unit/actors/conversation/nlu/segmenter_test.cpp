// Word segmentation: the shopping sentences of LIBRARY-NOTES §8 (cut as jieba cuts them without
// its HMM), English and mixed text, domain words, bad bytes, and dictionary errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <thread>

#include "actors/conversation/nlu/segmenter.hpp"
#include "tests/support/nlu_fixtures.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;
using nlu::segmenter;
using words = std::vector<std::string>;

words cut(std::string_view text) {
  return test::plain_segmenter().cut(text);
}

// A token is well-formed when folding it again changes nothing: valid UTF-8, no separators.
bool well_formed(const std::string& token) {
  return !token.empty() && nlu::fold(token) == token && nlu::is_single_word(token);
}

struct dictionary_file {
  test::temp_dir dir = SB_REQUIRE_OK(test::temp_dir::create("sb-segmenter-test"));

  std::string write(const std::string& text) const {
    auto path = dir.file("dict.txt");
    std::ofstream{path} << text;
    return path;
  }
};

}  // namespace

// -- the sentences of LIBRARY-NOTES §8 ------------------------------------------------------------

TEST_CASE("a purchase sentence keeps noise cancelling and headphones as words") {
  auto tokens = cut("我想买一款降噪耳机");
  CHECK(test::joined(tokens) == "我 | 想 | 买 | 一款 | 降噪 | 耳机");
}

TEST_CASE("a price objection is cut into its words and the punctuation is dropped") {
  auto tokens = cut("太贵了，有没有便宜一点的");
  CHECK(test::joined(tokens) == "太贵 | 了 | 有没有 | 便宜 | 一点 | 的");
}

TEST_CASE("asking for a human is two words unless it is added as a domain word") {
  CHECK(test::joined(cut("转人工")) == "转 | 人工");
  auto seg = SB_REQUIRE_OK(
      segmenter::load(test::jieba_dictionary, {{"转人工", segmenter::domain_frequency}}));
  CHECK(test::joined(seg.cut("转人工")) == "转人工");
  CHECK(test::joined(seg.cut("我要转人工")) == "我 | 要 | 转人工");
}

TEST_CASE("a question about battery life keeps the number and the product words") {
  auto tokens = cut("这款耳机续航10小时吗？");
  CHECK(test::joined(tokens) == "这 | 款 | 耳机 | 续航 | 10 | 小时 | 吗");
}

TEST_CASE("a phone number stays one token") {
  CHECK(test::joined(cut("我的手机号是13812345678")) == "我 | 的 | 手机号 | 是 | 13812345678");
}

TEST_CASE("not expensive is a negation and an adjective") {
  CHECK(test::joined(cut("不贵")) == "不 | 贵");
}

// -- English and mixed text -----------------------------------------------------------------------

TEST_CASE("english words are lower-cased and an order number stays whole") {
  CHECK(test::joined(cut("Where is my order #A1002?")) == "where | is | my | order | a1002");
}

TEST_CASE("latin runs inside chinese text stay whole") {
  CHECK(test::joined(cut("iPhone15的手机壳有吗")) == "iphone15 | 的 | 手机 | 壳 | 有 | 吗");
  CHECK(test::joined(cut("请帮我查一下订单A1002的物流")) ==
        "请 | 帮 | 我 | 查 | 一下 | 订单 | a1002 | 的 | 物流");
}

TEST_CASE("a dictionary word that mixes a latin letter and chinese is found") {
  CHECK(test::joined(cut("买件T恤")) == "买 | 件 | t恤");
}

TEST_CASE("full-width letters and digits read as ascii") {
  CHECK(test::joined(cut("ＡＢＣ１２３耳机")) == "abc123 | 耳机");
  CHECK(test::joined(cut("续航１０小时")) == "续航 | 10 | 小时");
}

TEST_CASE("apostrophes, decimal points and hyphens inside a latin word keep it whole") {
  CHECK(test::joined(cut("I'm so angry, don’t do that!!!")) ==
        "i'm | so | angry | don't | do | that");
  CHECK(test::joined(cut("3.5mm jack, wi-fi 6.")) == "3.5mm | jack | wi-fi | 6");
  CHECK(test::joined(cut("-hello- 'quoted'")) == "hello | quoted");
}

TEST_CASE("accented latin letters belong to their word and other scripts are single tokens") {
  CHECK(test::joined(cut("Café CRÈME")) == "café | crème");
  CHECK(test::joined(cut("好评👍👍")) == "好评 | 👍 | 👍");
}

// -- edge cases -----------------------------------------------------------------------------------

TEST_CASE("empty text and text of punctuation and spaces only give no tokens") {
  CHECK(cut("").empty());
  CHECK(cut("  ，。！？…… ?!  \t\n").empty());
}

TEST_CASE("invalid utf-8 bytes are dropped and the valid text around them is cut") {
  auto tokens = cut("\xff\xfe耳机\x80坏了\xc3");
  CHECK(test::joined(tokens) == "耳机 | 坏 | 了");
  CHECK(test::joined(cut("耳\xe6\x9c")) == "耳");  // truncated sequence at the end
  CHECK(cut("\xed\xa0\x80\xc0\xaf").empty());      // a surrogate and an overlong slash
  CHECK(test::joined(cut("\xf4\x90\x80\x80"
                         "ok")) == "ok");  // beyond U+10FFFF
}

TEST_CASE("random bytes never crash the segmenter and give well-formed tokens") {
  std::mt19937 rng{20240611};
  std::uniform_int_distribution<int> byte{0, 255};
  std::uniform_int_distribution<size_t> length{0, 64};
  const std::string chinese = "我想买一款降噪耳机";
  for (int round = 0; round < 5000; ++round) {
    std::string text;
    for (size_t n = length(rng); n > 0; --n) {
      text += static_cast<char>(byte(rng));
      if (byte(rng) < 40) {
        text += chinese.substr(static_cast<size_t>(byte(rng)) % chinese.size());
      }
    }
    for (const auto& token : cut(text)) {
      REQUIRE_MESSAGE(well_formed(token), "token of input round " << round);
    }
  }
}

TEST_CASE("cutting from several threads at once gives the same words as from one") {
  const words sentences{"我想买一款降噪耳机", "太贵了，有没有便宜一点的",
                        "Where is my order #A1002?", "这款耳机续航10小时吗？"};
  std::vector<std::vector<words>> results(4);
  std::vector<std::thread> threads;
  for (auto& out : results) {
    threads.emplace_back([&sentences, &out] {
      for (int i = 0; i < 200; ++i) {
        for (const auto& s : sentences) {
          out.push_back(test::plain_segmenter().cut(s));
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (const auto& out : results) {
    for (size_t i = 0; i < out.size(); ++i) {
      CHECK(out[i] == cut(sentences[i % sentences.size()]));
    }
  }
}

// -- the dictionary -------------------------------------------------------------------------------

TEST_CASE("jieba's dictionary loads all its words into a compact array") {
  const auto& seg = test::plain_segmenter();
  CHECK(seg.size() > 349000);
  CHECK(seg.memory_bytes() < 12u * 1024 * 1024);
  CHECK(seg.contains("降噪"));
  CHECK(seg.contains("4S店"));  // folded like the text it is compared with
  CHECK_FALSE(seg.contains("降噪耳机"));
}

TEST_CASE_FIXTURE(dictionary_file, "the cut is the path of highest probability through the words") {
  // The classic: 研究生 (graduate student) loses to 研究 + 生命 once the rest of the sentence
  // counts.
  auto seg = SB_REQUIRE_OK(
      segmenter::load(write("研究 100\n生命 100\n研究生 100\n命 1\n起源 100 n\n"), {}));
  CHECK(test::joined(seg.cut("研究生命起源")) == "研究 | 生命 | 起源");
  CHECK(test::joined(seg.cut("研究生")) == "研究生");
  CHECK(test::joined(seg.cut("未知字")) == "未 | 知 | 字");
}

TEST_CASE_FIXTURE(dictionary_file, "extra words are added but a dictionary word keeps its own") {
  const auto dict = write(
      "\xEF\xBB\xBF"
      "研究 100\r\n生命 100\r\n研究生 100\r\n\r\n命 1\n起源 100\n");
  auto seg = SB_REQUIRE_OK(segmenter::load(dict, {{"研究生", 100000}, {"微信", 100000}}));
  CHECK(test::joined(seg.cut("研究生命起源")) == "研究 | 生命 | 起源");
  CHECK(test::joined(seg.cut("微信支付")) == "微信 | 支 | 付");
  CHECK(seg.contains("微信"));
}

TEST_CASE("a suggested frequency wins over the word's own pieces but not over its neighbours") {
  auto seg = SB_REQUIRE_OK(
      segmenter::load(test::jieba_dictionary, {{"贵了", segmenter::suggested_frequency},
                                               {"转人工", segmenter::suggested_frequency},
                                               {"没有", segmenter::domain_frequency}}));
  CHECK(test::joined(seg.cut("转人工")) == "转人工");
  CHECK(test::joined(seg.cut("贵了")) == "贵了");
  CHECK(test::joined(seg.cut("太贵了")) == "太贵 | 了");
  CHECK(test::joined(seg.cut("有没有便宜一点的")) == "有没有 | 便宜 | 一点 | 的");
  auto forced = SB_REQUIRE_OK(
      segmenter::load(test::jieba_dictionary, {{"贵了", segmenter::domain_frequency}}));
  CHECK(test::joined(forced.cut("太贵了")) == "太 | 贵了");
}

TEST_CASE("domain words from keywords boost whole words of two characters or more") {
  auto extra = nlu::as_domain_words({"转人工", "Ａ1002", "贵", "talk to a human", "T恤", "", "？"});
  CHECK(extra ==
        std::vector<std::pair<std::string, int64_t>>{{"转人工", segmenter::suggested_frequency},
                                                     {"t恤", segmenter::suggested_frequency}});
  CHECK(nlu::is_single_word("iPhone15"));
  CHECK_FALSE(nlu::is_single_word("iPhone 15"));
  CHECK(nlu::fold("Where is my order #A1002?") == "whereismyordera1002");
}

TEST_CASE("a missing dictionary is an i/o error naming the file") {
  auto r = segmenter::load("/nonexistent/dict.txt", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_io);
  CHECK(r.err().message == "/nonexistent/dict.txt: cannot open: No such file or directory");
}

TEST_CASE_FIXTURE(dictionary_file, "a malformed dictionary line is reported with its line number") {
  const auto dict = write("耳机 270 n\n降噪 lots v\n");
  auto r = segmenter::load(dict, {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_bad_value);
  CHECK(r.err().message ==
        dict + ":2: expected \"word frequency [tag]\" with a whole frequency of 0 or more");
  auto broken = segmenter::load(write("耳机 270\n\xff\xfe 3\n"), {});
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.err().message == dict + ":2: the word is not valid UTF-8");
}

TEST_CASE_FIXTURE(dictionary_file, "an extra word that could never be one token is refused") {
  const auto dict = write("耳机 270\n");
  auto phrase = segmenter::load(dict, {{"talk to", 10}});
  REQUIRE_FALSE(phrase.ok());
  CHECK(phrase.err().code == errc::invalid_argument);
  CHECK(phrase.err().message ==
        "extra word \"talk to\": not one word (empty, invalid UTF-8, or contains a space or "
        "punctuation)");
  auto negative = segmenter::load(dict, {{"降噪", -5}});
  REQUIRE_FALSE(negative.ok());
  CHECK(negative.err().message ==
        "extra word \"降噪\": frequency must be 0 (suggested) or more, not -5");
}
