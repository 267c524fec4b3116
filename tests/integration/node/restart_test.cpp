// The acceptance test of the foundation: the real `switchboard node` binary on a real Redis,
// stopped (SIGTERM, or SIGKILL) and started again. No message is lost, and each conversation's idle
// timer, armed before the stop and due after it, fires exactly once on the new node.
#include <doctest/doctest.h>

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/store.hpp"
#include "runtime/timer_store.hpp"
#include "tests/support/node_binary.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using sb::test::poll_until;
using sb::test::process;

constexpr const char* admin_token = "t";
// Long enough to post, stop and restart before it is due (checked in the store, not assumed).
constexpr const char* session_idle = "4s";
constexpr auto poll_interval = 50ms;

/// A `switchboard node` child process and the port of its gateway.
struct node_child {
  process proc;
  int port = 0;
};

/// Starts `switchboard node` on the Redis server at `redis_port`, logging to `log_path`, and
/// waits until its /healthz answers.
node_child start_node(int redis_port, const std::string& log_path) {
  std::vector<std::string> args{"node"};
  for (const std::string& set : std::vector<std::string>{
           "store.kind=redis", "store.redis.port=" + std::to_string(redis_port),
           "gateway.listen=127.0.0.1:0", std::string{"admin.token="} + admin_token,
           std::string{"conversation.session_idle="} + session_idle,
           "timers.poll_interval=" + std::to_string(poll_interval.count()) + "ms",
           "scheduler.threads=2", "actors.registry_shards=2"}) {
    args.push_back("--set");
    args.push_back(set);
  }
  node_child child{SB_REQUIRE_OK(process::spawn(sb::test::switchboard_binary(), args, log_path))};
  child.port = SB_REQUIRE_OK(sb::test::wait_for_gateway(child.proc, 15s));
  httplib::Client http{"127.0.0.1", child.port};
  REQUIRE_MESSAGE(poll_until(
                      [&] {
                        auto r = http.Get("/healthz");
                        return r && r->status == 200;
                      },
                      10s),
                  "no /healthz; log:\n"
                      << sb::test::read_tail(log_path));
  return child;
}

/// An operator's client of a node's admin API.
class admin_client {
 public:
  explicit admin_client(int port) : http_("127.0.0.1", port) {
    http_.set_bearer_token_auth(admin_token);
    http_.set_connection_timeout(5s);
    http_.set_read_timeout(10s);
  }

  /// Posts a chat message from `key` ("channel:person") and returns the reply body.
  json say(const std::string& key, const std::string& text, const std::string& msg_id) {
    auto colon = key.find(':');
    json body{
        {"type", "chat.message"},
        {"msg_id", msg_id},
        {"message",
         {{"channel", key.substr(0, colon)}, {"person", key.substr(colon + 1)}, {"text", text}}}};
    return ok(http_.Post("/v1/actors/conversation/" + key + "/messages", body.dump(),
                         "application/json"));
  }

  /// Returns the status snapshot of the conversation `key`.
  json inspect(const std::string& key) { return ok(http_.Get("/v1/actors/conversation/" + key)); }

  /// Returns the value of an unlabelled series of /metrics (-1 if absent).
  double metric(const std::string& name) {
    auto res = http_.Get("/metrics");
    REQUIRE_MESSAGE(res, "no /metrics: " << httplib::to_string(res.error()));
    REQUIRE(res->status == 200);
    return sb::test::metric_value(res->body, name).value_or(-1);
  }

 private:
  static json ok(const httplib::Result& res) {
    REQUIRE_MESSAGE(res, "no HTTP response: " << httplib::to_string(res.error()));
    REQUIRE_MESSAGE(res->status == 200, res->status << " " << res->body);
    auto body = json::parse(res->body, nullptr, false);
    REQUIRE_MESSAGE(body.is_object(), res->body);
    return body;
  }

  httplib::Client http_;
};

/// Posts three messages as web:v-1 and one as app:u-2, checking each reply (sequence numbers
/// start at 1 and grow; bot replies may take numbers in between).
void post_four_messages(admin_client& admin) {
  int64_t last_seq = 0;
  for (int i = 1; i <= 3; ++i) {
    auto reply = admin.say("web:v-1", "message " + std::to_string(i), "web-" + std::to_string(i));
    CHECK(reply["reply_type"] == "chat.accepted");
    const auto seq = reply["reply"].value("seq", int64_t{-1});
    CHECK(seq > last_seq);
    CHECK((i > 1 || seq == 1));
    last_seq = seq;
  }
  auto reply = admin.say("app:u-2", "hello", "app-1");
  CHECK(reply["reply_type"] == "chat.accepted");
  CHECK(reply["reply"]["seq"] == 1);
}

/// Requires both idle timers still armed in Redis: the stopped node did not fire them, so only the
/// next node can (a machine too slow for `session_idle` would break the test's premise, not the
/// code).
void require_timers_still_armed(const sb::test::redis_server& redis) {
  auto settings = redis.settings();
  settings.key_prefix = "sb:";  // the node's store.key_prefix
  auto st = SB_REQUIRE_OK(sb::make_redis_store(settings));
  sb::timer_store timers{*st};
  REQUIRE_MESSAGE(SB_REQUIRE_OK(timers.pending_count()) == 2,
                  "the first node fired an idle timer before it stopped");
  for (const char* key : {"web:v-1", "app:u-2"}) {
    auto pending = SB_REQUIRE_OK(timers.pending({"conversation", key}));
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].name == "session_idle");
  }
}

/// On the restarted node: the saved state is there, both conversations close by their idle timer,
/// each timer fires exactly once and none is left.
void check_resumed_and_closed_once(admin_client& admin) {
  auto saved = admin.inspect("web:v-1");
  CHECK(saved["state"]["message_count"] == 3);
  CHECK(saved["state"]["session"] == 1);
  CHECK(saved["state"]["conversation_id"] == "web:v-1#1");
  CHECK(admin.inspect("app:u-2")["state"]["message_count"] == 1);

  auto closed = [&](const char* key) { return admin.inspect(key)["state"]["status"] == "closed"; };
  REQUIRE_MESSAGE(
      poll_until([&] { return closed("web:v-1") && closed("app:u-2"); }, 15s, poll_interval),
      "the idle timers did not close both conversations; web:v-1 is "
          << admin.inspect("web:v-1").dump());
  CHECK(admin.metric("sb_timers_fired_total") == 2);
  // Fired exactly once: nothing more fires over the next twenty polls of the timer service.
  CHECK_FALSE(
      poll_until([&] { return admin.metric("sb_timers_fired_total") != 2; }, 1s, poll_interval));
  CHECK(admin.metric("sb_timers_pending") == 0);
  for (const char* key : {"web:v-1", "app:u-2"}) {
    auto now = admin.inspect(key);
    CHECK_MESSAGE(now["pending_timers"].empty(), now.dump());
    CHECK(now["state"]["status"] == "closed");
  }
  CHECK(admin.inspect("web:v-1")["state"]["message_count"] == 3);
}

}  // namespace

TEST_CASE(
    "a node stopped with SIGTERM drains to Redis and the next node resumes and fires each "
    "idle timer once") {
  auto redis = SB_REQUIRE_OK(sb::test::redis_server::start());
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-restart"));
  {
    auto first = start_node(redis.port(), dir.file("first.log"));
    admin_client admin{first.port};
    post_four_messages(admin);
    auto live = admin.inspect("web:v-1");
    CHECK(live["live"] == true);
    CHECK(live["state"]["message_count"] == 3);
    CHECK(live["pending_timers"].size() == 1);

    CHECK(SB_REQUIRE_OK(first.proc.terminate(15s)) == 0);
    const auto log = sb::test::read_file(dir.file("first.log"));
    // Both conversations (and whatever other actors they woke) were passivated, state saved.
    const auto drained = log.find("drained: ");
    REQUIRE_MESSAGE(drained != std::string::npos, log);
    CHECK(std::atoi(log.c_str() + drained + 9) >= 2);
    CHECK_MESSAGE(
        log.find("actors passivated with their state saved", drained) != std::string::npos, log);
    CHECK_MESSAGE(log.find("stopped cleanly") != std::string::npos, log);
  }
  require_timers_still_armed(redis);

  auto second = start_node(redis.port(), dir.file("second.log"));
  admin_client admin{second.port};
  auto saved = admin.inspect("web:v-1");
  CHECK(saved["live"].is_boolean());
  check_resumed_and_closed_once(admin);
  CHECK(SB_REQUIRE_OK(second.proc.terminate(15s)) == 0);
}

TEST_CASE(
    "a node killed with SIGKILL loses no message and the next node fires each idle timer "
    "once") {
  auto redis = SB_REQUIRE_OK(sb::test::redis_server::start());
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-restart"));
  {
    auto first = start_node(redis.port(), dir.file("first.log"));
    admin_client admin{first.port};
    post_four_messages(admin);
    // No drain: what survives is what each message wrote through to Redis.
    CHECK(SB_REQUIRE_OK(first.proc.kill()) == 128 + 9);
    const auto log = sb::test::read_file(dir.file("first.log"));
    CHECK_MESSAGE(log.find("drained") == std::string::npos, log);
  }
  require_timers_still_armed(redis);

  auto second = start_node(redis.port(), dir.file("second.log"));
  admin_client admin{second.port};
  check_resumed_and_closed_once(admin);
  CHECK(SB_REQUIRE_OK(second.proc.terminate(15s)) == 0);
}
