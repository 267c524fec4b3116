#include "tests/support/nlu_fixtures.hpp"

#include "tests/support/require.hpp"

namespace sb::test {

std::string source_file(std::string_view relative) {
  return std::string{SB_SOURCE_DIR} + "/" + std::string{relative};
}

const nlu::segmenter& plain_segmenter() {
  static const auto seg = SB_REQUIRE_OK(nlu::segmenter::load(jieba_dictionary, {}));
  return seg;
}

const std::vector<std::string>& sample_catalog_terms() {
  static const std::vector<std::string> terms{
      "降噪耳机",   "主动降噪", "蓝牙耳机", "无线耳机", "真无线耳机",   "头戴式耳机", "运动耳机",
      "骨传导耳机", "入耳式",   "声联",     "智能手表", "儿童手表",     "运动手环",   "蓝牙音箱",
      "智能音箱",   "充电宝",   "移动电源", "快充",     "氮化镓充电器", "手机壳",     "防摔手机壳",
      "平板电脑",   "触控笔",   "性价比",   "会员专享", "Type-C数据线", "eSIM手表",   "K歌音箱"};
  return terms;
}

const nlu::segmenter& domain_segmenter() {
  static const auto seg = [] {
    auto words = shipped_intents().words();
    for (const auto& more :
         {shipped_lexicon().words(), shipped_faq().words(), sample_catalog_terms()}) {
      words.insert(words.end(), more.begin(), more.end());
    }
    return SB_REQUIRE_OK(nlu::segmenter::load(jieba_dictionary, nlu::as_domain_words(words)));
  }();
  return seg;
}

const nlu::intent_model& shipped_intents() {
  static const auto model = SB_REQUIRE_OK(nlu::load_intents(source_file("config/intents.yaml")));
  return model;
}

const nlu::lexicon& shipped_lexicon() {
  static const auto lex =
      SB_REQUIRE_OK(nlu::load_lexicon(source_file("config/lexicon/sentiment.yaml")));
  return lex;
}

const nlu::faq_model& shipped_faq() {
  static const auto faq = SB_REQUIRE_OK(nlu::load_faq(source_file("config/faq.yaml")));
  return faq;
}

std::string joined(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) {
    out += (out.empty() ? "" : " | ") + t;
  }
  return out;
}

}  // namespace sb::test
