// The HTTP gateway of an in-process node (memory store, system clock) on a loopback port picked by
// the kernel, driven by a real HTTP client: health, readiness, metrics, the admin API and its
// errors, which are always JSON {"error": {"code", "message"}}.
#include <doctest/doctest.h>

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/bus.hpp"
#include "runtime/gateway/http_gateway.hpp"
#include "runtime/node.hpp"
#include "tests/support/node_binary.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

constexpr const char* token = "s3cret-token";
constexpr int64_t max_body = 4096;

sb::node_config gateway_config(const std::string& admin_token) {
  sb::node_config cfg;
  cfg.gateway_listen = "127.0.0.1:0";
  cfg.admin_token = admin_token;
  cfg.gateway_max_body_bytes = max_body;
  cfg.gateway_threads = 4;
  cfg.scheduler_threads = 2;
  cfg.actors_registry_shards = 2;
  cfg.bus_request_timeout = 5s;
  return cfg;
}

/// Returns the admin API path of an actor, e.g. /v1/actors/conversation/web:v-1.
std::string actor_path(const std::string& key, const std::string& kind = "conversation") {
  return "/v1/actors/" + kind + "/" + key;
}

/// Returns the body of a POST that delivers a chat message from `key` ("channel:person").
std::string chat_body(const std::string& key, const std::string& text, const std::string& msg_id) {
  auto colon = key.find(':');
  json body{
      {"type", "chat.message"},
      {"message",
       {{"channel", key.substr(0, colon)}, {"person", key.substr(colon + 1)}, {"text", text}}}};
  if (!msg_id.empty()) {
    body["msg_id"] = msg_id;
  }
  return body.dump();
}

/// Returns true if the response says its body is JSON (a charset parameter may follow).
bool is_json_type(const httplib::Response& r) {
  return r.get_header_value("Content-Type").rfind("application/json", 0) == 0;
}

/// Requires an HTTP answer (not a transport failure) and returns it.
const httplib::Response& answered(const httplib::Result& res) {
  REQUIRE_MESSAGE(res, "no HTTP response: " << httplib::to_string(res.error()));
  return *res;
}

/// Checks that `res` has `status` and a JSON error body {"error": {"code", "message"}} with a
/// non-empty message; returns the code ("" if the body is not of that shape).
std::string error_code(const httplib::Result& res, int status) {
  const auto& r = answered(res);
  CHECK_MESSAGE(r.status == status, r.body);
  CHECK(is_json_type(r));
  auto body = json::parse(r.body, nullptr, false);
  bool shaped = body.is_object() && body.size() == 1 && body.contains("error") &&
                body["error"].is_object() && body["error"].contains("code") &&
                body["error"]["code"].is_string() && body["error"].contains("message") &&
                body["error"]["message"].is_string() &&
                !body["error"]["message"].get<std::string>().empty();
  CHECK_MESSAGE(shaped, "not a JSON error body: " << r.body);
  return shaped ? body["error"]["code"].get<std::string>() : std::string{};
}

/// Requires status 200 and a JSON body, and returns the body.
json ok_json(const httplib::Result& res) {
  const auto& r = answered(res);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(is_json_type(r));
  auto body = json::parse(r.body, nullptr, false);
  REQUIRE_MESSAGE(!body.is_discarded(), "not JSON: " << r.body);
  return body;
}

/// A node over a memory store with its gateway on a free loopback port, and a client for it.
/// restart() stops both (the node drains) and starts them again over the same store.
struct gateway_fixture {
  sb::system_clock clk;
  std::shared_ptr<sb::store> st = sb::make_memory_store(clk);
  sb::node_config cfg;
  std::unique_ptr<sb::node> n;
  std::unique_ptr<sb::http_gateway> gw;
  std::unique_ptr<httplib::Client> http;

  explicit gateway_fixture(const std::string& admin_token = token)
      : cfg(gateway_config(admin_token)) {
    start();
  }
  ~gateway_fixture() { stop(); }
  gateway_fixture(const gateway_fixture&) = delete;
  gateway_fixture& operator=(const gateway_fixture&) = delete;

  void start() {
    sb::node_start_options opts;
    opts.state_store = st;
    n = SB_REQUIRE_OK(sb::node::start(cfg, std::move(opts)));
    gw = SB_REQUIRE_OK(sb::http_gateway::start(*n));
    REQUIRE(gw->port() > 0);
    http = client();
  }

  void stop() {
    http.reset();
    if (gw) {
      gw->stop();
    }
    gw.reset();
    n.reset();
  }

  void restart() {
    stop();
    start();
  }

  /// Returns a new client of the gateway (one per thread: a client is not thread-safe).
  [[nodiscard]] std::unique_ptr<httplib::Client> client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", gw->port());
    c->set_connection_timeout(5s);
    c->set_read_timeout(10s);
    c->set_write_timeout(10s);
    return c;
  }

  static httplib::Headers auth(const std::string& value = std::string{"Bearer "} + token) {
    return {{"Authorization", value}};
  }

  httplib::Result post(const std::string& path, const std::string& body,
                       const httplib::Headers& headers = auth()) {
    return http->Post(path, headers, body, "application/json");
  }

  httplib::Result say(const std::string& key, const std::string& text,
                      const std::string& msg_id = "") {
    return post(actor_path(key) + "/messages", chat_body(key, text, msg_id));
  }

  httplib::Result inspect(const std::string& key, const std::string& kind = "conversation") {
    return http->Get(actor_path(key, kind), auth());
  }

  /// Returns the /metrics text.
  std::string metrics() {
    auto res = http->Get("/metrics");
    REQUIRE(answered(res).status == 200);
    return res->body;
  }
};

constexpr const char* json_decode_errors =
    R"(sb_decode_errors_total{reason="invalid_argument",type="chat.message"})";
constexpr const char* wire_decode_errors =
    R"(sb_decode_errors_total{reason="decode_malformed",type="chat.message"})";

}  // namespace

// -- health and readiness
// ----------------------------------------------------------------------------

TEST_CASE("healthz and readyz answer 200, and readyz turns 503 once the node drains") {
  gateway_fixture f;
  CHECK(ok_json(f.http->Get("/healthz"))["status"] == "ok");
  CHECK(ok_json(f.http->Get("/readyz"))["status"] == "ready");

  f.n->drain();
  CHECK(error_code(f.http->Get("/readyz"), 503) == "draining");
  CHECK(ok_json(f.http->Get("/healthz"))["status"] == "ok");
  // A draining node takes no new work, and says so in the same JSON shape.
  CHECK(error_code(f.say("web:v-late", "anyone?"), 503) == "shutting_down");
}

// -- metrics
// ------------------------------------------------------------------------------------------

TEST_CASE(
    "metrics are Prometheus text with the live actors and the decode errors of bad payloads") {
  gateway_fixture f;
  const auto before = f.metrics();
  const double json_errors_before = sb::test::metric_value(before, json_decode_errors).value_or(0);
  const double wire_errors_before = sb::test::metric_value(before, wire_decode_errors).value_or(0);

  const auto first = ok_json(f.say("web:v-1", "hello"));
  ok_json(f.say("app:u-2", "hello"));
  // A JSON payload that does not fit chat.message, through the gateway...
  CHECK(error_code(f.post(actor_path("web:v-1") + "/messages",
                          R"({"type":"chat.message","message":{"text":["not","a","string"]}})"),
                   400) == "invalid_argument");
  // ...and wire bytes that are not msgpack at all, straight onto the bus.
  sb::schemas::envelope bad;
  bad.msg_id = "bad-wire-1";
  bad.to = {"conversation", "web:v-1"};
  bad.type = "chat.message";
  bad.payload.data = std::string("\xc1\xc1\xc1 not msgpack", 15);
  auto refused = f.n->message_bus().request_sync(bad, 5s);
  CHECK(sb::test::code_of(refused) == sb::errc::decode_malformed);

  auto res = f.http->Get("/metrics");
  CHECK(answered(res).status == 200);
  CHECK(res->get_header_value("Content-Type").rfind("text/plain", 0) == 0);
  const std::string& text = res->body;
  CHECK(text.find("# TYPE sb_actors_live gauge\n") != std::string::npos);
  // Other kinds may run beside the two conversations.
  CHECK(sb::test::metric_value(text, "sb_actors_live").value_or(-1) >= 2);
  CHECK(
      sb::test::metric_value(text, R"(sb_actors_live_by_kind{kind="conversation"})").value_or(-1) ==
      2);
  CHECK(text.find("# TYPE sb_decode_errors_total counter\n") != std::string::npos);
  CHECK(sb::test::metric_value(text, json_decode_errors).value_or(-1) == json_errors_before + 1);
  CHECK(sb::test::metric_value(text, wire_decode_errors).value_or(-1) == wire_errors_before + 1);
  // Every sample line is `name[{labels}] number`.
  std::istringstream lines{text};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    auto space = line.rfind(' ');
    REQUIRE_MESSAGE(space != std::string::npos, line);
    CHECK_MESSAGE(line.rfind("sb_", 0) == 0, line);
    CHECK_NOTHROW(static_cast<void>(std::stod(line.substr(space + 1))));
  }

  // The actor that got the bad wire bytes still applies the next good message.
  auto next = ok_json(f.say("web:v-1", "still there?"));
  CHECK(next["reply"]["seq"] > first["reply"]["seq"]);
  CHECK(ok_json(f.inspect("web:v-1"))["state"]["message_count"] == 2);
}

// -- authorization
// ------------------------------------------------------------------------------------

TEST_CASE("the admin API answers 401 without the bearer token or with a wrong one") {
  gateway_fixture f;
  const auto path = actor_path("web:v-1");
  const auto body = chat_body("web:v-1", "hi", "");
  for (const auto& headers : {httplib::Headers{}, gateway_fixture::auth("Bearer wrong-token"),
                              gateway_fixture::auth(std::string{"Bearer "} + token + "x"),
                              gateway_fixture::auth(token), gateway_fixture::auth("Bearer ")}) {
    CAPTURE(headers.empty() ? std::string{"(none)"} : headers.begin()->second);
    CHECK(error_code(f.http->Get(path, headers), 401) == "unauthorized");
    CHECK(error_code(f.post(path + "/messages", body, headers), 401) == "unauthorized");
  }
  // Nothing reached the actor.
  CHECK(error_code(f.inspect("web:v-1"), 404) == "not_found");
  CHECK(f.n->stats().messages_handled == 0);
}

TEST_CASE("the admin API answers 403 on a node without an admin token, whatever the request says") {
  gateway_fixture f{""};
  const auto path = actor_path("web:v-1");
  for (const auto& headers : {httplib::Headers{}, gateway_fixture::auth("Bearer "),
                              gateway_fixture::auth(std::string{"Bearer "} + token)}) {
    // The code's name is not part of the contract; the 403 and the JSON error shape are.
    CHECK_FALSE(error_code(f.http->Get(path, headers), 403).empty());
    CHECK_FALSE(error_code(f.post(path + "/messages", chat_body("web:v-1", "hi", ""), headers), 403)
                    .empty());
  }
  CHECK(f.n->stats().messages_handled == 0);
  CHECK(ok_json(f.http->Get("/healthz"))["status"] == "ok");
}

// -- delivering messages
// ------------------------------------------------------------------------------

TEST_CASE("a posted chat message is accepted with seq 1 and the same msg_id again is a duplicate") {
  gateway_fixture f;
  auto first = ok_json(f.say("web:v-1", "你好", "m-1"));
  CHECK(first["reply_type"] == "chat.accepted");
  CHECK(first["reply"]["seq"] == 1);
  CHECK(first["reply"]["conversation_id"] == "web:v-1#1");
  CHECK(first["reply"]["duplicate"] == false);

  auto again = ok_json(f.say("web:v-1", "你好", "m-1"));
  CHECK(again["reply_type"] == "sb.duplicate");
  CHECK(f.n->stats().duplicates_dropped == 1);
  CHECK(ok_json(f.inspect("web:v-1"))["state"]["message_count"] == 1);

  auto second = ok_json(f.say("web:v-1", "在吗", "m-2"));
  CHECK(second["reply_type"] == "chat.accepted");
  CHECK(second["reply"]["seq"] > first["reply"]["seq"]);
}

TEST_CASE("bad requests to the admin API get 4xx JSON errors and change nothing") {
  gateway_fixture f;
  const auto messages = actor_path("web:v-1") + "/messages";

  SUBCASE("a body that is not JSON is 400") {
    CHECK(error_code(f.post(messages, R"({"type": "chat.message", "message": {)"), 400) ==
          "invalid_json");
    CHECK(error_code(f.post(messages, "[1, 2, 3]"), 400) == "invalid_json");
  }
  SUBCASE("a body without a type is 400") {
    CHECK(error_code(f.post(messages, R"({"message": {"text": "hi"}})"), 400) == "missing_field");
  }
  SUBCASE("an unknown message type is 404") {
    CHECK(error_code(f.post(messages, R"({"type": "chat.teleport", "message": {}})"), 404) ==
          "not_found");
  }
  SUBCASE("a field of the wrong type is 400 and the message names the field") {
    auto res = f.post(messages, R"({"type": "chat.message", "message": {"sent_at_ms": "soon"}})");
    CHECK(error_code(res, 400) == "invalid_argument");
    CHECK_MESSAGE(res->body.find("sent_at_ms") != std::string::npos, res->body);
  }
  SUBCASE("an unknown actor kind is 404") {
    CHECK(
        error_code(f.post(actor_path("x-1", "starship") + "/messages", chat_body("w:x", "hi", "")),
                   404) == "unknown_kind");
    CHECK(error_code(f.inspect("x-1", "starship"), 404) == "unknown_kind");
  }
  SUBCASE("a key with control characters is 400") {
    // The client sends the escapes as they are; the server decodes them into the key.
    for (const char* key : {"web:v%01x", "web:v%0Ax", "web:v%7Fx"}) {
      CAPTURE(key);
      CHECK(error_code(f.post(actor_path(key) + "/messages", chat_body("web:v", "hi", "")), 400) ==
            "invalid_argument");
      CHECK(error_code(f.inspect(key), 400) == "invalid_argument");
    }
  }
  SUBCASE("a body over gateway.max_body_bytes is 413") {
    std::string big = chat_body("web:v-1", std::string(static_cast<size_t>(max_body), 'a'), "");
    CHECK(error_code(f.post(messages, big), 413) == "payload_too_large");
  }
  SUBCASE("an unknown route is 404") {
    CHECK(error_code(f.http->Get("/nope"), 404) == "not_found");
    CHECK(error_code(f.http->Get("/v1/actors/conversation", f.auth()), 404) == "not_found");
    CHECK(error_code(
              f.http->Post("/v1/actors/conversation/web:v-1", f.auth(), "{}", "application/json"),
              404) == "not_found");
  }
  SUBCASE("inspecting an actor that never ran is 404") {
    CHECK(error_code(f.inspect("web:nobody"), 404) == "not_found");
  }
  // None of the above reached a conversation.
  CHECK(error_code(f.inspect("web:v-1"), 404) == "not_found");
}

TEST_CASE("a body just under gateway.max_body_bytes is accepted") {
  gateway_fixture f;
  std::string body =
      chat_body("web:v-1", std::string(static_cast<size_t>(max_body) - 100, 'a'), "");
  REQUIRE(body.size() <= static_cast<size_t>(max_body));
  CHECK(ok_json(f.post(actor_path("web:v-1") + "/messages", body))["reply"]["seq"] == 1);
  CHECK(ok_json(f.inspect("web:v-1"))["state"]["message_count"] == 1);
}

TEST_CASE("a good message sent right after a bad one is still applied") {
  gateway_fixture f;
  const auto messages = actor_path("web:v-mix") + "/messages";
  SUBCASE("one after the other") {
    CHECK(error_code(f.post(messages, R"({"type":"chat.message","message":{"text":7}})"), 400) ==
          "invalid_argument");
    auto one = ok_json(f.say("web:v-mix", "good one"));
    CHECK(one["reply"]["seq"] == 1);
    CHECK(error_code(f.post(messages, "{not json"), 400) == "invalid_json");
    CHECK(ok_json(f.say("web:v-mix", "good two"))["reply"]["seq"] > one["reply"]["seq"]);
    CHECK(ok_json(f.inspect("web:v-mix"))["state"]["message_count"] == 2);
  }
  SUBCASE("interleaved from four clients at once") {
    constexpr int clients = 4;
    constexpr int pairs = 10;
    std::atomic<int> bad_refused{0};
    std::vector<std::vector<int64_t>> seqs(clients);
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        auto http = f.client();
        for (int i = 0; i < pairs; ++i) {
          auto bad = http->Post(messages, gateway_fixture::auth(),
                                R"({"type":"chat.message","message":{"person":false}})",
                                "application/json");
          bad_refused.fetch_add(bad && bad->status == 400 ? 1 : 0);
          auto id = "c" + std::to_string(c) + "-" + std::to_string(i);
          auto good = http->Post(messages, gateway_fixture::auth(),
                                 chat_body("web:v-mix", "good " + id, id), "application/json");
          if (good && good->status == 200) {
            auto body = json::parse(good->body, nullptr, false);
            seqs[static_cast<size_t>(c)].push_back(
                body.is_object() ? body["reply"].value("seq", int64_t{-1}) : -1);
          }
        }
      });
    }
    for (auto& t : threads) {
      t.join();
    }
    CHECK(bad_refused.load() == clients * pairs);
    std::set<int64_t> all;
    for (const auto& s : seqs) {
      CHECK(s.size() == pairs);
      all.insert(s.begin(), s.end());
    }
    // Every good message got its own sequence number, and all of them were kept.
    CHECK(all.size() == clients * pairs);
    CHECK(*all.begin() == 1);
    CHECK(ok_json(f.inspect("web:v-mix"))["state"]["message_count"] == clients * pairs);
  }
}

// -- inspecting actors
// --------------------------------------------------------------------------------

TEST_CASE("inspect shows a live actor, and after drain and restart the state saved in the store") {
  gateway_fixture f;
  ok_json(f.say("web:v-7", "one", "m-1"));
  const auto two = ok_json(f.say("web:v-7", "two", "m-2"));

  auto live = ok_json(f.inspect("web:v-7"));
  CHECK(live["live"] == true);
  CHECK(live["kind"] == "conversation");
  CHECK(live["key"] == "web:v-7");
  CHECK(live["mailbox_depth"] == 0);
  CHECK(live["state"]["message_count"] == 2);
  CHECK(live["state"]["status"].is_string());
  CHECK(live["state"]["status"] != "closed");
  REQUIRE(live["pending_timers"].size() == 1);
  CHECK(live["pending_timers"][0]["name"] == "session_idle");

  f.restart();
  auto saved = ok_json(f.inspect("web:v-7"));
  CHECK(saved["live"] == false);
  CHECK(saved["key"] == "web:v-7");
  CHECK(saved["state"]["message_count"] == 2);
  CHECK(saved["state"]["status"] == live["state"]["status"]);
  CHECK(saved["state"]["conversation_id"] == "web:v-7#1");
  REQUIRE(saved["pending_timers"].size() == 1);
  CHECK(saved["pending_timers"][0]["name"] == "session_idle");
  CHECK(saved["pending_timers"][0]["due_ms"] == live["pending_timers"][0]["due_ms"]);
  CHECK(f.n->stats().live_actors == 0);

  // The restarted node carries on from the saved state and still knows the old message ids.
  CHECK(ok_json(f.say("web:v-7", "two", "m-2"))["reply_type"] == "sb.duplicate");
  CHECK(ok_json(f.say("web:v-7", "three", "m-3"))["reply"]["seq"] > two["reply"]["seq"]);
  CHECK(ok_json(f.inspect("web:v-7"))["live"] == true);
}
