// The campaign actor on its own: a memory store, a recording context and the shipped campaigns.
#include "actors/campaign/campaign_actor.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "actors/campaign/coupon_ledger.hpp"
#include "runtime/bus.hpp"
#include "runtime/clock.hpp"
#include "schemas/conversation.hpp"
#include "schemas/marketing.hpp"
#include "schemas/subjects.hpp"
#include "schemas/user.hpp"
#include "tests/support/bot_fixtures.hpp"
#include "tests/support/recording_context.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;

constexpr int64_t minute = 60'000;
constexpr const char* consult = "consult-no-order-30m";

struct fixture {
  manual_clock clk{1'795'572'000'000};
  std::shared_ptr<store> st = make_memory_store(clk);
  std::shared_ptr<marketing_rules> rules = SB_REQUIRE_OK(marketing_rules::load(node_config{}));
  campaign_actor actor{consult, campaign_services{rules, st.get(), test::shipped_bot()}};
  test::recording_context ctx{schemas::address{"campaign", consult}};

  fixture() {
    ctx.now = clk.now_ms();
    SB_REQUIRE_OK(actor.restore(std::nullopt));
  }

  result<void> inquiry(const std::string& user, const std::string& sku, int64_t at) {
    schemas::conversation_event ev;
    ev.event = schemas::topics::product_inquiry;
    ev.user = user;
    ev.channel = "web";
    ev.conversation_id = user + "#1";
    ev.skus = {sku};
    ev.at_ms = at;
    return actor.handle(make_envelope(schemas::address{}, ev, at), ctx);
  }

  result<void> order(const std::string& user, int64_t at) {
    schemas::business_event ev;
    ev.type = "order.placed";
    ev.user = user;
    ev.order_id = "O-1";
    ev.at_ms = at;
    return actor.handle(make_envelope(schemas::address{}, ev, at), ctx);
  }

  result<void> fire(const test::recording_context::armed_timer& t) {
    ctx.now = t.due_ms;
    schemas::timer_fired f;
    f.name = t.name;
    f.due_ms = t.due_ms;
    f.fired_at_ms = t.due_ms;
    f.generation = 1;
    f.payload.data = t.payload;
    return actor.on_timer(f, ctx);
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "an inquiry arms the person's timer due after the wait") {
  const auto t0 = ctx.now;
  SB_REQUIRE_OK(inquiry("web:v-1", "AL-ANC-PRO2", t0));
  REQUIRE(ctx.armed.size() == 1);
  CHECK(ctx.armed[0].name == "person:web:v-1");
  CHECK(ctx.armed[0].due_ms == t0 + 30 * minute);
  CHECK(ctx.armed[0].payload == "web:v-1");
  CHECK(actor.state().armed == 1);
}

TEST_CASE_FIXTURE(fixture, "an order within the wait cancels the coupon timer") {
  const auto t0 = ctx.now;
  SB_REQUIRE_OK(inquiry("web:v-1", "AL-ANC-PRO2", t0));
  SB_REQUIRE_OK(order("web:v-1", t0 + 5 * minute));
  CHECK(ctx.cancelled == std::vector<std::string>{"person:web:v-1"});
  CHECK(actor.state().cancelled == 1);
  // Should the cancelled timer still fire (it was claimed before the cancel), it does nothing.
  SB_REQUIRE_OK(fire(ctx.armed[0]));
  CHECK(SB_REQUIRE_OK(coupons::list_for_user(*st, "web:v-1")).empty());
  CHECK(actor.state().skipped.at("stale_timer") == 1);
}

TEST_CASE_FIXTURE(fixture, "a firing issues the coupon, sends the message and tells the person") {
  const auto t0 = ctx.now;
  SB_REQUIRE_OK(inquiry("web:v-1", "AL-ANC-PRO2", t0));
  auto timer = ctx.armed[0];
  SB_REQUIRE_OK(fire(timer));

  auto issued = SB_REQUIRE_OK(coupons::list_for_user(*st, "web:v-1"));
  REQUIRE(issued.size() == 1);
  const auto& c = issued[0];
  CHECK(c.campaign == consult);
  CHECK(c.amount == 10);
  CHECK(c.issued_at_ms == timer.due_ms);
  CHECK(c.expires_at_ms == timer.due_ms + 72 * 60 * minute);
  CHECK(c.experiment == "coupon-copy");
  CHECK(!c.variant.empty());

  auto messages = ctx.sent_of<schemas::campaign_message>();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].to == schemas::address{"conversation", "web:v-1"});
  CHECK(messages[0].message.code == c.code);
  CHECK(messages[0].message.text.find(c.code) != std::string::npos);
  CHECK(messages[0].message.handoff_priority == 0);
  CHECK(ctx.published_on<schemas::coupon_record>(schemas::topics::coupon_issued).size() == 1);
  auto touch = ctx.sent_of<schemas::touchpoint>();
  REQUIRE(touch.size() == 1);
  CHECK(touch[0].message.code == c.code);
  CHECK(ctx.sent_of<schemas::experiment_event>().size() == 1);
  CHECK(actor.state().coupons_issued == 1);
}

TEST_CASE_FIXTURE(fixture, "a firing repeated after a crash gets the same coupon, not a second") {
  SB_REQUIRE_OK(inquiry("web:v-1", "AL-ANC-PRO2", ctx.now));
  const std::string record_key = "campaign:consult-no-order-30m:person:web:v-1";
  // The person's record as it was before the firing: a crash after the claim but before the
  // record was written leaves it so, and the timer fires again.
  auto before = SB_REQUIRE_OK(st->get(record_key));
  REQUIRE(before.has_value());
  SB_REQUIRE_OK(fire(ctx.armed[0]));
  auto first = SB_REQUIRE_OK(coupons::list_for_user(*st, "web:v-1"));
  REQUIRE(first.size() == 1);
  SB_REQUIRE_OK(st->put(record_key, *before));
  ctx.sent.clear();
  ctx.published.clear();
  SB_REQUIRE_OK(fire(ctx.armed[0]));
  auto after = SB_REQUIRE_OK(coupons::list_for_user(*st, "web:v-1"));
  REQUIRE(after.size() == 1);
  CHECK(after[0].code == first[0].code);
  auto again = ctx.sent_of<schemas::campaign_message>();
  REQUIRE(again.size() == 1);
  CHECK(again[0].message.code == first[0].code);
  CHECK(actor.state().coupons_issued == 1);
}

TEST_CASE_FIXTURE(fixture, "a product out of stock when the timer fires gets no coupon") {
  SB_REQUIRE_OK(inquiry("web:v-2", "AL-ANC-LITE", ctx.now));  // stock 0 in the catalog
  SB_REQUIRE_OK(fire(ctx.armed[0]));
  CHECK(SB_REQUIRE_OK(coupons::list_for_user(*st, "web:v-2")).empty());
  CHECK(actor.state().skipped.at("conditions") == 1);
  CHECK(ctx.sent_of<schemas::campaign_message>().empty());
}

TEST_CASE_FIXTURE(fixture, "a second inquiry after the coupon does not give a second one") {
  SB_REQUIRE_OK(inquiry("web:v-1", "AL-ANC-PRO2", ctx.now));
  SB_REQUIRE_OK(fire(ctx.armed[0]));
  ctx.armed.clear();
  SB_REQUIRE_OK(inquiry("web:v-1", "AL-ANC-PRO2", ctx.now + minute));
  REQUIRE(ctx.armed.size() == 1);
  SB_REQUIRE_OK(fire(ctx.armed[0]));
  CHECK(SB_REQUIRE_OK(coupons::list_for_user(*st, "web:v-1")).size() == 1);
  CHECK(actor.state().skipped.at("per_person_limit") == 1);
}

TEST_CASE_FIXTURE(fixture, "the status shows the counters and the campaign's definition") {
  SB_REQUIRE_OK(inquiry("web:v-1", "AL-ANC-PRO2", ctx.now));
  auto status = nlohmann::json::parse(actor.status_json());
  CHECK(status["campaign"] == consult);
  CHECK(status["armed"] == 1);
  CHECK(status["on"] == "conversation.product_inquiry");
  CHECK(status["unless"] == "order.placed");
  CHECK(status["wait_ms"] == 30 * minute);
}
