#include "runtime/bench/shopper_generator.hpp"

#include <array>
#include <charconv>

namespace sb::bench {

namespace {

using phrases = std::vector<std::string_view>;

// The phrase books follow config/intents.yaml and config/catalog.yaml, so that the bot recognises
// most lines and recommends real products; a few lines stay outside them, as shoppers' do.
struct phrase_book {
  phrases greetings;
  phrases inquiries;
  phrases follow_ups;
  phrases objections;
  phrases order_questions;
  phrases human;
  phrases goodbyes;
};

const phrase_book& chinese_book() {
  static const phrase_book book{
      {"你好", "在吗？", "您好，想咨询一下", "哈喽"},
      {"我想买一款降噪耳机", "有适合跑步的耳机吗", "推荐一款智能手表", "有没有便携的蓝牙音箱",
       "想给孩子买个平板", "有适合通勤的无线耳机吗"},
      {"续航多久？", "有什么颜色？", "支持快充吗", "防水吗", "和上一代比有什么区别"},
      {"太贵了，能便宜点吗", "别家更便宜", "有优惠券吗", "价格有点高，再考虑一下"},
      {"我的订单什么时候发货", "快递到哪了", "怎么退货", "能开发票吗"},
      {"转人工", "我要找人工客服"},
      {"谢谢", "好的，我再看看", "拜拜"}};
  return book;
}

const phrase_book& english_book() {
  static const phrase_book book{
      {"hi", "hello there", "good morning"},
      {"I want noise cancelling headphones", "any earbuds for running?",
       "looking for a smart watch", "do you have a portable bluetooth speaker"},
      {"how long does the battery last?", "what colours are there?", "is it waterproof?"},
      {"too expensive, any discount?", "it is cheaper elsewhere", "do you have a coupon?"},
      {"where is my order?", "when will my order ship?", "how do I return an item?"},
      {"talk to a human", "I want a human agent"},
      {"thanks", "ok, bye"}};
  return book;
}

// Products the events name (skus of config/catalog.yaml).
constexpr std::array<std::string_view, 8> skus{"AL-ANC-PRO2",  "AL-ANC-MAX", "AL-BT-FREE",
                                               "AL-SPORT-RUN", "AL-SPK-GO",  "NB-WATCH-S3",
                                               "NB-BAND-7",    "NB-PAD-11"};

uint64_t splitmix(uint64_t& state) noexcept {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

shopper_step say(std::string_view text) {
  return {step_kind::message, std::string{text}, "", "", ""};
}

}  // namespace

std::string_view to_string(channel_kind c) noexcept {
  switch (c) {
    case channel_kind::web:
      return "web";
    case channel_kind::app:
      return "app";
    case channel_kind::wechat:
      return "wechat";
  }
  return "web";
}

result<channel_mix> parse_mix(std::string_view text) {
  std::array<uint32_t, 3> w{};
  size_t at = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    auto end = i + 1 < w.size() ? text.find(':', at) : text.size();
    if (end == std::string_view::npos) {
      return error{errc::invalid_argument,
                   "mix '" + std::string{text} + "' must be three weights web:app:wechat"};
    }
    auto part = text.substr(at, end - at);
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), w[i]);
    if (part.empty() || ec != std::errc{} || p != part.data() + part.size() || w[i] > 1000000) {
      return error{errc::invalid_argument, "mix '" + std::string{text} + "': weight '" +
                                               std::string{part} +
                                               "' is not a whole number from 0 to 1000000"};
    }
    at = end + 1;
  }
  channel_mix mix{w[0], w[1], w[2]};
  if (mix.total() == 0) {
    return error{errc::invalid_argument, "mix '" + std::string{text} + "' has no weight above 0"};
  }
  return mix;
}

uint64_t slot_seed(uint64_t seed, uint64_t slot) noexcept {
  uint64_t s = seed ^ (slot * 0xD1B54A32D192ED03ULL);
  return splitmix(s);
}

shopper_generator::shopper_generator(generator_options options)
    : options_(std::move(options)), state_(options_.seed) {}

uint64_t shopper_generator::next_u64() noexcept {
  return splitmix(state_);
}

uint64_t shopper_generator::below(uint64_t n) noexcept {
  // Modulo bias is below 2^-40 for the small n used here.
  return n == 0 ? 0 : next_u64() % n;
}

bool shopper_generator::chance(double p) noexcept {
  // 53 random bits give a uniform double in [0, 1).
  return static_cast<double>(next_u64() >> 11U) * 0x1.0p-53 < p;
}

shopper_script shopper_generator::next() {
  shopper_script s;
  auto pick = below(options_.mix.total());
  s.channel = pick < options_.mix.web                                ? channel_kind::web
              : pick < uint64_t{options_.mix.web} + options_.mix.app ? channel_kind::app
                                                                     : channel_kind::wechat;
  s.person_id = options_.id_prefix + std::to_string(++count_);
  s.chinese = chance(options_.chinese_share);
  const auto& book = s.chinese ? chinese_book() : english_book();
  auto from = [this](const phrases& list) { return list[below(list.size())]; };

  // Kinds of visit, by weight out of 100: browse 35, haggle 25, order question 20, ask for a
  // human 10, a quick hello 10.
  auto kind = below(100);
  if (kind < 35 || kind >= 90) {
    s.steps.push_back(say(from(book.greetings)));
  }
  if (kind < 60) {
    s.steps.push_back(say(from(book.inquiries)));
    s.steps.push_back(say(kind < 35 ? from(book.follow_ups) : from(book.objections)));
    if (chance(options_.event_share)) {
      auto sku = std::string{skus[below(skus.size())]};
      s.steps.push_back({step_kind::event, "", "recommendation.clicked", sku, ""});
      if (chance(0.5)) {
        s.steps.push_back({step_kind::event, "", "order.placed", sku, "o-" + s.person_id});
      }
    }
    s.steps.push_back(say(from(book.goodbyes)));
  } else if (kind < 80) {
    s.steps.push_back(say(from(book.greetings)));
    s.steps.push_back(say(from(book.order_questions)));
    s.steps.push_back(say(from(book.goodbyes)));
  } else if (kind < 90) {
    s.steps.push_back(say(from(book.inquiries)));
    s.steps.push_back(say(from(book.human)));
  }
  return s;
}

}  // namespace sb::bench
