// The bot's decisions (take_turn) over the shipped knowledge: what it answers, which products it
// shows and when it hands over to a human. Pure calls: no actor, no context.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "actors/catalog/catalog.hpp"
#include "actors/conversation/bot.hpp"
#include "runtime/clock.hpp"
#include "runtime/config/node_config.hpp"
#include "tests/support/bot_fixtures.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;

// The shipped catalog as a file, to check the products the bot shows against.
const catalog& shipped_catalog() {
  static const catalog c = SB_REQUIRE_OK(load_catalog("config/catalog.yaml"));
  return c;
}

const product& product_of(const std::string& sku) {
  const auto* p = shipped_catalog().find(sku);
  REQUIRE_MESSAGE(p != nullptr, sku);
  return *p;
}

bool has_word(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// Returns the answer of a config/faq.yaml entry in `language` ("zh" or "en"), read from the file.
std::string faq_answer(const std::string& id, const std::string& language) {
  auto root = YAML::LoadFile("config/faq.yaml");
  for (const auto& entry : root["entries"]) {
    if (entry["id"].as<std::string>() == id) {
      return entry["answer"][language].as<std::string>();
    }
  }
  FAIL("no FAQ entry " << id);
  return {};
}

std::string script(const std::string& key, const std::map<std::string, std::string>& values = {}) {
  return test::shipped_bot()->scripts.render(key, values);
}

schemas::conversation_state in_bot_state() {
  schemas::conversation_state st;
  st.status = "bot";
  st.session = 1;
  return st;
}

schemas::profile_summary member(const std::string& tier) {
  schemas::profile_summary p;
  p.user_key = "app:u-42";
  p.tier = tier;
  return p;
}

bot_turn turn(const std::string& text, const schemas::conversation_state& st = in_bot_state(),
              const schemas::profile_summary* profile = nullptr) {
  return take_turn(*test::shipped_bot(), text, st, profile);
}

// The texts of a turn's replies.
std::vector<std::string> texts(const bot_turn& t) {
  std::vector<std::string> out;
  for (const auto& r : t.replies) {
    out.push_back(r.text);
  }
  return out;
}

std::vector<std::string> card_skus(const bot_turn& t) {
  std::vector<std::string> out;
  for (const auto& r : t.replies) {
    for (const auto& p : r.products) {
      out.push_back(p.sku);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("the shipped knowledge loads from a default node config") {
  auto kb = test::shipped_bot();
  CHECK(kb->faq.size() > 0);
  CHECK(kb->settings.unresolved_turns == 2);
  CHECK(kb->settings.vip_tiers == std::vector<std::string>{"gold", "platinum"});
  CHECK(kb->products().products.size() == shipped_catalog().products.size());
}

TEST_CASE("the knowledge takes its handoff settings from the config") {
  node_config cfg;
  cfg.handoff_unresolved_turns = 4;
  cfg.handoff_vip_tiers = "platinum,,silver";
  manual_clock clk;
  auto kb = SB_REQUIRE_OK(bot_knowledge::load(cfg, clk));
  CHECK(kb->settings.unresolved_turns == 4);
  CHECK(kb->settings.vip_tiers == std::vector<std::string>{"platinum", "silver"});
}

TEST_CASE("knowledge whose files do not load is an error naming the file") {
  manual_clock clk;
  struct broken {
    std::string node_config::*field;
    std::string path;
  };
  for (const auto& b : {broken{&node_config::nlu_intents, "config/no-intents.yaml"},
                        broken{&node_config::nlu_lexicon, "config/no-lexicon.yaml"},
                        broken{&node_config::nlu_faq, "config/no-faq.yaml"},
                        broken{&node_config::nlu_replies, "config/no-replies.yaml"},
                        broken{&node_config::catalog_file, "config/no-catalog.yaml"},
                        broken{&node_config::nlu_dictionary, "/nonexistent/dict.txt"}}) {
    CAPTURE(b.path);
    node_config cfg;
    cfg.*b.field = b.path;
    auto kb = bot_knowledge::load(cfg, clk);
    REQUIRE_FALSE(kb.ok());
    CHECK(kb.err().code == errc::config_io);
    CHECK(kb.err().message.find(b.path) != std::string::npos);
  }
}

TEST_CASE("a product inquiry shows noise-cancelling headphones that are in stock") {
  auto t = turn("我想买一款降噪耳机");
  CHECK(t.understood.intent == nlu::intent_kind::product_inquiry);
  CHECK(t.resolved);
  CHECK_FALSE(t.handoff_reason);
  REQUIRE(t.replies.size() == 1);
  CHECK(t.replies[0].from == "bot");
  REQUIRE_FALSE(t.shown_skus.empty());
  CHECK(t.shown_skus.size() <= test::shipped_bot()->settings.max_products);
  CHECK(card_skus(t) == t.shown_skus);

  std::string names;
  for (const auto& card : t.replies[0].products) {
    CAPTURE(card.sku);
    const auto& p = product_of(card.sku);
    CHECK(p.stock > 0);
    CHECK((has_word(p.keywords, "降噪耳机") || has_word(p.tags, "降噪")));
    CHECK(p.tiers.empty());  // nothing reserved for members: no profile yet
    CHECK(card.name == p.name);
    CHECK(card.price == p.price);
    CHECK(card.currency == p.currency);
    CHECK(card.pitch == p.pitch);
    names += (names.empty() ? "" : "、") + p.name;
  }
  CHECK(t.replies[0].text == script("recommend", {{"names", names}}));
  // The entry model is out of stock and the members' edition is reserved.
  CHECK_FALSE(has_word(t.shown_skus, "AL-ANC-LITE"));
  CHECK_FALSE(has_word(t.shown_skus, "AL-ANC-PRO2-GOLD"));
}

TEST_CASE("a gold member may be shown the members' edition, a regular member not") {
  auto gold = member("gold");
  auto regular = member("regular");
  CHECK(has_word(turn("我想买一款降噪耳机", in_bot_state(), &gold).shown_skus, "AL-ANC-PRO2-GOLD"));
  CHECK_FALSE(has_word(turn("我想买一款降噪耳机", in_bot_state(), &regular).shown_skus,
                       "AL-ANC-PRO2-GOLD"));
}

TEST_CASE("a price objection after recommendations shows cheaper products not shown before") {
  auto st = in_bot_state();
  auto first = turn("我想买一款降噪耳机", st);
  REQUIRE_FALSE(first.shown_skus.empty());
  st.recommended_skus = first.shown_skus;
  double cheapest_before = 1e18;
  for (const auto& sku : first.shown_skus) {
    cheapest_before = std::min(cheapest_before, product_of(sku).price);
  }

  auto t = turn("太贵了，有没有便宜一点的", st);
  CHECK(t.understood.intent == nlu::intent_kind::price_question);
  CHECK(t.sentiment.price_objection);
  CHECK(t.resolved);
  CHECK_FALSE(t.handoff_reason);
  REQUIRE(t.replies.size() == 1);
  REQUIRE_FALSE(t.shown_skus.empty());
  CHECK(t.replies[0].text.rfind(script("price_objection", {{"names", ""}}), 0) == 0);
  for (const auto& sku : t.shown_skus) {
    CAPTURE(sku);
    CHECK_FALSE(has_word(first.shown_skus, sku));
    CHECK(product_of(sku).price < cheapest_before);
    CHECK(product_of(sku).stock > 0);
  }
}

TEST_CASE("asking for a human hands off at once") {
  for (const std::string text : {"转人工", "我要找人工客服", "real person please"}) {
    CAPTURE(text);
    auto t = turn(text);
    CHECK(t.understood.intent == nlu::intent_kind::ask_human);
    REQUIRE(t.handoff_reason);
    CHECK(*t.handoff_reason == "asked_for_human");
    CHECK(t.pool_reason.empty());
    CHECK(t.skill.empty());
    CHECK(t.resolved);
    CHECK(texts(t) == std::vector<std::string>{script("handoff")});
    CHECK(t.shown_skus.empty());
  }
}

TEST_CASE("two messages in a row the bot does not understand offer a human, then hand off") {
  auto st = in_bot_state();
  auto first = turn("asdf qwer", st);
  CHECK(first.understood.intent == nlu::intent_kind::unknown);
  CHECK_FALSE(first.resolved);
  CHECK_FALSE(first.handoff_reason);
  CHECK(texts(first) == std::vector<std::string>{script("offer_human")});

  st.signals.unresolved_turns = 1;  // what the conversation counts after the first
  auto second = turn("zxcv uiop", st);
  REQUIRE(second.handoff_reason);
  CHECK(*second.handoff_reason == "unresolved");
  CHECK(second.pool_reason.empty());
  CHECK(texts(second) == std::vector<std::string>{script("handoff")});
}

TEST_CASE("with a higher unresolved limit the bot first says it did not understand") {
  node_config cfg;
  cfg.handoff_unresolved_turns = 3;
  manual_clock clk;
  auto kb = SB_REQUIRE_OK(bot_knowledge::load(cfg, clk));
  auto st = in_bot_state();
  CHECK(texts(take_turn(*kb, "asdf", st, nullptr)) == std::vector<std::string>{script("unknown")});
  st.signals.unresolved_turns = 1;
  CHECK(texts(take_turn(*kb, "asdf", st, nullptr)) ==
        std::vector<std::string>{script("offer_human")});
  st.signals.unresolved_turns = 2;
  auto t = take_turn(*kb, "asdf", st, nullptr);
  REQUIRE(t.handoff_reason);
  CHECK(*t.handoff_reason == "unresolved");
}

TEST_CASE("a mild complaint goes to a human for top-tier members only") {
  auto gold = member("gold");
  auto platinum = member("platinum");
  auto silver = member("silver");
  auto regular = member("regular");

  auto t = turn("耳机有杂音", in_bot_state(), &gold);
  CHECK(t.understood.intent == nlu::intent_kind::complaint);
  CHECK_FALSE(t.sentiment.strong_negative);
  REQUIRE(t.handoff_reason);
  CHECK(*t.handoff_reason == "complaint_top_tier");
  CHECK(t.pool_reason == "complaint");
  CHECK(t.skill == "aftersales");
  CHECK(texts(t) == std::vector<std::string>{script("complaint"), script("handoff")});

  t = turn("耳机有杂音", in_bot_state(), &platinum);
  REQUIRE(t.handoff_reason);
  CHECK(*t.handoff_reason == "complaint_top_tier");

  for (const auto* p : {&silver, &regular, static_cast<schemas::profile_summary*>(nullptr)}) {
    CAPTURE((p == nullptr ? std::string{"no profile"} : p->tier));
    t = turn("耳机有杂音", in_bot_state(), p);
    CHECK(t.understood.intent == nlu::intent_kind::complaint);
    CHECK_FALSE(t.handoff_reason);
    CHECK(t.resolved);
    CHECK(texts(t) == std::vector<std::string>{script("complaint")});
  }
}

TEST_CASE("strongly negative sentiment hands off whoever writes it") {
  auto regular = member("regular");
  for (const auto* p : {&regular, static_cast<schemas::profile_summary*>(nullptr)}) {
    auto t = turn("你们太垃圾了", in_bot_state(), p);
    CHECK(t.sentiment.strong_negative);
    CHECK(t.sentiment.score < 0);
    REQUIRE(t.handoff_reason);
    CHECK(*t.handoff_reason == "strong_negative_sentiment");
    CHECK(t.pool_reason == "complaint");
    CHECK(t.skill == "aftersales");
    CHECK(texts(t) == std::vector<std::string>{script("complaint"), script("handoff")});
  }
}

TEST_CASE("a question the FAQ knows is answered from it, in the question's language") {
  auto t = turn("退货政策是什么");
  CHECK(t.resolved);
  CHECK_FALSE(t.handoff_reason);
  CHECK(t.shown_skus.empty());
  CHECK(texts(t) == std::vector<std::string>{faq_answer("return_policy", "zh")});

  t = turn("运费多少");
  CHECK(texts(t) == std::vector<std::string>{faq_answer("shipping_fee", "zh")});

  t = turn("how long does shipping take");
  CHECK(texts(t) == std::vector<std::string>{faq_answer("shipping_time", "en")});
}

TEST_CASE("greetings, thanks and order questions get their scripted lines") {
  auto t = turn("你好");
  CHECK(t.understood.intent == nlu::intent_kind::greeting);
  CHECK(t.resolved);
  CHECK(texts(t) == std::vector<std::string>{script("greeting")});

  t = turn("谢谢");
  CHECK(t.understood.intent == nlu::intent_kind::thanks_bye);
  CHECK(t.resolved);
  CHECK(texts(t) == std::vector<std::string>{script("thanks_bye")});

  t = turn("我的订单到哪了");
  CHECK(t.understood.intent == nlu::intent_kind::order_status);
  CHECK(texts(t) == std::vector<std::string>{script("order_status")});
  CHECK_FALSE(t.handoff_reason);
}

TEST_CASE("while waiting for an agent the bot only says that one is coming") {
  auto st = in_bot_state();
  st.status = "waiting_for_agent";
  for (const std::string text : {"我想买一款降噪耳机", "转人工", "asdf", "你们太垃圾了"}) {
    CAPTURE(text);
    auto t = turn(text, st);
    CHECK(texts(t) == std::vector<std::string>{script("waiting_for_agent")});
    CHECK(t.shown_skus.empty());
    CHECK(card_skus(t).empty());
    CHECK_FALSE(t.handoff_reason);
    CHECK(t.resolved);
  }
}

TEST_CASE("take_turn depends only on its inputs") {
  auto st = in_bot_state();
  auto a = turn("我想买一款降噪耳机", st);
  auto b = turn("我想买一款降噪耳机", st);
  CHECK(texts(a) == texts(b));
  CHECK(a.shown_skus == b.shown_skus);
}

TEST_CASE("a product update reaches the bot's recommendations at once") {
  manual_clock clk;
  auto kb = test::load_bot(clk);
  auto p = product_of("AL-ANC-PRO2");
  p.price = 999;
  p.updated_at_ms = 2000;
  kb->product_updated(p);
  CHECK(kb->products().find("AL-ANC-PRO2")->price == 999);

  // An older update is ignored.
  p.price = 1;
  p.updated_at_ms = 1000;
  kb->product_updated(p);
  CHECK(kb->products().find("AL-ANC-PRO2")->price == 999);

  // Out of stock: no longer recommended.
  p.price = 999;
  p.stock = 0;
  p.updated_at_ms = 3000;
  kb->product_updated(p);
  auto t = take_turn(*kb, "我想买一款降噪耳机", in_bot_state(), nullptr);
  CHECK_FALSE(has_word(t.shown_skus, "AL-ANC-PRO2"));

  // A new product is added to the catalog.
  product fresh;
  fresh.sku = "NEW-1";
  fresh.name = "新品降噪耳机";
  fresh.price = 10;
  fresh.stock = 1;
  kb->product_updated(fresh);
  CHECK(kb->products().find("NEW-1") != nullptr);
  CHECK(kb->products().products.size() == shipped_catalog().products.size() + 1);
  // The shared knowledge is untouched.
  CHECK(test::shipped_bot()->products().find("AL-ANC-PRO2")->price ==
        product_of("AL-ANC-PRO2").price);
}
