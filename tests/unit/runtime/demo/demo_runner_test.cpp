// The scripted demo against an embedded node: the runner's mechanics on the foundation scenario
// (tests/data/demo/), the shipped scenario's funnel, and small custom scenarios. The demo's clock
// is scripted, so these runs never wait on wall time.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "runtime/config/node_config.hpp"
#include "runtime/demo/demo_runner.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Returns how often `part` occurs in `text`.
size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (auto pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + 1)) {
    ++n;
  }
  return n;
}

// The defaults without campaigns and experiments: the foundation's own counts stay as they were.
node_config without_marketing() {
  node_config cfg;
  cfg.campaigns_dir = std::string{SB_SOURCE_DIR} + "/tests/data/marketing-off/campaigns";
  cfg.experiments_file = std::string{SB_SOURCE_DIR} + "/tests/data/marketing-off/experiments.yaml";
  return cfg;
}

std::string write_file(const test::temp_dir& dir, const std::string& text) {
  auto path = dir.file("scenario.yaml");
  std::ofstream{path} << text;
  return path;
}

}  // namespace

TEST_CASE(
    "the foundation scenario's retries, sessions, timers and passivations play out as its comments "
    "say") {
  std::ostringstream out;
  auto s = SB_REQUIRE_OK(
      run_demo(without_marketing(),
               std::string{SB_SOURCE_DIR} + "/tests/data/demo/foundation_scenario.yaml", out));
  auto text = out.str();
  CAPTURE(text);

  // Seven messages, one of them the WeChat retry of wx-9001: web w-1 w-2 w-3, wechat wx-9001,
  // app a-77 a-78.
  CHECK(s.messages == 6);
  CHECK(s.retries_recognised == 1);
  CHECK(s.messages_by_channel.at("web") == 3);
  CHECK(s.messages_by_channel.at("wechat") == 1);
  CHECK(s.messages_by_channel.at("app") == 2);
  CHECK(s.messages_by_channel.size() == 3);

  // Sessions (30m idle): web, wechat and app open at 0m; web's timer moves to 36m with w-3 at 6m;
  // the advance to 37m closes all three; a-78 opens app #2, closed by the advance to 77m.
  CHECK(s.sessions_started == 4);
  CHECK(s.sessions_closed == 4);
  CHECK(s.timers_fired == 4);

  // Actors (5m idle; a timer firing counts as activity). Each conversation's first message also
  // wakes the person's user actor (asked for a profile summary, told of the contact), and every
  // later message tells it of the contact again. At 0m three conversations and three users
  // activate; all six passivate at 6m; w-3 brings back web's conversation and user; the firings at
  // 37m bring back wechat's and app's conversations while web's user, idle for 31m, goes; a-78
  // brings back app's user; at 77m web's and wechat's conversations and app's user have been idle
  // for 40m and go, while app's conversation was just woken by its own timer and stays.
  CHECK(s.activations == 11);
  CHECK(s.passivations == 10);

  CHECK(
      contains(text, "Switchboard demo: Three shoppers, three channels, one engine (foundation)"));
  CHECK(contains(text, "memory store"));
  CHECK(contains(text, "channel retry of wx-9001, recognised and not applied again"));
  CHECK(count_of(text, "recognised and not applied again") == 1);
  CHECK(contains(text, "6 idle actor(s) passivated"));
  CHECK(contains(text, "1 idle actor(s) passivated"));
  CHECK(contains(text, "3 idle actor(s) passivated"));
  // The bot's answer is seq 2 and 4, so the third message is seq 5.
  CHECK(contains(text, "-> web:v-1001#1 seq 5  [actor activated, state loaded from store]"));
  // Only the conversation's own activation is reported: app's was woken by its timer already.
  CHECK(contains(text, "-> app:u-42#2 seq 1\n"));
  CHECK(count_of(text, "[actor activated") == 4);
  CHECK(contains(text, "3 durable timer(s) fired"));
  CHECK(contains(text, "1 durable timer(s) fired"));
  CHECK(contains(text, "event conversation.started app:u-42#2"));
  CHECK(contains(text, "event conversation.closed web:v-1001#1 (idle_timeout, 3 messages)"));
  CHECK(contains(text, "event conversation.closed wechat:oXYZ42#1 (idle_timeout, 1 messages)"));
  CHECK(contains(text, "event conversation.closed app:u-42#1 (idle_timeout, 1 messages)"));
  CHECK(contains(text, "event conversation.closed app:u-42#2 (idle_timeout, 1 messages)"));
  CHECK(count_of(text, "event conversation.started") == 4);
  CHECK(count_of(text, "event conversation.closed") == 4);
  CHECK(contains(text, "[00:37:00] time passes (+31m)"));
  CHECK(contains(text, "  messages applied        6\n"));
  CHECK(contains(text, "  channel retries dropped 1\n"));
  CHECK(contains(text, "  durable timers fired    4\n"));
}

TEST_CASE("the shipped demo scenario shows the whole funnel") {
  std::ostringstream out;
  auto s = SB_REQUIRE_OK(
      run_demo(node_config{}, std::string{SB_SOURCE_DIR} + "/config/demo/scenario.yaml", out));
  auto text = out.str();
  CAPTURE(text);

  // Messages: wechat wx-9001 wx-9002 (the retry of wx-9001 is not applied), web w-1 w-2 w-3, app
  // a-77 a-78 a-79 a-80, and the unhappy customer's a-90 a-91.
  CHECK(s.messages == 11);
  CHECK(s.retries_recognised == 1);
  CHECK(s.messages_by_channel.at("wechat") == 2);
  CHECK(s.messages_by_channel.at("web") == 3);
  CHECK(s.messages_by_channel.at("app") == 6);
  CHECK(s.messages_by_channel.size() == 3);

  // The funnel: two product inquiries (headphones on WeChat, running earbuds on the web) show
  // 2 + 3 cards, the price objection 3 cheaper ones; one click; the order webhook, sent twice
  // with one event id, is one order; the WeChat follower's and the won-back customer's orders
  // follow their coupons.
  CHECK(s.product_inquiries == 2);
  CHECK(s.recommendations_shown == 8);
  CHECK(s.recommendations_clicked == 1);
  CHECK(s.orders == 3);

  // Marketing: the 30-minute campaign fires for the WeChat follower only (the web shopper
  // ordered within the wait); the unhappy customer's second message crosses the churn threshold
  // and the win-back campaign answers; both coupons are redeemed with the orders they lead to.
  CHECK(s.coupons_issued == 2);
  CHECK(s.coupons_redeemed == 2);
  CHECK(s.orders_attributed_to_coupons == 2);
  CHECK(s.churn_alerts == 1);
  CHECK(s.winback_offers == 1);
  CHECK(s.winback_orders == 1);
  CHECK(s.funnel_by_channel.at("wechat").at("coupons issued") == 1);
  CHECK(s.funnel_by_channel.at("web").at("coupons issued") == 0);
  CHECK(s.funnel_by_channel.at("app").at("orders") == 1);
  CHECK(s.experiments.count("headphone-pitch") == 1);
  CHECK(s.experiments.count("coupon-copy") == 1);
  CHECK(contains(text, "event coupon.issued"));
  CHECK(contains(text, "(consult-no-order-30m) to wechat:oXYZ42"));
  CHECK(contains(text, "campaign:consult-no-order-30m -> wechat:oXYZ42: "));
  CHECK(contains(text, "event churn.high_risk app:u-88#1"));
  CHECK(contains(text, "campaign:churn-winback -> app:u-88: 舍不得您走！"));
  CHECK(contains(text, "event order.attributed W3001: recommendation AL-ANC-PRO2 coupon "));
  CHECK(count_of(text, "(consult-no-order-30m) to web:v-1001") == 0);

  // The app user asks for a human at 0:00; li, signed in and offered the conversation at once,
  // accepts 45s later, answers once and hands it back. The unhappy customer is handed off too.
  CHECK(s.handoffs_requested == 2);
  CHECK(s.handoffs_accepted == 1);
  CHECK(s.agent_wait_ms_total == 45'000);
  CHECK(s.agent_messages == 1);

  // Sessions: wechat, web and app #1 open at 0:00 and close at 37:45 (web's timer moved to 36:45
  // by w-3); a-80 opens app #2, closed at 77:45.
  CHECK(s.sessions_started == 5);
  CHECK(s.sessions_closed == 5);
  // Five idle timers, and the WeChat follower's campaign timer.
  CHECK(s.timers_fired == 6);
  // Actors come and go with the story (conversations, users, the desk, two campaigns, two
  // experiments); every one that went idle was passivated with its state saved.
  CHECK(s.activations == 24);
  CHECK(s.passivations == 21);

  CHECK(contains(text, "Switchboard demo: Three shoppers, three channels, one engine\n"));
  CHECK(contains(text, "agent li is online"));
  CHECK(contains(text, "channel retry of wx-9001, recognised and not applied again"));
  CHECK(count_of(text, "AL-ANC-LITE") == 0);  // out of stock
  CHECK(contains(text, "shop event recommendation.clicked for web:v-1001 (AL-SPORT-RUN)"));
  CHECK(count_of(text, "shop event order.placed for web:v-1001 (order A1002, 399 CNY)") == 2);
  CHECK(contains(text,
                 "event handoff.requested app:u-42#1 (asked_for_human, 2 messages)\n"
                 "           event handoff.offered app:u-42#1 to agent li\n"));
  CHECK(contains(text,
                 "agent li takes app:u-42#1 after 45s in the queue; context in one answer: "
                 "5 transcript lines, reason asked_for_human, member tier regular"));
  CHECK(contains(text, "event handoff.accepted app:u-42#1"));
  CHECK(contains(text, "agent li -> app:u-42: 您好，我是客服小李，您的订单明天送达。"));
  // With the agent there, the bot stays silent.
  CHECK(contains(text, "-> app:u-42#1 seq 7\n           (conversation is now with_agent)\n"));
  CHECK(contains(text, "agent li hands app:u-42#1 back to the bot"));
  CHECK(contains(text, "-> web:v-1001#1 seq 5  [actor activated, state loaded from store]"));
  CHECK(contains(text, "event conversation.closed app:u-42#1 (idle_timeout, 3 messages)"));
  CHECK(contains(text, "event conversation.closed wechat:oXYZ42#1 (idle_timeout, 2 messages)"));
  CHECK(contains(text, "event conversation.started app:u-42#2"));

  CHECK(contains(text, "  messages applied        11\n"));
  CHECK(contains(text, "    on app                 6\n"));
  CHECK(contains(text, "  product inquiries       2\n"));
  CHECK(contains(text, "  recommendations shown   8\n"));
  CHECK(contains(text, "  recommendations clicked 1\n"));
  CHECK(contains(text, "  orders placed           3\n"));
  CHECK(contains(text, "  handoffs requested      2\n"));
  CHECK(contains(text, "  coupons redeemed                  1         0         1         2\n"));
  CHECK(contains(text, "  churn alerts 1, win-back offers 1, won back (ordered) 1\n"));
  CHECK(contains(text, "  handoffs accepted       1\n"));
  CHECK(contains(text, "  agent wait (mean)       45s\n"));
  CHECK(contains(text, "  agent messages          1\n"));
}

TEST_CASE("a custom scenario runs with the node's own session idle time") {
  auto dir = SB_REQUIRE_OK(test::temp_dir::create("sb-demo-test"));
  auto path = write_file(dir,
                         "name: One shopper, two sessions\n"
                         "steps:\n"
                         "  - say: { channel: app, person: u-1, text: one, id: a-1 }\n"
                         "  - say: { channel: app, person: u-1, text: one, id: a-1 }\n"
                         "  - say: { channel: app, person: u-1, text: \"两 | two\", id: a-2 }\n"
                         "  - advance: 2m\n"
                         "  - note: Back after the session closed\n"
                         "  - say: { channel: app, person: u-1, text: three, id: a-3 }\n"
                         "  - advance: 10m\n");
  node_config cfg = without_marketing();
  cfg.conversation_session_idle = std::chrono::minutes(1);
  cfg.actors_idle_passivate = std::chrono::minutes(5);
  cfg.actors_user_idle_passivate = std::chrono::minutes(5);  // as long as the others here
  std::ostringstream out;
  auto s = SB_REQUIRE_OK(run_demo(cfg, path, out));
  auto text = out.str();
  CAPTURE(text);

  CHECK(s.messages == 3);
  CHECK(s.retries_recognised == 1);
  CHECK(s.sessions_started == 2);
  CHECK(s.sessions_closed == 2);
  CHECK(s.timers_fired == 2);
  // The bot understands neither "one" nor "两 | two": the second hands the conversation to the
  // agent desk, and the idle timer at 1m (applied at 2m) withdraws it again.
  CHECK(s.handoffs_requested == 1);
  CHECK(s.handoffs_accepted == 0);
  // The conversation is busy (a message or a firing) at every step, never idle for 5m. Its user
  // actor (woken by the first message, last told of a contact at 2m) and the desk (last asked at
  // 2m) are idle by 12m.
  CHECK(s.activations == 3);
  CHECK(s.passivations == 2);
  CHECK(s.messages_by_channel.at("app") == 3);

  CHECK(contains(text, "Switchboard demo: One shopper, two sessions"));
  CHECK(contains(text, "app:u-1 says \"两 | two\""));
  CHECK(contains(text, "-> app:u-1#1 seq 1  [actor activated]"));
  CHECK(contains(text, "-> app:u-1#1 seq 3\n"));  // the bot's answer to a-1 is seq 2
  CHECK(contains(text, "channel retry of a-1"));
  CHECK(contains(text, "event conversation.closed app:u-1#1 (idle_timeout, 2 messages)"));
  CHECK(contains(text, "# Back after the session closed"));
  CHECK(contains(text, "-> app:u-1#2 seq 1\n"));  // a new session, the same live actor
  CHECK(contains(text, "event conversation.closed app:u-1#2 (idle_timeout, 1 messages)"));
  CHECK(count_of(text, "[actor activated") == 1);
  CHECK(count_of(text, "idle actor(s) passivated") == 1);
  CHECK(contains(text, "event handoff.requested app:u-1#1 (unresolved, 2 messages)"));
  CHECK(contains(text,
                 "[00:12:00] time passes (+10m)\n"
                 "           1 durable timer(s) fired\n"));
  CHECK(contains(text, "2 idle actor(s) passivated"));
}

TEST_CASE("a demo whose scenario does not load fails before it starts") {
  auto dir = SB_REQUIRE_OK(test::temp_dir::create("sb-demo-test"));
  std::ostringstream out;
  auto r = run_demo(node_config{}, dir.file("missing.yaml"), out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_io);
  CHECK(out.str().empty());

  auto path = write_file(dir, "steps:\n  - shout: x\n");
  r = run_demo(node_config{}, path, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_bad_value);
  CHECK(out.str().empty());
}

TEST_CASE("a step the node refuses stops the demo with the step's line") {
  auto dir = SB_REQUIRE_OK(test::temp_dir::create("sb-demo-test"));
  // A control character makes the conversation's address malformed: the bus refuses it.
  auto path = write_file(dir,
                         "name: Broken\n"
                         "steps:\n"
                         "  - say: { channel: web, person: ok, text: fine }\n"
                         "  - say: { channel: \"we\\x01b\", person: p, text: hi }\n"
                         "  - say: { channel: web, person: never, text: reached }\n");
  std::ostringstream out;
  auto r = run_demo(node_config{}, path, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  CHECK_MESSAGE(r.err().message.rfind("step at line 4: ", 0) == 0, r.err().message);
  CHECK(contains(out.str(), "web:ok says \"fine\""));
  CHECK_FALSE(contains(out.str(), "never"));
}
