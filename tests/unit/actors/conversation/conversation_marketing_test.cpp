// A conversation with the shipped marketing rules: A/B variants of recommendation pitches, churn
// scoring with one alert per crossing, and campaign messages relayed to the person.
#include <doctest/doctest.h>

#include <algorithm>

#include "actors/conversation/conversation.hpp"
#include "actors/experiment/assignment.hpp"
#include "runtime/bus.hpp"
#include "schemas/marketing.hpp"
#include "schemas/subjects.hpp"
#include "tests/support/bot_fixtures.hpp"
#include "tests/support/recording_context.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;

struct fixture {
  schemas::address addr{schemas::kinds::conversation, "web:v-7"};
  std::shared_ptr<marketing_rules> rules = SB_REQUIRE_OK(marketing_rules::load(node_config{}));
  conversation conv{addr, [this] {
                      conversation_settings s;
                      s.bot = test::shipped_bot();
                      s.marketing = rules;
                      return s;
                    }()};
  test::recording_context ctx{addr};

  fixture() { REQUIRE(conv.restore(std::nullopt).ok()); }

  result<void> say(const std::string& text) {
    schemas::chat_message msg;
    msg.channel = "web";
    msg.person = "v-7";
    msg.text = text;
    msg.sent_at_ms = ctx.now;
    return conv.handle(make_envelope(addr, msg, ctx.now), ctx);
  }

  // The person's profile as their user actor sends it: a regular member who never ordered.
  result<void> profile() {
    schemas::profile_summary p;
    p.user_key = "web:v-7";
    return conv.handle(make_envelope(addr, p, ctx.now), ctx);
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture,
                  "a recommendation carries the person's variant and counts an impression") {
  SB_REQUIRE_OK(say("我想买一款降噪耳机"));
  const auto* e = rules->current()->experiment("headphone-pitch");
  REQUIRE(e != nullptr);
  const auto& variant = e->variants[experiments::assign(*e, "web:v-7")];
  auto reply = ctx.last_reply();
  REQUIRE_FALSE(reply.replies.empty());
  CHECK(reply.replies[0].text.find(variant.script) != std::string::npos);
  REQUIRE_FALSE(reply.replies[0].products.empty());
  CHECK(reply.replies[0].products[0].pitch == variant.script);
  auto impressions = ctx.sent_of<schemas::experiment_event>();
  REQUIRE(impressions.size() == 1);
  CHECK(impressions[0].to == schemas::address{"experiment", "headphone-pitch"});
  CHECK(impressions[0].message.variant == variant.name);
  auto touch = ctx.sent_of<schemas::touchpoint>();
  REQUIRE(touch.size() == 1);
  CHECK(touch[0].message.kind == "recommendation");
  CHECK(touch[0].message.variant == variant.name);
}

TEST_CASE_FIXTURE(fixture, "churn risk is raised once when the score crosses the threshold") {
  SB_REQUIRE_OK(say("你们的耳机质量太差了，用了一周就坏了"));
  SB_REQUIRE_OK(profile());
  CHECK(ctx.published_on<schemas::conversation_event>(schemas::topics::churn_high_risk).empty());
  SB_REQUIRE_OK(say("客服一直不回复，太失望了"));
  auto alerts = ctx.published_on<schemas::conversation_event>(schemas::topics::churn_high_risk);
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].churn_score >= rules->current()->churn_model.threshold);
  CHECK(alerts[0].user == "web:v-7");
  CHECK(conv.state().churn_alerted);
  SB_REQUIRE_OK(say("太让人失望了"));
  CHECK(ctx.published_on<schemas::conversation_event>(schemas::topics::churn_high_risk).size() ==
        1);
}

TEST_CASE_FIXTURE(fixture, "a calm shopper raises no churn alert") {
  SB_REQUIRE_OK(say("你好"));
  SB_REQUIRE_OK(profile());
  SB_REQUIRE_OK(say("我想买一款降噪耳机"));
  CHECK(ctx.published_on<schemas::conversation_event>(schemas::topics::churn_high_risk).empty());
  CHECK(conv.state().churn_score < rules->current()->churn_model.threshold);
}

TEST_CASE_FIXTURE(fixture, "a campaign's message reaches the person and its hand-off the desk") {
  SB_REQUIRE_OK(say("你好"));
  schemas::campaign_message m;
  m.campaign = "churn-winback";
  m.text = "送您一张券：AB12-CD34-EF56-GH78";
  m.code = "AB12-CD34-EF56-GH78";
  m.handoff_priority = 90;
  m.handoff_reason = "churn_risk";
  SB_REQUIRE_OK(conv.handle(make_envelope(addr, m, ctx.now), ctx));
  const auto& t = conv.state().transcript;
  auto line = std::find_if(t.begin(), t.end(), [](const schemas::transcript_line& l) {
    return l.from == "campaign:churn-winback";
  });
  REQUIRE(line != t.end());
  CHECK(line->text == m.text);
  CHECK(ctx.published_on<schemas::outbound_event>(schemas::topics::conversation_outbound).size() ==
        1);
  CHECK(conv.state().coupons == std::vector<std::string>{m.code});
  CHECK(conv.state().status == "waiting_for_agent");
  auto enqueue = ctx.sent_of<schemas::pool_command>();
  REQUIRE(enqueue.size() == 1);
  CHECK(enqueue[0].message.priority == 90);
  CHECK(enqueue[0].message.reason == "churn_risk");
}
