// The simulated shoppers (runtime/bench/shopper_generator.hpp): the same seed gives the same
// conversations, channels follow the mix, every kind of visit and both languages occur.
#include "runtime/bench/shopper_generator.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/support/require.hpp"

using namespace sb::bench;

namespace {

generator_options with(uint64_t seed, channel_mix mix) {
  generator_options o;
  o.seed = seed;
  o.mix = mix;
  return o;
}

std::string flatten(const shopper_script& s) {
  std::string out = s.person_id + "|" + std::string{to_string(s.channel)};
  for (const auto& st : s.steps) {
    out += "|" + st.text + st.event_type + st.sku + st.order_id;
  }
  return out;
}

std::vector<shopper_script> draw(generator_options o, int n) {
  shopper_generator g{std::move(o)};
  std::vector<shopper_script> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(g.next());
  }
  return out;
}

}  // namespace

TEST_CASE("the same seed gives the same shoppers and another seed other ones") {
  auto a = draw(with(7, {1, 1, 1}), 200);
  auto b = draw(with(7, {1, 1, 1}), 200);
  auto c = draw(with(8, {1, 1, 1}), 200);
  int same_as_c = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(flatten(a[i]) == flatten(b[i]));
    same_as_c += flatten(a[i]) == flatten(c[i]) ? 1 : 0;
  }
  CHECK(same_as_c < 50);
  CHECK(slot_seed(7, 0) != slot_seed(7, 1));
  CHECK(slot_seed(7, 3) == slot_seed(7, 3));
}

TEST_CASE("channels follow the weights of the mix") {
  std::map<channel_kind, int> n;
  for (const auto& s : draw(with(3, {6, 2, 2}), 10000)) {
    ++n[s.channel];
  }
  // Expected 6000 / 2000 / 2000; a binomial standard deviation is sqrt(10000*.6*.4) ~ 49, so
  // +-250 is more than five of them.
  CHECK(n[channel_kind::web] == doctest::Approx(6000).epsilon(250.0 / 6000));
  CHECK(n[channel_kind::app] == doctest::Approx(2000).epsilon(250.0 / 2000));
  CHECK(n[channel_kind::wechat] == doctest::Approx(2000).epsilon(250.0 / 2000));

  for (const auto& s : draw(with(3, {0, 0, 1}), 500)) {
    CHECK(s.channel == channel_kind::wechat);
  }
  std::set<channel_kind> seen;
  for (const auto& s : draw(with(4, {1, 1, 1}), 100)) {
    seen.insert(s.channel);
  }
  CHECK(seen.size() == 3);
}

TEST_CASE("shoppers greet, ask for products, haggle, ask about orders and ask for a human") {
  std::set<std::string> texts;
  int chinese = 0;
  int with_human = 0;
  int clicked = 0;
  int ordered = 0;
  std::set<std::string> ids;
  const int n = 4000;
  for (const auto& s : draw(with(11, {1, 1, 1}), n)) {
    ids.insert(s.person_id);
    chinese += s.chinese ? 1 : 0;
    REQUIRE_FALSE(s.steps.empty());
    CHECK(s.steps.front().kind == step_kind::message);
    CHECK(s.steps.back().kind == step_kind::message);
    for (size_t i = 0; i < s.steps.size(); ++i) {
      const auto& st = s.steps[i];
      if (st.kind == step_kind::message) {
        CHECK_FALSE(st.text.empty());
        texts.insert(st.text);
        if (st.text == "转人工" || st.text == "talk to a human") {
          ++with_human;
          CHECK(i + 1 == s.steps.size());  // nothing after asking for a human
        }
      } else {
        CHECK_FALSE(st.sku.empty());
        clicked += st.event_type == "recommendation.clicked" ? 1 : 0;
        if (st.event_type == "order.placed") {
          ++ordered;
          CHECK(st.order_id == "o-" + s.person_id);
          CHECK(s.steps[i - 1].event_type == "recommendation.clicked");
        }
      }
    }
  }
  CHECK(ids.size() == static_cast<size_t>(n));
  for (const char* t :
       {"我想买一款降噪耳机", "有适合跑步的耳机吗", "转人工", "太贵了，能便宜点吗",
        "我的订单什么时候发货", "你好", "any earbuds for running?", "where is my order?"}) {
    CHECK_MESSAGE(texts.count(t) == 1, t);
  }
  // 70 % write Chinese: 2800 of 4000, sd ~ 29.
  CHECK(chinese == doctest::Approx(2800).epsilon(150.0 / 2800));
  // Asking for a human is 10 % of visits, half of those with each of two phrases per language.
  CHECK(with_human > 100);
  // 60 % of visits ask about a product, 30 % of those click: 0.18 * 4000 = 720, sd ~ 24;
  // half of the clickers order: 360.
  CHECK(clicked == doctest::Approx(720).epsilon(120.0 / 720));
  CHECK(ordered == doctest::Approx(360).epsilon(90.0 / 360));
}

TEST_CASE("a mix is three whole weights web:app:wechat with one above zero") {
  auto m = SB_REQUIRE_OK(parse_mix("6:2:2"));
  CHECK(m.web == 6);
  CHECK(m.app == 2);
  CHECK(m.wechat == 2);
  CHECK(m.total() == 10);
  CHECK(SB_REQUIRE_OK(parse_mix("0:0:1")).wechat == 1);
  for (const char* bad : {"0:0:0", "1:2", "a:b:c", "1:2:3:4", "-1:1:1", "", "1::1", "1:1:1x"}) {
    auto r = parse_mix(bad);
    CHECK_MESSAGE(sb::test::code_of(r) == sb::errc::invalid_argument, bad);
  }
}
