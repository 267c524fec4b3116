// The scripted demo against an embedded node: the shipped scenario's account and summary, and small
// custom scenarios. The demo's clock is scripted, so these runs never wait on wall time.
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

std::string write_file(const test::temp_dir& dir, const std::string& text) {
  auto path = dir.file("scenario.yaml");
  std::ofstream{path} << text;
  return path;
}

}  // namespace

TEST_CASE("the shipped demo scenario plays out as its comments say") {
  std::ostringstream out;
  auto s = SB_REQUIRE_OK(
      run_demo(node_config{}, std::string{SB_SOURCE_DIR} + "/config/demo/scenario.yaml", out));
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

  // Actors (5m idle; a timer firing counts as activity): all three activate at 0m and passivate
  // at 6m; web comes back at 6m; the firings at 37m bring back wechat and app; at 77m web and
  // wechat have been idle 40m and go, while app was just woken by its own timer and stays.
  CHECK(s.activations == 6);
  CHECK(s.passivations == 5);

  CHECK(contains(text, "Switchboard demo: Three shoppers, three channels, one engine"));
  CHECK(contains(text, "memory store"));
  CHECK(contains(text, "channel retry of wx-9001, recognised and not applied again"));
  CHECK(count_of(text, "recognised and not applied again") == 1);
  CHECK(contains(text, "3 idle actor(s) passivated"));
  CHECK(contains(text, "2 idle actor(s) passivated"));
  CHECK(contains(text, "web:v-1001#1 message 3  [actor activated, state loaded from store]"));
  CHECK(contains(text, "3 durable timer(s) fired"));
  CHECK(contains(text, "1 durable timer(s) fired"));
  CHECK(contains(text, "event conversation.started app:u-42#2"));
  CHECK(contains(text, "event conversation.closed web:v-1001#1 (idle_timeout, 3 messages)"));
  CHECK(contains(text, "event conversation.closed wechat:oXYZ42#1 (idle_timeout, 1 messages)"));
  CHECK(contains(text, "event conversation.closed app:u-42#2 (idle_timeout, 1 messages)"));
  CHECK(count_of(text, "event conversation.started") == 4);
  CHECK(count_of(text, "event conversation.closed") == 4);
  CHECK(contains(text, "[00:37:00] time passes (+31m)"));
  CHECK(contains(text, "  messages applied        6\n"));
  CHECK(contains(text, "  channel retries dropped 1\n"));
  CHECK(contains(text, "  durable timers fired    4\n"));
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
  node_config cfg;
  cfg.conversation_session_idle = std::chrono::minutes(1);
  cfg.actors_idle_passivate = std::chrono::minutes(5);
  std::ostringstream out;
  auto s = SB_REQUIRE_OK(run_demo(cfg, path, out));
  auto text = out.str();
  CAPTURE(text);

  CHECK(s.messages == 3);
  CHECK(s.retries_recognised == 1);
  CHECK(s.sessions_started == 2);
  CHECK(s.sessions_closed == 2);
  CHECK(s.timers_fired == 2);
  // The actor is busy (a message or a firing) at every step, never idle for 5m.
  CHECK(s.activations == 1);
  CHECK(s.passivations == 0);
  CHECK(s.messages_by_channel.at("app") == 3);

  CHECK(contains(text, "Switchboard demo: One shopper, two sessions"));
  CHECK(contains(text, "app:u-1 says \"两 | two\""));
  CHECK(contains(text, "app:u-1#1 message 2"));
  CHECK(contains(text, "channel retry of a-1"));
  CHECK(contains(text, "event conversation.closed app:u-1#1 (idle_timeout, 2 messages)"));
  CHECK(contains(text, "# Back after the session closed"));
  CHECK(contains(text, "app:u-1#2 message 1"));
  CHECK(contains(text, "event conversation.closed app:u-1#2 (idle_timeout, 1 messages)"));
  CHECK_FALSE(contains(text, "passivated"));
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
