// FAQ matching with the shipped config/faq.yaml: keyword groups, the minimum score, the answer's
// language, and the errors of bad FAQ files.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "actors/conversation/nlu/faq.hpp"
#include "tests/support/nlu_fixtures.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;

std::optional<nlu::faq_answer> ask(std::string_view question) {
  return nlu::match(test::shipped_faq(), test::plain_segmenter().cut(question));
}

struct faq_file {
  test::temp_dir dir = SB_REQUIRE_OK(test::temp_dir::create("sb-faq-test"));

  std::string write(const std::string& text) const {
    auto path = dir.file("faq.yaml");
    std::ofstream{path} << text;
    return path;
  }

  error load_error(const std::string& text) const {
    auto r = nlu::load_faq(write(text));
    REQUIRE_FALSE(r.ok());
    return r.err();
  }

  std::string at(int line, int column) const {
    return dir.file("faq.yaml") + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  }
};

}  // namespace

TEST_CASE("the shipped faq loads all its entries") {
  CHECK(test::shipped_faq().size() == 8);
  CHECK(test::shipped_faq().min_score() == doctest::Approx(0.6));
}

TEST_CASE("chinese questions get chinese answers from the right entry") {
  const std::vector<std::pair<const char*, const char*>> questions{
      {"你们的退货政策是什么", "return_policy"},
      {"发票怎么开", "invoice"},
      {"可以用微信支付吗", "payment_methods"},
      {"保修期是多久", "warranty"},
      {"门店几点开门", "store_hours"},
      {"我在北京，几天能到", "shipping_time"},
      {"包邮吗", "shipping_fee"},
      {"我想改一下收货地址", "order_change"},
  };
  for (const auto& [question, id] : questions) {
    for (const auto* seg : {&test::plain_segmenter(), &test::domain_segmenter()}) {
      auto a = nlu::match(test::shipped_faq(), seg->cut(question));
      REQUIRE_MESSAGE(a.has_value(), std::string{question});
      CHECK_MESSAGE(a->id == id, std::string{question});
      CHECK(a->language == "zh");
      CHECK(a->score >= test::shipped_faq().min_score());
    }
  }
  auto a = ask("保修期是多久");
  REQUIRE(a.has_value());
  CHECK(a->answer.rfind("手机、平板、电脑等整机享受 1 年全国联保", 0) == 0);
  CHECK(test::joined(a->matched) == "保修期");
}

TEST_CASE("english questions get english answers from the right entry") {
  const std::vector<std::pair<const char*, const char*>> questions{
      {"How long does shipping take?", "shipping_time"},
      {"What is your return policy?", "return_policy"},
      {"Do you accept Alipay?", "payment_methods"},
      {"Can I get an invoice?", "invoice"},
      {"What are your store hours?", "store_hours"},
      {"How long is the warranty?", "warranty"},
      {"Is there free shipping?", "shipping_fee"},
      {"Can I change the address of my order?", "order_change"},
  };
  for (const auto& [question, id] : questions) {
    auto a = ask(question);
    REQUIRE_MESSAGE(a.has_value(), std::string{question});
    CHECK_MESSAGE(a->id == id, std::string{question});
    CHECK(a->language == "en");
  }
  auto a = ask("What is your return policy?");
  REQUIRE(a.has_value());
  CHECK(a->answer.rfind("You can return any item within 7 days", 0) == 0);
  CHECK(a->score == 1.0);
  CHECK(test::joined(a->matched) == "return | policy");
}

TEST_CASE("a question meeting too few keyword groups gets no answer") {
  CHECK_FALSE(ask("退货").has_value());  // one of two groups: 0.5 < 0.6
  CHECK_FALSE(ask("how long").has_value());
  CHECK_FALSE(ask("今天天气不错").has_value());
  CHECK_FALSE(ask("我想买一款降噪耳机").has_value());
  CHECK_FALSE(ask("").has_value());
}

TEST_CASE_FIXTURE(faq_file, "the entry with more keywords found wins a tie, then the first") {
  auto faq = SB_REQUIRE_OK(
      nlu::load_faq(write("entries:\n"
                          "  - id: a\n    keywords: [[发票]]\n    answer: {zh: 甲, en: A}\n"
                          "  - id: b\n    keywords: [[发票, 抬头]]\n    answer: {zh: 乙, en: B}\n"
                          "  - id: c\n    keywords: [发票]\n    answer: {zh: 丙, en: C}\n")));
  auto both = nlu::match(faq, {"发票", "抬头"});
  REQUIRE(both.has_value());
  CHECK(both->id == "b");
  CHECK(both->answer == "乙");
  auto one = nlu::match(faq, {"invoice", "发票"});
  REQUIRE(one.has_value());
  CHECK(one->id == "a");  // a lone string is a group of one word, so c ties with a
}

TEST_CASE_FIXTURE(faq_file, "an unknown key is reported where it is") {
  auto err = load_error("entries:\n  - id: a\n    keywords: [[x]]\n    answers: {zh: 甲, en: A}\n");
  CHECK(err.code == errc::config_unknown_key);
  CHECK(err.message ==
        at(2, 5) + "entries[0].answer: missing\n" + at(4, 5) +
            "entries[0].answers: unknown key (expected one of id, keywords, answer)");
}

TEST_CASE_FIXTURE(faq_file, "values of the wrong type are reported where they are") {
  auto err = load_error(
      "min_score: high\n"
      "entries:\n"
      "  - id: Shipping Time\n    keywords: 发票\n    answer: {zh: 甲}\n"
      "  - id: b\n    keywords: [[], [x]]\n    answer: text\n");
  CHECK(err.code == errc::config_bad_value);
  CHECK(err.message ==
        at(1, 12) + "min_score: expected a number, found \"high\"\n" + at(3, 9) +
            "entries[0].id: \"Shipping Time\": use lower-case letters, digits, _ and - "
            "only\n" +
            at(4, 15) +
            "entries[0].keywords: expected a list of keyword groups such as - [发票, "
            "invoice], found a string\n" +
            at(5, 5) +
            "entries[0].answer.en: missing (every answer is written in Chinese and "
            "English)\n" +
            at(7, 16) + "entries[1].keywords[0]: an empty group can never be met\n" + at(8, 13) +
            "entries[1].answer: expected a map of zh, en, found \"text\"");
}

TEST_CASE_FIXTURE(faq_file, "two entries cannot share an id") {
  auto err = load_error(
      "entries:\n  - id: a\n    keywords: [[x]]\n    answer: {zh: 甲, en: A}\n"
      "  - id: a\n    keywords: [[y]]\n    answer: {zh: 乙, en: B}\n");
  CHECK(err.message == at(5, 9) + "entries[1].id: \"a\" is already the id of the entry at line 2");
}

TEST_CASE_FIXTURE(faq_file, "a file without entries is refused") {
  CHECK(load_error("min_score: 0.5\n").message == at(1, 1) + "entries: missing");
  CHECK(load_error("entries: {}\n").message ==
        at(1, 10) + "entries: expected a list of entries, found a map");
}
