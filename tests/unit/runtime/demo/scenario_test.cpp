// Loading demo scenarios: the shipped one, the foundation fixture, every step kind, and bad files
// whose errors must say where.
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "runtime/demo/scenario.hpp"
#include "runtime/json_codec.hpp"
#include "schemas/user.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace sb;

struct fixture {
  test::temp_dir dir = SB_REQUIRE_OK(test::temp_dir::create("sb-scenario-test"));

  // Writes `text` to a scenario file and returns its path.
  std::string write(const std::string& text, const std::string& name = "scenario.yaml") {
    auto path = dir.file(name);
    std::ofstream{path} << text;
    return path;
  }

  // Loads `text` and returns the error it must give.
  error load_error(const std::string& text) {
    auto path = write(text);
    auto r = load_scenario(path);
    REQUIRE_FALSE(r.ok());
    return r.err();
  }

  // True if `message` starts with "<file>:<line>:<column>: ".
  bool says_where(const std::string& message, int line, int column) {
    auto prefix = dir.file("scenario.yaml") + ":" + std::to_string(line) + ":" +
                  std::to_string(column) + ": ";
    return message.rfind(prefix, 0) == 0;
  }

  // Loads a scenario whose only step is `step` (on line 3) and checks that it is refused at the
  // first `token` of that line (at the step's value when `token` is empty), saying `what`.
  void refused_at(const std::string& step, const std::string& token, const std::string& what) {
    CAPTURE(step);
    auto e = load_error("name: x\nsteps:\n  - " + step + "\n");
    auto column = static_cast<int>(("  - " + step).find(token)) + 1;
    REQUIRE(column > 0);
    CHECK(e.code == errc::config_bad_value);
    CHECK_MESSAGE(says_where(e.message, 3, column), e.message);
    CHECK_MESSAGE(e.message.find(what) != std::string::npos, e.message);
  }
};

}  // namespace

TEST_CASE("the foundation scenario fixture loads with its lines") {
  auto sc = SB_REQUIRE_OK(
      load_scenario(std::string{SB_SOURCE_DIR} + "/tests/data/demo/foundation_scenario.yaml"));
  CHECK(sc.name == "Three shoppers, three channels, one engine (foundation)");
  REQUIRE(sc.steps.size() == 14);

  CHECK(sc.steps[0].what == scenario_step::kind::note);
  CHECK(sc.steps[0].line == 8);

  const auto& first = sc.steps[1];
  CHECK(first.what == scenario_step::kind::say);
  CHECK(first.line == 9);
  CHECK(first.channel == "web");
  CHECK(first.person == "v-1001");
  CHECK(first.text == "你好，在吗？");
  CHECK(first.client_msg_id == "w-1");

  // The retry repeats the WeChat message id.
  CHECK(sc.steps[2].client_msg_id == "wx-9001");
  CHECK(sc.steps[5].client_msg_id == "wx-9001");
  CHECK(sc.steps[5].text == sc.steps[2].text);

  CHECK(sc.steps[7].what == scenario_step::kind::advance);
  CHECK(sc.steps[7].advance_ms == 6 * 60'000);
  CHECK(sc.steps[10].advance_ms == 31 * 60'000);
  CHECK(sc.steps[13].what == scenario_step::kind::advance);
  CHECK(sc.steps[13].advance_ms == 40 * 60'000);
  CHECK(sc.steps[13].line == 21);
}

TEST_CASE("the shipped demo scenario loads with the desk, shop events and the handoff") {
  auto sc = SB_REQUIRE_OK(load_scenario(std::string{SB_SOURCE_DIR} + "/config/demo/scenario.yaml"));
  CHECK(sc.name == "Three shoppers, three channels, one engine");
  using k = scenario_step::kind;
  std::vector<k> kinds;
  for (const auto& step : sc.steps) {
    kinds.push_back(step.what);
  }
  CHECK(kinds == std::vector<k>{k::note,       k::agent, k::note,    k::say,     k::note,
                                k::say,        k::say,   k::note,    k::say,     k::say,
                                k::event,      k::event, k::event,   k::note,    k::event,
                                k::note,       k::say,   k::say,     k::advance, k::accept,
                                k::agent_says, k::say,   k::close,   k::advance, k::note,
                                k::say,        k::note,  k::advance, k::note,    k::redeem,
                                k::event,      k::note,  k::say,     k::note,    k::say,
                                k::say,        k::note,  k::redeem,  k::event,   k::advance});
  REQUIRE(sc.steps.size() == 40);

  // The agent signs in first, with the defaults for what the step leaves out.
  const auto& li = sc.steps[1];
  CHECK(li.agent == "li");
  CHECK(li.skills == std::vector<std::string>{"presales", "aftersales", "zh"});
  CHECK(li.max_chats == 3);
  CHECK(li.presence == "online");
  CHECK(li.line == 15);

  // The WeChat retry repeats the message id and the text.
  CHECK(sc.steps[3].client_msg_id == "wx-9001");
  CHECK(sc.steps[5].client_msg_id == "wx-9001");
  CHECK(sc.steps[5].text == sc.steps[3].text);

  // Shop events become the JSON of POST /v1/events; the retried order webhook is the same event.
  auto click = SB_REQUIRE_OK(from_json<schemas::business_event>(sc.steps[10].event_json));
  CHECK(click.type == "recommendation.clicked");
  CHECK(click.event_id == "ev-1");
  CHECK(click.user == "web:v-1001");
  CHECK(click.sku == "AL-SPORT-RUN");
  auto view = SB_REQUIRE_OK(from_json<schemas::business_event>(sc.steps[11].event_json));
  CHECK(view.type == "product.viewed");
  CHECK(view.price == 399);
  auto order = SB_REQUIRE_OK(from_json<schemas::business_event>(sc.steps[12].event_json));
  CHECK(order.type == "order.placed");
  CHECK(order.event_id == "ev-3");
  CHECK(order.order_id == "A1002");
  CHECK(order.amount == 399);
  CHECK(order.currency == "CNY");
  CHECK(order.skus == std::vector<std::string>{"AL-SPORT-RUN"});
  CHECK(sc.steps[14].event_json == sc.steps[12].event_json);

  // The shop redeems the WeChat follower's coupon with the order it sends next.
  CHECK(sc.steps[29].user == "wechat:oXYZ42");
  CHECK(sc.steps[29].order_id == "W3001");
  CHECK(SB_REQUIRE_OK(from_json<schemas::business_event>(sc.steps[30].event_json)).order_id ==
        "W3001");

  // The app user hands off, and li takes, answers and closes the conversation.
  CHECK(sc.steps[17].text == "转人工");
  CHECK(sc.steps[18].advance_ms == 45'000);
  for (size_t i : {19, 20, 22}) {
    CAPTURE(i);
    CHECK(sc.steps[i].agent == "li");
    CHECK(sc.steps[i].conversation == "app:u-42");
  }
  CHECK(sc.steps[20].text == "您好，我是客服小李，您的订单明天送达。");
  CHECK(sc.steps[19].line == 36);

  CHECK(sc.steps[23].advance_ms == 6 * 60'000);
  CHECK(sc.steps[27].advance_ms == 31 * 60'000);
  CHECK(sc.steps[39].advance_ms == 40 * 60'000);
  CHECK(sc.steps[39].line == 58);
}

TEST_CASE_FIXTURE(fixture, "a scenario of every step kind loads with its lines") {
  auto path = write(
      "name: Small\n"
      "steps:\n"
      "  - note: Hello there\n"
      "  - say:\n"
      "      channel: app\n"
      "      person: u-1\n"
      "      text: \"Hi | 你好 / #1\"\n"
      "  - advance: 1h30m\n");
  auto sc = SB_REQUIRE_OK(load_scenario(path));
  CHECK(sc.name == "Small");
  REQUIRE(sc.steps.size() == 3);
  CHECK(sc.steps[0].note == "Hello there");
  CHECK(sc.steps[0].line == 3);
  CHECK(sc.steps[1].what == scenario_step::kind::say);
  CHECK(sc.steps[1].line == 4);
  CHECK(sc.steps[1].text == "Hi | 你好 / #1");
  CHECK(sc.steps[1].client_msg_id.empty());  // the id is optional
  CHECK(sc.steps[2].advance_ms == 90 * 60'000);
  CHECK(sc.steps[2].line == 8);
}

TEST_CASE_FIXTURE(fixture, "an unknown step is an error at its line and column") {
  auto e = load_error(
      "name: x\n"
      "steps:\n"
      "  - note: fine\n"
      "  - shout: loud\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 4, 5), e.message);
  CHECK(e.message.find("shout") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "an unknown key inside say is an error at that key") {
  auto e = load_error(
      "name: x\n"
      "steps:\n"
      "  - say:\n"
      "      channel: web\n"
      "      person: p\n"
      "      text: hi\n"
      "      colour: red\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 7, 7), e.message);
  CHECK(e.message.find("say.colour") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "a say without text is an error at the say") {
  auto e = load_error(
      "name: x\n"
      "steps:\n"
      "  - say:\n"
      "      channel: web\n"
      "      person: p\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 4, 7), e.message);
  CHECK(e.message.find("required") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "a say field that is not text is an error at that field") {
  auto e = load_error(
      "steps:\n"
      "  - say: { channel: web, person: [a, b], text: hi }\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 2, 34), e.message);
  CHECK(e.message.find("say.person") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "a bad duration is an error at the value") {
  for (const std::string bad : {"30", "5 minutes", "-5m", "m5"}) {
    CAPTURE(bad);
    auto e = load_error(std::string{"steps:\n  - advance: "} + bad + "\n");
    CHECK(e.code == errc::config_bad_value);
    CHECK_MESSAGE(says_where(e.message, 2, 14), e.message);
    CHECK(e.message.find("advance") != std::string::npos);
  }
}

TEST_CASE_FIXTURE(fixture, "a say that is not a map is an error at its value") {
  auto e = load_error(
      "steps:\n"
      "  - say: hello\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 2, 10), e.message);
}

TEST_CASE_FIXTURE(fixture, "a step that is not a one-key map is an error at the step") {
  auto e = load_error(
      "steps:\n"
      "  - just text\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 2, 5), e.message);

  e = load_error(
      "steps:\n"
      "  - { note: a, advance: 1m }\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 2, 5), e.message);
}

TEST_CASE_FIXTURE(fixture,
                  "an unknown top-level key or a wrongly typed one is an error where it is") {
  auto e = load_error(
      "name: x\n"
      "stpes:\n"
      "  - note: hi\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 2, 1), e.message);
  CHECK(e.message.find("stpes") != std::string::npos);

  e = load_error(
      "name: x\n"
      "steps: 3\n");
  CHECK(e.code == errc::config_bad_value);
  CHECK_MESSAGE(says_where(e.message, 2, 8), e.message);
}

TEST_CASE_FIXTURE(fixture, "a file that is not a map is an error naming the file") {
  for (const std::string text : {"- note: a\n- note: b\n", "just words\n", ""}) {
    CAPTURE(text);
    auto e = load_error(text);
    CHECK(e.code == errc::config_bad_value);
    CHECK(e.message.rfind(dir.file("scenario.yaml") + ":", 0) == 0);
  }
}

TEST_CASE_FIXTURE(fixture, "a scenario without steps is an error") {
  for (const std::string text : {"name: nothing to do\n", "name: x\nsteps: []\n"}) {
    CAPTURE(text);
    auto e = load_error(text);
    CHECK(e.code == errc::config_bad_value);
    CHECK(e.message.rfind(dir.file("scenario.yaml") + ":", 0) == 0);
    CHECK(e.message.find("no steps") != std::string::npos);
  }
}

TEST_CASE_FIXTURE(fixture, "a missing file is an input error naming the file") {
  auto path = dir.file("missing.yaml");
  auto r = load_scenario(path);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::config_io);
  CHECK(r.err().message.find(path) != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "a YAML syntax error is reported with its line and column") {
  auto e = load_error(
      "name: x\n"
      "steps:\n"
      "  - note: a: b\n");
  CHECK(e.code == errc::config_syntax);
  CHECK_MESSAGE(says_where(e.message, 3, 12), e.message);
}

TEST_CASE_FIXTURE(fixture, "a key that is not text is an error, not an exception") {
  struct bad_key {
    std::string text;
    int line;
    int column;
  };
  for (const auto& c : {bad_key{"steps:\n  - say: { [a]: b }\n", 2, 12},
                        bad_key{"steps:\n  - { [say]: x }\n", 2, 7},
                        bad_key{"? [name]\n: x\nsteps:\n  - note: a\n", 1, 3}}) {
    CAPTURE(c.text);
    auto path = write(c.text);
    result<scenario> r = error{};
    CHECK_NOTHROW(r = load_scenario(path));
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::config_bad_value);
    CHECK_MESSAGE(says_where(r.err().message, c.line, c.column), r.err().message);
    CHECK(r.err().message.find("a key must be text") != std::string::npos);
  }
}

TEST_CASE_FIXTURE(fixture, "the desk and shop event steps load with their fields") {
  auto path = write(
      "name: Desk\n"
      "steps:\n"
      "  - agent: { id: li, skills: [presales, zh], max_chats: 2, presence: away }\n"
      "  - agent: { id: wang }\n"
      "  - event: { type: order.placed, id: e-1, user: \"web:v-1\", order_id: A1, amount: 12.5,\n"
      "             skus: [S-1, S-2], currency: CNY }\n"
      "  - event: { type: csat.rated, id: e-2, user: \"web:v-1\", score: 4, conversation_id: "
      "\"web:v-1#1\" }\n"
      "  - event: { type: user.identified, id: e-3, user: \"app:u-1\", identities: [\"web:v-1\", "
      "\"app:u-1\"] }\n"
      "  - event: { type: product.viewed, id: e-4, user: \"web:v-1\", sku: \"007\", price: 5 }\n"
      "  - accept: { agent: li, conversation: \"web:v-1\" }\n"
      "  - agent_says: { agent: li, conversation: \"web:v-1\", text: \"您好 | hello\" }\n"
      "  - close: { agent: li, conversation: \"web:v-1\" }\n");
  auto sc = SB_REQUIRE_OK(load_scenario(path));
  REQUIRE(sc.steps.size() == 9);
  using k = scenario_step::kind;

  CHECK(sc.steps[0].what == k::agent);
  CHECK(sc.steps[0].agent == "li");
  CHECK(sc.steps[0].skills == std::vector<std::string>{"presales", "zh"});
  CHECK(sc.steps[0].max_chats == 2);
  CHECK(sc.steps[0].presence == "away");
  CHECK(sc.steps[1].skills.empty());
  CHECK(sc.steps[1].max_chats == 3);
  CHECK(sc.steps[1].presence == "online");

  CHECK(sc.steps[2].what == k::event);
  CHECK(sc.steps[2].line == 5);
  auto order = SB_REQUIRE_OK(from_json<schemas::business_event>(sc.steps[2].event_json));
  CHECK(order.type == "order.placed");
  CHECK(order.event_id == "e-1");
  CHECK(order.user == "web:v-1");
  CHECK(order.amount == 12.5);
  CHECK(order.skus == std::vector<std::string>{"S-1", "S-2"});
  auto csat = SB_REQUIRE_OK(from_json<schemas::business_event>(sc.steps[3].event_json));
  CHECK(csat.score == 4);
  CHECK(csat.conversation_id == "web:v-1#1");
  CHECK(sc.steps[3].line == 7);
  auto identified = SB_REQUIRE_OK(from_json<schemas::business_event>(sc.steps[4].event_json));
  CHECK(identified.identities == std::vector<std::string>{"web:v-1", "app:u-1"});
  auto viewed = SB_REQUIRE_OK(from_json<schemas::business_event>(sc.steps[5].event_json));
  CHECK(viewed.sku == "007");  // quoted: text, not a number
  CHECK(viewed.price == 5);

  CHECK(sc.steps[6].what == k::accept);
  CHECK(sc.steps[6].agent == "li");
  CHECK(sc.steps[6].conversation == "web:v-1");
  CHECK(sc.steps[7].what == k::agent_says);
  CHECK(sc.steps[7].text == "您好 | hello");
  CHECK(sc.steps[8].what == k::close);
  CHECK(sc.steps[8].line == 12);
}

TEST_CASE_FIXTURE(fixture, "a bad event step is an error where the mistake is") {
  refused_at("event: order.placed", "order.placed", "event: expected a map");
  refused_at("event: { type: order.placed, user: u }", "{", "event: id is required");
  refused_at("event: { id: e-1 }", "{", "event: type is required");
  refused_at("event: { type: t, id: e, colour: red }", "colour", "event.colour: unknown key");
  refused_at("event: { type: t, id: e, user: [a, b] }", "[a", "event.user: expected text");
  refused_at("event: { type: t, id: e, skus: S-1 }", "S-1", "event.skus: expected a list");
  refused_at("event: { type: t, id: e, skus: [S-1, [S-2]] }", "[S-2",
             "event.skus: expected a list of text");
  refused_at("event: { type: t, id: e, identities: {a: b} }", "{a",
             "event.identities: expected a list");
  refused_at("event: { type: t, id: e, amount: lots }", "lots", "event.amount: expected a number");
  refused_at("event: { type: t, id: e, amount: \"399\" }", "\"399",
             "event.amount: expected a number");
  refused_at("event: { type: t, id: e, price: nan }", "nan", "event.price: expected a number");
  refused_at("event: { type: t, id: e, score: 4.5 }", "4.5",
             "event.score: expected a whole number");
}

TEST_CASE_FIXTURE(fixture, "a bad agent step is an error where the mistake is") {
  refused_at("agent: li", "li", "agent: expected a map");
  refused_at("agent: { skills: [zh] }", "{", "agent: id is required");
  refused_at("agent: { id: li, team: blue }", "team", "agent.team: unknown key");
  refused_at("agent: { id: li, skills: presales }", "presales", "agent.skills: expected a list");
  refused_at("agent: { id: li, skills: [zh, [en]] }", "[en",
             "agent.skills: expected a list of text");
  refused_at("agent: { id: li, max_chats: -1 }", "-1", "agent.max_chats: expected a whole number");
  refused_at("agent: { id: li, max_chats: two }", "two",
             "agent.max_chats: expected a whole number");
  refused_at("agent: { id: li, presence: asleep }", "asleep",
             "agent.presence: expected online, away or offline");
}

TEST_CASE_FIXTURE(fixture,
                  "bad accept, agent_says and close steps are errors where the mistake is") {
  refused_at("accept: { agent: li }", "{", "accept: conversation is required");
  refused_at("accept: { conversation: \"web:v-1\" }", "{", "accept: agent is required");
  refused_at("accept: { agent: li, conversation: c, text: hi }", "text",
             "accept.text: unknown key");
  refused_at("accept: li", "li", "accept: expected a map");
  refused_at("agent_says: { agent: li, conversation: c }", "{", "agent_says: text is required");
  refused_at("agent_says: { agent: li, conversation: c, text: [a] }", "[a",
             "agent_says.text: expected text");
  refused_at("agent_says: { agent: li, conversation: c, text: t, mood: ok }", "mood",
             "agent_says.mood: unknown key");
  refused_at("close: { agent: li }", "{", "close: conversation is required");
  refused_at("close: { agent: li, conversation: c, reason: done }", "reason",
             "close.reason: unknown key");
}

TEST_CASE_FIXTURE(fixture, "a list item that is not text never escapes as an exception") {
  for (const std::string step :
       {"agent: { id: li, skills: [[a]] }", "agent: { id: li, skills: [{a: b}] }",
        "event: { type: t, id: e, skus: [[a]] }"}) {
    CAPTURE(step);
    auto path = write("steps:\n  - " + step + "\n");
    result<scenario> r = error{};
    CHECK_NOTHROW(r = load_scenario(path));
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::config_bad_value);
    CHECK(r.err().message.find("expected a list of text") != std::string::npos);
  }
}
