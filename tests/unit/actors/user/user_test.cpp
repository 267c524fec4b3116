// The user actor driven through a recording actor_context: business events applied once, summaries
// for the conversations that watch the person, and identities merged into one person.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/user/user.hpp"
#include "runtime/bus.hpp"
#include "runtime/codec.hpp"
#include "schemas/conversation.hpp"
#include "schemas/user.hpp"
#include "tests/support/recording_context.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;
using test::recording_context;

constexpr int64_t day = 24LL * 60 * 60 * 1000;

schemas::business_event order_placed(const std::string& event_id, const std::string& order_id,
                                     double amount, int64_t at_ms) {
  schemas::business_event ev;
  ev.type = "order.placed";
  ev.event_id = event_id;
  ev.order_id = order_id;
  ev.amount = amount;
  ev.currency = "CNY";
  ev.skus = {"AL-SPORT-RUN"};
  ev.at_ms = at_ms;
  return ev;
}

schemas::business_event viewed(const std::string& event_id, const std::string& sku, int64_t at_ms) {
  schemas::business_event ev;
  ev.type = "product.viewed";
  ev.event_id = event_id;
  ev.sku = sku;
  ev.brand = "Auralink";
  ev.category = "headphones";
  ev.price = 399;
  ev.at_ms = at_ms;
  return ev;
}

schemas::user_command command(const std::string& action, const std::string& into = "") {
  schemas::user_command c;
  c.action = action;
  c.into = into;
  return c;
}

struct fixture {
  std::string key = "app:u-42";
  schemas::address addr{"user", key};
  user person{key};
  recording_context ctx{addr};

  fixture() { REQUIRE(person.restore(std::nullopt).ok()); }

  template <class M>
  result<void> deliver(const M& msg) {
    return person.handle(make_envelope(addr, msg, ctx.now), ctx);
  }

  // The action of the last reply (user actors answer with a user_command naming what happened).
  std::string last_answer() { return ctx.last_reply_as<schemas::user_command>().action; }

  // The summaries sent to conversations, with their destinations.
  std::vector<test::recording_context::sent_message<schemas::profile_summary>> summaries() {
    return ctx.sent_of<schemas::profile_summary>();
  }

  // Registers `conversation_key` as a watcher and forgets what was recorded.
  void watch(const std::string& conversation_key) {
    SB_REQUIRE_OK(deliver(command("summary", conversation_key)));
    ctx.clear();
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "a new person knows only the identity it is keyed by") {
  CHECK(person.person().user_id == "app:u-42");
  CHECK(person.person().identities == std::set<std::string>{"app:u-42"});
  auto s = person.summary(ctx.now);
  CHECK(s.user_key == "app:u-42");
  CHECK(s.tier == "regular");
  CHECK(s.order_count == 0);
  CHECK(s.days_since_last_order == -1);
  CHECK(s.identities == std::vector<std::string>{"app:u-42"});
}

TEST_CASE_FIXTURE(fixture,
                  "a business event is applied once per event id and republished on its topic") {
  SB_REQUIRE_OK(deliver(order_placed("ev-3", "A1002", 399, ctx.now)));
  CHECK(last_answer() == "applied");
  CHECK(person.person().orders.size() == 1);
  auto published = ctx.published_on<schemas::business_event>("order.placed");
  REQUIRE(published.size() == 1);
  // The order, then what it is attributed to (nothing was shown to this person before).
  CHECK(ctx.topics() == std::vector<std::string>{"order.placed", "order.attributed"});
  CHECK(published[0].user == "app:u-42");
  CHECK(published[0].event_id == "ev-3");
  CHECK(published[0].order_id == "A1002");
  CHECK(published[0].amount == 399);

  // The shop retries its webhook: same event id, answered as a duplicate, nothing happens.
  ctx.clear();
  SB_REQUIRE_OK(deliver(order_placed("ev-3", "A1002", 399, ctx.now)));
  CHECK(last_answer() == "duplicate");
  CHECK(ctx.published.empty());
  CHECK(ctx.sent.empty());
  CHECK(person.person().orders.size() == 1);

  // Another event id for another order is applied.
  ctx.clear();
  SB_REQUIRE_OK(deliver(order_placed("ev-4", "A1003", 99, ctx.now)));
  CHECK(last_answer() == "applied");
  CHECK(person.person().orders.size() == 2);
}

TEST_CASE_FIXTURE(fixture,
                  "every kind of business event is applied to the profile and republished") {
  auto ev = order_placed("e-1", "A1", 100, ctx.now);
  SB_REQUIRE_OK(deliver(ev));

  schemas::business_event paid;
  paid.type = "order.paid";
  paid.event_id = "e-2";
  paid.order_id = "A1";
  SB_REQUIRE_OK(deliver(paid));
  CHECK(person.person().orders[0].paid);

  SB_REQUIRE_OK(deliver(viewed("e-3", "AL-ANC-PRO2", ctx.now)));
  REQUIRE(person.person().recent_views.size() == 1);
  CHECK(person.person().recent_views[0].brand == "Auralink");
  CHECK(person.person().recent_views[0].currency == "CNY");  // the default

  schemas::business_event click;
  click.type = "recommendation.clicked";
  click.event_id = "e-4";
  click.sku = "AL-ANC-PRO2";
  click.at_ms = ctx.now;
  SB_REQUIRE_OK(deliver(click));
  CHECK(person.person().recommendation_clicks == 1);

  schemas::business_event csat;
  csat.type = "csat.rated";
  csat.event_id = "e-5";
  csat.conversation_id = "app:u-42#1";
  csat.score = 5;
  csat.at_ms = ctx.now;
  SB_REQUIRE_OK(deliver(csat));
  REQUIRE(person.person().csat.size() == 1);
  CHECK(person.person().csat[0].score == 5);

  CHECK(ctx.topics() == std::vector<std::string>{"order.placed", "order.attributed", "order.paid",
                                                 "product.viewed", "recommendation.clicked",
                                                 "csat.rated"});
  for (const auto& [topic, env] : ctx.published) {
    CHECK(env.type == (topic == "order.attributed" ? schemas::order_attribution::type_name
                                                   : schemas::business_event::type_name));
  }
}

TEST_CASE_FIXTURE(fixture,
                  "an event that cannot be applied is an error and its id is not remembered") {
  schemas::business_event paid;
  paid.type = "order.paid";
  paid.event_id = "e-paid";
  paid.order_id = "A1";
  auto r = deliver(paid);  // paid before it was placed
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::not_found);
  CHECK(ctx.published.empty());
  CHECK(ctx.replies.empty());

  // Once the order is there, the same event applies.
  SB_REQUIRE_OK(deliver(order_placed("e-placed", "A1", 10, ctx.now)));
  SB_REQUIRE_OK(deliver(paid));
  CHECK(last_answer() == "applied");
  CHECK(person.person().orders[0].paid);
}

TEST_CASE_FIXTURE(fixture, "unknown events, commands, tiers and message types are refused") {
  schemas::business_event odd;
  odd.type = "order.teleported";
  odd.event_id = "x-1";
  auto r = deliver(odd);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  CHECK(r.err().message.find("order.teleported") != std::string::npos);

  r = deliver(command("dance"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);

  auto ev = viewed("x-2", "AL-1", ctx.now);
  ev.tier = "diamond";
  r = deliver(ev);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);

  r = deliver(schemas::chat_message{});
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::unexpected_type);

  auto env = make_envelope(addr, schemas::business_event{});
  env.payload.data = "\xc1";
  r = person.handle(env, ctx);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_malformed);

  CHECK(ctx.published.empty());
  CHECK(ctx.sent.empty());
}

TEST_CASE_FIXTURE(fixture, "an event carrying a membership tier sets it") {
  auto ev = viewed("t-1", "AL-1", ctx.now);
  ev.tier = "gold";
  SB_REQUIRE_OK(deliver(ev));
  CHECK(person.person().tier == membership_tier::gold);
  CHECK(person.summary(ctx.now).tier == "gold");
}

TEST_CASE_FIXTURE(
    fixture, "a summary command answers, registers the conversation and sends it the summary") {
  SB_REQUIRE_OK(deliver(order_placed("e-1", "A1", 399, ctx.now - 3 * day)));
  ctx.clear();
  SB_REQUIRE_OK(deliver(command("summary", "app:u-42")));

  auto answered = ctx.last_reply_as<schemas::profile_summary>();
  CHECK(answered.user_key == "app:u-42");
  CHECK(answered.order_count == 1);
  CHECK(answered.days_since_last_order == 3);
  auto sent = summaries();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].to == schemas::address{"conversation", "app:u-42"});
  CHECK(sent[0].message.order_count == 1);
  CHECK(sent[0].message.user_key == "app:u-42");

  auto status = nlohmann::json::parse(person.status_json());
  CHECK(status.at("watchers") == nlohmann::json::array({"app:u-42"}));

  // Asking again does not register the conversation twice.
  ctx.clear();
  SB_REQUIRE_OK(deliver(command("summary", "app:u-42")));
  ctx.clear();
  SB_REQUIRE_OK(deliver(viewed("e-2", "AL-1", ctx.now)));
  CHECK(summaries().size() == 1);
}

TEST_CASE_FIXTURE(fixture, "a summary command without a conversation only answers") {
  SB_REQUIRE_OK(deliver(command("summary")));
  CHECK(ctx.last_reply_as<schemas::profile_summary>().user_key == "app:u-42");
  CHECK(ctx.sent.empty());
  ctx.clear();
  SB_REQUIRE_OK(deliver(viewed("e-1", "AL-1", ctx.now)));
  CHECK(summaries().empty());
}

TEST_CASE_FIXTURE(fixture, "later changes push fresh summaries to every watching conversation") {
  watch("app:u-42");
  watch("wechat:oXYZ42");
  ctx.now += 1000;
  SB_REQUIRE_OK(deliver(viewed("e-1", "AL-ANC-PRO2", ctx.now)));

  auto sent = summaries();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].to == schemas::address{"conversation", "app:u-42"});
  CHECK(sent[1].to == schemas::address{"conversation", "wechat:oXYZ42"});
  for (const auto& s : sent) {
    CHECK(s.message.recent_skus == std::vector<std::string>{"AL-ANC-PRO2"});
    CHECK(s.message.top_brands == std::vector<std::string>{"Auralink"});
  }

  // A duplicate event changes nothing and pushes nothing.
  ctx.clear();
  SB_REQUIRE_OK(deliver(viewed("e-1", "AL-ANC-PRO2", ctx.now)));
  CHECK(summaries().empty());
}

TEST_CASE_FIXTURE(fixture,
                  "a contact is noted quietly, a price objection is pushed to the watchers") {
  watch("app:u-42");
  auto contact = command("contact");
  contact.channel = "app";
  contact.at_ms = ctx.now;
  SB_REQUIRE_OK(deliver(contact));
  CHECK(person.person().last_contact_ms.at("app") == ctx.now);
  CHECK(ctx.sent.empty());
  CHECK(ctx.published.empty());

  contact.price_objection = true;
  SB_REQUIRE_OK(deliver(contact));
  CHECK(person.person().price_objections == 1);
  REQUIRE(summaries().size() == 1);
  CHECK_FALSE(summaries()[0].message.price_sensitive);
  ctx.clear();
  SB_REQUIRE_OK(deliver(contact));
  REQUIRE(summaries().size() == 1);
  CHECK(summaries()[0].message.price_sensitive);  // two objections make a price-sensitive person
}

TEST_CASE_FIXTURE(fixture, "user.identified tells every other identity to merge into this person") {
  schemas::business_event ev;
  ev.type = "user.identified";
  ev.event_id = "id-1";
  ev.identities = {"web:v-1001", "app:u-42", "wechat:oXYZ42"};
  SB_REQUIRE_OK(deliver(ev));

  auto absorbs = ctx.sent_of<schemas::user_command>();
  REQUIRE(absorbs.size() == 2);
  CHECK(ctx.sent.size() == 2);
  CHECK(absorbs[0].to == schemas::address{"user", "web:v-1001"});
  CHECK(absorbs[1].to == schemas::address{"user", "wechat:oXYZ42"});
  for (const auto& a : absorbs) {
    CHECK(a.message.action == "absorb");
    CHECK(a.message.into == "app:u-42");
  }
  CHECK(ctx.topics() == std::vector<std::string>{"user.identified"});
  CHECK(last_answer() == "applied");
}

TEST_CASE_FIXTURE(fixture,
                  "user.identified with an invalid identity is refused before anything is sent") {
  schemas::business_event ev;
  ev.type = "user.identified";
  ev.event_id = "id-1";
  ev.identities = {"web:v-1001", "fax:123"};
  auto r = deliver(ev);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  CHECK(ctx.sent.empty());
  CHECK(ctx.published.empty());
}

TEST_CASE("an absorbed person sends its profile and watchers over, then forwards everything") {
  schemas::address addr{"user", "web:v-1001"};
  user other{"web:v-1001"};
  SB_REQUIRE_OK(other.restore(std::nullopt));
  recording_context ctx{addr};
  SB_REQUIRE_OK(other.handle(make_envelope(addr, order_placed("e-1", "W1", 199, ctx.now)), ctx));
  SB_REQUIRE_OK(other.handle(make_envelope(addr, command("summary", "web:v-1001")), ctx));
  ctx.clear();

  SB_REQUIRE_OK(other.handle(make_envelope(addr, command("absorb", "app:u-42")), ctx));
  CHECK(ctx.last_reply_as<schemas::user_command>().action == "merged");
  auto merges = ctx.sent_of<schemas::user_command>();
  REQUIRE(merges.size() == 1);
  CHECK(merges[0].to == schemas::address{"user", "app:u-42"});
  CHECK(merges[0].message.action == "merge");
  CHECK(merges[0].message.into == "app:u-42");
  CHECK(merges[0].message.watchers == std::vector<std::string>{"web:v-1001"});
  auto sent_profile = SB_REQUIRE_OK(profile_from_json(merges[0].message.profile_json));
  REQUIRE(sent_profile.orders.size() == 1);
  CHECK(sent_profile.orders[0].order_id == "W1");
  CHECK(sent_profile.identities.count("web:v-1001") == 1);

  // From now on every message goes to the person it was merged into, unchanged.
  ctx.clear();
  auto later = make_envelope(addr, viewed("e-2", "AL-1", ctx.now));
  later.msg_id = "m-77";
  SB_REQUIRE_OK(other.handle(later, ctx));
  CHECK(ctx.last_reply_as<schemas::user_command>().action == "forwarded");
  REQUIRE(ctx.sent.size() == 1);
  CHECK(ctx.sent[0].to == schemas::address{"user", "app:u-42"});
  CHECK(ctx.sent[0].type == later.type);
  CHECK(ctx.sent[0].payload.data == later.payload.data);
  CHECK(ctx.published.empty());
  CHECK(other.person().recent_views.empty());  // not applied here

  ctx.clear();
  SB_REQUIRE_OK(other.handle(make_envelope(addr, command("summary", "web:v-1001")), ctx));
  REQUIRE(ctx.sent.size() == 1);
  CHECK(ctx.sent[0].to == schemas::address{"user", "app:u-42"});
  CHECK(ctx.sent[0].type == schemas::user_command::type_name);

  // The forwarding survives a restart.
  user restored{"web:v-1001"};
  SB_REQUIRE_OK(restored.restore(other.snapshot()));
  ctx.clear();
  SB_REQUIRE_OK(restored.handle(make_envelope(addr, command("contact")), ctx));
  REQUIRE(ctx.sent.size() == 1);
  CHECK(ctx.sent[0].to == schemas::address{"user", "app:u-42"});
  auto status = nlohmann::json::parse(restored.status_json());
  CHECK(status.at("merged_into").get<std::string>() == "app:u-42");
}

TEST_CASE_FIXTURE(fixture, "absorbing into itself or into nobody does nothing") {
  for (const std::string into : {"", "app:u-42"}) {
    CAPTURE(into);
    SB_REQUIRE_OK(deliver(command("absorb", into)));
    CHECK(ctx.sent.empty());
  }
  // Still the person itself: events apply here.
  SB_REQUIRE_OK(deliver(viewed("e-1", "AL-1", ctx.now)));
  CHECK(last_answer() == "applied");
  CHECK(person.person().recent_views.size() == 1);
}

TEST_CASE_FIXTURE(fixture, "a merge unites the histories and adopts the other person's watchers") {
  watch("app:u-42");
  SB_REQUIRE_OK(deliver(order_placed("e-1", "A1", 399, ctx.now - 2 * day)));
  SB_REQUIRE_OK(deliver(viewed("e-2", "AL-ANC-PRO2", ctx.now - day)));

  profile web;
  web.user_id = "web:v-1001";
  web.identities = {"web:v-1001"};
  web.tier = membership_tier::gold;
  order_record w;
  w.order_id = "W1";
  w.amount = 199;
  w.currency = "CNY";
  w.skus = {"AL-BT-MINI"};
  w.placed_at_ms = ctx.now - day;
  web.orders.push_back(w);
  web.recent_views.push_back({"AL-BT-MINI", "Auralink", "headphones", 149, "CNY", ctx.now});
  web.price_objections = 1;

  ctx.clear();
  auto merge = command("merge", "app:u-42");
  merge.profile_json = to_json(web);
  merge.watchers = {"web:v-1001", "app:u-42"};
  SB_REQUIRE_OK(deliver(merge));
  CHECK(last_answer() == "merged");

  const auto& p = person.person();
  CHECK(p.user_id == "app:u-42");
  CHECK(p.identities == std::set<std::string>{"app:u-42", "web:v-1001"});
  REQUIRE(p.orders.size() == 2);
  CHECK(p.orders[0].order_id == "A1");
  CHECK(p.orders[1].order_id == "W1");
  REQUIRE(p.recent_views.size() == 2);
  CHECK(p.recent_views[0].sku == "AL-ANC-PRO2");
  CHECK(p.recent_views[1].sku == "AL-BT-MINI");
  CHECK(p.tier == membership_tier::gold);
  CHECK(p.price_objections == 1);

  // Both conversations now get this person's summary, each once.
  auto sent = summaries();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].to == schemas::address{"conversation", "app:u-42"});
  CHECK(sent[1].to == schemas::address{"conversation", "web:v-1001"});
  for (const auto& s : sent) {
    CHECK(s.message.tier == "gold");
    CHECK(s.message.order_count == 2);
    CHECK(s.message.identities == std::vector<std::string>{"app:u-42", "web:v-1001"});
  }
}

TEST_CASE_FIXTURE(fixture, "a merge whose profile does not read is an error and changes nothing") {
  auto merge = command("merge", "app:u-42");
  merge.profile_json = "{not json";
  auto r = deliver(merge);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_malformed);
  CHECK(person.person().identities.size() == 1);
  CHECK(ctx.sent.empty());
}

TEST_CASE_FIXTURE(fixture,
                  "a snapshot restores the profile, the watchers and the applied event ids") {
  watch("app:u-42");
  SB_REQUIRE_OK(deliver(order_placed("e-1", "A1", 399, ctx.now)));
  SB_REQUIRE_OK(deliver(viewed("e-2", "AL-1", ctx.now)));
  auto bytes = person.snapshot();

  user copy{key};
  SB_REQUIRE_OK(copy.restore(bytes));
  CHECK(copy.snapshot() == bytes);
  CHECK(to_json(copy.person()) == to_json(person.person()));

  // The copy recognises the applied event and keeps pushing summaries to the watcher.
  recording_context other{addr};
  SB_REQUIRE_OK(copy.handle(make_envelope(addr, order_placed("e-1", "A1", 399, other.now)), other));
  CHECK(other.last_reply_as<schemas::user_command>().action == "duplicate");
  SB_REQUIRE_OK(copy.handle(make_envelope(addr, viewed("e-3", "AL-2", other.now)), other));
  auto sent = other.sent_of<schemas::profile_summary>();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].to == schemas::address{"conversation", "app:u-42"});
}

TEST_CASE_FIXTURE(fixture, "restoring bytes that do not decode is an error") {
  for (const auto& garbage : {std::string{"\xc1"}, std::string{"not msgpack"}}) {
    CAPTURE(garbage);
    auto r = person.restore(garbage);
    REQUIRE_FALSE(r.ok());
  }
  schemas::user_state st;
  st.profile_json = "[1, 2]";
  auto r = person.restore(encode(st));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_malformed);
}

TEST_CASE_FIXTURE(fixture,
                  "the status is the summary with the merge, the watchers and the events applied") {
  watch("app:u-42");
  SB_REQUIRE_OK(deliver(order_placed("e-1", "A1", 399, ctx.now)));
  auto j = nlohmann::json::parse(person.status_json(), nullptr, false);
  REQUIRE(j.is_object());
  CHECK(j.at("user_key").get<std::string>() == "app:u-42");
  CHECK(j.at("order_count").get<int64_t>() == 1);
  CHECK(j.at("tier").get<std::string>() == "regular");
  CHECK(j.at("merged_into").get<std::string>().empty());
  CHECK(j.at("watchers") == nlohmann::json::array({"app:u-42"}));
  CHECK(j.at("events_applied").get<int64_t>() == 1);
}

TEST_CASE_FIXTURE(fixture, "timers change nothing") {
  schemas::timer_fired t;
  t.name = "anything";
  auto before = person.snapshot();
  SB_REQUIRE_OK(person.on_timer(t, ctx));
  CHECK(person.snapshot() == before);
  CHECK(ctx.sent.empty());
}
