// Intents: the shipped config/intents.yaml on shoppers' sentences in Chinese and English, how
// priority, `requires` and word boundaries decide, and the errors of bad files.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "actors/conversation/nlu/intents.hpp"
#include "tests/support/nlu_fixtures.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;
using nlu::intent_kind;

nlu::understanding understand(std::string_view text) {
  return nlu::understand(test::shipped_intents(), test::plain_segmenter(), text);
}

struct example {
  const char* text;
  intent_kind intent;
};

// The same sentence must give the same intent whether or not the catalog's terms were added to
// the dictionary, since those change where the words are cut.
void check_examples(const std::vector<example>& examples) {
  for (const auto& [text, intent] : examples) {
    for (const auto* seg : {&test::plain_segmenter(), &test::domain_segmenter()}) {
      const auto u = nlu::understand(test::shipped_intents(), *seg, text);
      CHECK_MESSAGE(u.intent == intent,
                    text << " gave " << nlu::to_string(u.intent)
                         << (seg == &test::plain_segmenter() ? "" : " (domain)"));
      if (intent == intent_kind::unknown) {
        CHECK(u.confidence == 0.0);
      } else {
        CHECK_MESSAGE((u.confidence >= 0.5 && u.confidence <= 1.0), text);
        CHECK_MESSAGE(!u.matched.empty(), text);
      }
    }
  }
}

struct intents_file {
  test::temp_dir dir = SB_REQUIRE_OK(test::temp_dir::create("sb-intents-test"));

  // Writes `text` as intents.yaml and returns the error loading it gives.
  error load_error(const std::string& text) {
    auto path = dir.file("intents.yaml");
    std::ofstream{path} << text;
    auto r = nlu::load_intents(path);
    REQUIRE_FALSE(r.ok());
    return r.err();
  }

  // Returns "<file>:<line>:<column>: ".
  std::string at(int line, int column) const {
    return dir.file("intents.yaml") + ":" + std::to_string(line) + ":" + std::to_string(column) +
           ": ";
  }
};

}  // namespace

// -- the required sentences -----------------------------------------------------------------------

TEST_CASE("wanting noise cancelling headphones is a product inquiry with those words") {
  auto u = understand("我想买一款降噪耳机");
  CHECK(u.intent == intent_kind::product_inquiry);
  CHECK(test::joined(u.tokens) == "我 | 想 | 买 | 一款 | 降噪 | 耳机");
  CHECK(test::joined(u.matched) == "想买 | 买 | 一款 | 降噪 | 降噪耳机 | 耳机");
  CHECK(u.confidence > 0.9);
}

TEST_CASE("the required sentences give their intents") {
  check_examples({
      {"太贵了", intent_kind::price_question},
      {"转人工", intent_kind::ask_human},
      {"我要人工客服", intent_kind::ask_human},
      {"talk to a human", intent_kind::ask_human},
      {"real person please", intent_kind::ask_human},
      {"你好", intent_kind::greeting},
      {"hello", intent_kind::greeting},
      {"我的订单到哪了", intent_kind::order_status},
      {"where is my order", intent_kind::order_status},
      {"质量太差了，我要投诉", intent_kind::complaint},
      {"谢谢，再见", intent_kind::thanks_bye},
      {"thanks bye", intent_kind::thanks_bye},
      {"今天天气不错", intent_kind::unknown},
  });
}

TEST_CASE("more shopping sentences in chinese give their intents") {
  check_examples({
      {"这款耳机多少钱", intent_kind::price_question},
      {"有没有优惠券", intent_kind::price_question},
      {"能不能再便宜点", intent_kind::price_question},
      {"推荐一款降噪耳机", intent_kind::product_inquiry},
      {"这个手机支持无线充电吗", intent_kind::product_inquiry},
      {"有没有适合跑步的运动耳机", intent_kind::product_inquiry},
      {"我想了解一下这款手表的续航", intent_kind::product_inquiry},
      {"你好，我想买一个蓝牙音箱", intent_kind::product_inquiry},
      {"快递一直不更新", intent_kind::order_status},
      {"买了三天了还没发货", intent_kind::order_status},
      {"请帮我查一下订单A1002的物流", intent_kind::order_status},
      {"耳机有杂音，太失望了", intent_kind::complaint},
      {"客服态度太差，我要投诉", intent_kind::complaint},
      {"我要找真人", intent_kind::ask_human},
      {"转人工客服", intent_kind::ask_human},
      {"在吗", intent_kind::greeting},
      {"好的，谢谢", intent_kind::thanks_bye},
      {"哈哈哈", intent_kind::unknown},
  });
}

TEST_CASE("more shopping sentences in english give their intents") {
  check_examples({
      {"How much is the AirPods case?", intent_kind::price_question},
      {"Is there any discount?", intent_kind::price_question},
      {"Do you have noise cancelling headphones?", intent_kind::product_inquiry},
      {"I want to buy a new phone", intent_kind::product_inquiry},
      {"My package hasn't arrived yet", intent_kind::order_status},
      {"Can I track my parcel?", intent_kind::order_status},
      {"hi, where is my order #A1002", intent_kind::order_status},
      {"The charger is broken, this is unacceptable", intent_kind::complaint},
      {"this is terrible, I'm so angry", intent_kind::complaint},
      {"Can I speak to a real person?", intent_kind::ask_human},
      {"Good morning!", intent_kind::greeting},
      {"Thank you so much, goodbye", intent_kind::thanks_bye},
      {"What's the weather like today", intent_kind::unknown},
  });
}

// -- how the rules decide -------------------------------------------------------------------------

TEST_CASE("the intent of higher priority wins when several match") {
  auto u = understand("太贵了，转人工");
  CHECK(u.intent == intent_kind::ask_human);
  CHECK(test::joined(u.matched) == "转人工 | 人工");
  CHECK(understand("你好，我的订单到哪了").intent == intent_kind::order_status);
}

TEST_CASE("a product inquiry needs a product or a buying word") {
  CHECK(understand("推荐一下").intent == intent_kind::unknown);
  CHECK(understand("有什么推荐").intent == intent_kind::unknown);
  CHECK(understand("推荐一款耳机").intent == intent_kind::product_inquiry);
  CHECK(understand("耳机").intent == intent_kind::product_inquiry);
}

TEST_CASE("keywords match whole words only") {
  CHECK(understand("人工智能耳机").intent == intent_kind::product_inquiry);  // not ask_human
  CHECK(understand("this").intent == intent_kind::unknown);                  // not "hi"
  CHECK(understand("HELLO！！").intent == intent_kind::greeting);
}

TEST_CASE("a message the keywords explain fully is more certain than one they explain in part") {
  const auto short_one = understand("转人工");
  const auto long_one = understand("我昨天下单的那个东西能不能帮忙转人工看看");
  CHECK(short_one.intent == intent_kind::ask_human);
  CHECK(long_one.intent == intent_kind::ask_human);
  CHECK(short_one.confidence == doctest::Approx(1.0));
  CHECK(long_one.confidence < short_one.confidence);
}

TEST_CASE("tokens given directly are folded before matching") {
  auto u = nlu::understand(test::shipped_intents(), std::vector<std::string>{"Real", "PERSON"});
  CHECK(u.intent == intent_kind::ask_human);
  CHECK(test::joined(u.tokens) == "real | person");
  CHECK(nlu::understand(test::shipped_intents(), std::vector<std::string>{}).intent ==
        intent_kind::unknown);
}

TEST_CASE("intent names convert both ways") {
  CHECK(nlu::to_string(intent_kind::price_question) == "price_question");
  CHECK(nlu::intent_from_string("ask_human") == intent_kind::ask_human);
  CHECK_FALSE(nlu::intent_from_string("Ask_Human").has_value());
}

// -- bad files ------------------------------------------------------------------------------------

TEST_CASE_FIXTURE(intents_file, "an unknown key in an intent is reported where it is") {
  auto err = load_error("intents:\n  greeting:\n    priorty: 5\n    keywords: [hi]\n");
  CHECK(err.code == errc::config_unknown_key);
  CHECK(err.message == at(3, 5) +
                           "intents.greeting.priorty: unknown key (expected one of "
                           "description, priority, keywords, requires)");
}

TEST_CASE_FIXTURE(intents_file, "an unknown intent name is an unknown key") {
  auto err = load_error("intents:\n  gretting:\n    keywords: [hi]\n");
  CHECK(err.code == errc::config_unknown_key);
  CHECK(err.message == at(2, 3) +
                           "intents.gretting: unknown intent (expected one of greeting, "
                           "product_inquiry, price_question, order_status, complaint, "
                           "ask_human, thanks_bye)");
  auto top = load_error("intent:\n  greeting:\n    keywords: [hi]\n");
  CHECK(top.message == at(1, 1) + "intent: unknown key (expected one of intents, ignored_words)");
}

TEST_CASE_FIXTURE(intents_file, "values of the wrong type are reported where they are") {
  auto err = load_error(
      "intents:\n  greeting:\n    priority: high\n    keywords: hi\n  complaint:\n"
      "    keywords: [投诉, \"？！\"]\n    requires: {a: b}\n");
  CHECK(err.code == errc::config_bad_value);
  CHECK(err.message ==
        at(3, 15) + "intents.greeting.priority: expected a whole number, found \"high\"\n" +
            at(4, 15) + "intents.greeting.keywords: expected a list of words, found \"hi\"\n" +
            at(6, 20) +
            "intents.complaint.keywords[1]: \"？！\" has no letters, digits or characters to "
            "match\n" +
            at(7, 15) + "intents.complaint.requires: expected a list of words, found a map");
}

TEST_CASE_FIXTURE(intents_file, "a priority out of range and an intent without words are refused") {
  auto err = load_error(
      "intents:\n  greeting:\n    priority: 5000\n  thanks_bye:\n"
      "    description: bye\n");
  CHECK(err.message ==
        at(2, 3) +
            "intents.greeting: needs keywords or requires (an intent without words never "
            "matches)\n" +
            at(3, 15) + "intents.greeting.priority: must be between 0 and 1000, not 5000\n" +
            at(4, 3) +
            "intents.thanks_bye: needs keywords or requires (an intent without words "
            "never matches)");
}

TEST_CASE_FIXTURE(intents_file, "unknown takes no words and an intent cannot be given twice") {
  auto err = load_error(
      "intents:\n  unknown:\n    keywords: [x]\n  greeting:\n"
      "    keywords: [hi]\n  greeting:\n    keywords: [hey]\n");
  CHECK(err.message ==
        at(2, 3) +
            "intents.unknown: unknown is what is left when no intent matches; it takes "
            "no words\n" +
            at(6, 3) + "intents.greeting: given twice; first at line 4");
}

TEST_CASE_FIXTURE(intents_file, "a file without intents, an empty file and bad yaml are refused") {
  CHECK(load_error("ignored_words: [的]\n").message == at(1, 1) + "intents: missing");
  CHECK(load_error("").message ==
        at(1, 1) + "expected a map of intents, ignored_words, found nothing");
  auto syntax = load_error("intents:\n  greeting:\n    keywords: [hi\n");
  CHECK(syntax.code == errc::config_syntax);
  CHECK(syntax.message.rfind(dir.file("intents.yaml") + ":", 0) == 0);
}

TEST_CASE("a missing intents file is an i/o error") {
  auto r = nlu::load_intents("/nonexistent/intents.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_io);
  CHECK(r.err().message == "/nonexistent/intents.yaml: cannot open: No such file or directory");
}
