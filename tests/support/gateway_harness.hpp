#pragma once

// Helpers for integration tests that drive a node's HTTP gateway end to end: an in-process node
// (memory store, system clock) with its gateway on a loopback port the kernel picks, every channel
// switched on, and checks of the gateway's answers (JSON bodies, and errors that are always
// {"error": {"code", "message"}}).

#include <doctest/doctest.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "runtime/clock.hpp"
#include "runtime/gateway/http_gateway.hpp"
#include "runtime/node.hpp"
#include "runtime/store.hpp"
#include "tests/support/node_binary.hpp"
#include "tests/support/require.hpp"

namespace sb::test {

using json = nlohmann::json;

// -- answers
// -----------------------------------------------------------------------------------------

/// Returns true if the response says its body is JSON (a charset parameter may follow).
inline bool is_json_type(const httplib::Response& r) {
  return r.get_header_value("Content-Type").rfind("application/json", 0) == 0;
}

/// Requires an HTTP answer (not a transport failure) and returns it.
inline const httplib::Response& answered(const httplib::Result& res) {
  REQUIRE_MESSAGE(res, "no HTTP response: " << httplib::to_string(res.error()));
  return *res;
}

/// Checks that `res` has `status` and a JSON error body {"error": {"code", "message"}} with a
/// non-empty message; returns the code ("" if the body is not of that shape).
inline std::string error_code(const httplib::Result& res, int status) {
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

/// Requires `status` (200 unless told) and a JSON body, and returns the body.
inline json ok_json(const httplib::Result& res, int status = 200) {
  const auto& r = answered(res);
  REQUIRE_MESSAGE(r.status == status, r.body);
  CHECK(is_json_type(r));
  auto body = json::parse(r.body, nullptr, false);
  REQUIRE_MESSAGE(!body.is_discarded(), "not JSON: " << r.body);
  return body;
}

/// Returns `text` percent-encoded for one path segment or query value (unreserved characters
/// kept), e.g. "web:v-1#1" → "web%3Av-1%231".
inline std::string url_encode(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                ch == '-' || ch == '_' || ch == '.' || ch == '~';
    if (keep) {
      out += ch;
    } else {
      out += '%';
      out += digits[byte >> 4];
      out += digits[byte & 0x0f];
    }
  }
  return out;
}

// -- the node under test
// -----------------------------------------------------------------------------

/// Tokens and secrets of channel_node_config().
inline constexpr const char* admin_token = "admin-s3cret";
inline constexpr const char* events_token = "events-s3cret";
inline constexpr const char* app_secret = "app-hmac-s3cret";
inline constexpr const char* wechat_token = "wechat-token";
/// Tencent's WXBizMsgCrypt sample key and app id (tests/unit/.../wechat_crypto_test.cpp).
inline constexpr const char* wechat_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
inline constexpr const char* wechat_app_id = "wx2c2769f8efd9abc2";
inline constexpr const char* wechat_app_secret = "wechat-app-s3cret";
inline constexpr int64_t max_body_bytes = 8192;

/// Returns the config of a node with every channel, the events API and the admin API on, its
/// gateway on 127.0.0.1:0, the NLU and catalog files of the source tree, and a product cache TTL
/// of an hour (so that a change that shows at once did not wait for it). WeChat's message API
/// points at a closed port until a test sets channels_wechat_api_base.
inline node_config channel_node_config() {
  using namespace std::chrono_literals;
  node_config cfg;
  cfg.gateway_listen = "127.0.0.1:0";
  cfg.gateway_threads = 8;  // a long-poll holds one thread for its whole wait
  cfg.gateway_max_body_bytes = max_body_bytes;
  cfg.gateway_reply_wait = 10s;  // slow sanitizer builds must still answer within the request
  cfg.gateway_longpoll_max = 20s;
  cfg.scheduler_threads = 2;
  cfg.actors_registry_shards = 2;
  cfg.bus_request_timeout = 10s;
  cfg.admin_token = admin_token;
  cfg.events_token = events_token;
  cfg.channels_app_secret = app_secret;
  cfg.channels_max_skew = 300s;
  cfg.channels_wechat_token = wechat_token;
  cfg.channels_wechat_app_id = wechat_app_id;
  cfg.channels_wechat_app_secret = wechat_app_secret;
  cfg.channels_wechat_encoding_aes_key = wechat_aes_key;
  cfg.channels_wechat_api_base = "http://127.0.0.1:9";
  const auto src = source_dir();
  cfg.nlu_intents = src + "/config/intents.yaml";
  cfg.nlu_lexicon = src + "/config/lexicon/sentiment.yaml";
  cfg.nlu_faq = src + "/config/faq.yaml";
  cfg.nlu_replies = src + "/config/replies.yaml";
  cfg.catalog_file = src + "/config/catalog.yaml";
  cfg.catalog_cache_ttl = 1h;
  cfg.campaigns_dir = src + "/config/campaigns";
  cfg.experiments_file = src + "/config/experiments.yaml";
  cfg.churn_model_file = src + "/config/churn-model.yaml";
  return cfg;
}

/// A node over a memory store with its gateway on a free loopback port, and a client for it.
/// The node must be stopped (destroyed) before the test ends; the destructor does it.
struct gateway_node {
  system_clock clk;
  std::shared_ptr<store> st = make_memory_store(clk);
  node_config cfg;
  std::unique_ptr<node> n;
  std::unique_ptr<http_gateway> gw;
  std::unique_ptr<httplib::Client> http;

  explicit gateway_node(node_config config = channel_node_config()) : cfg(std::move(config)) {
    node_start_options opts;
    opts.state_store = st;
    n = SB_REQUIRE_OK(node::start(cfg, std::move(opts)));
    gw = SB_REQUIRE_OK(http_gateway::start(*n));
    REQUIRE(gw->port() > 0);
    http = client();
  }
  ~gateway_node() {
    http.reset();
    if (gw) {
      gw->stop();
    }
    gw.reset();
    n.reset();
  }
  gateway_node(const gateway_node&) = delete;
  gateway_node& operator=(const gateway_node&) = delete;

  /// Returns a new client of the gateway (one per thread: a client is not thread-safe).
  [[nodiscard]] std::unique_ptr<httplib::Client> client() const {
    using namespace std::chrono_literals;
    auto c = std::make_unique<httplib::Client>("127.0.0.1", gw->port());
    c->set_connection_timeout(5s);
    c->set_read_timeout(30s);
    c->set_write_timeout(10s);
    return c;
  }

  /// Returns an Authorization header with `token` as bearer.
  static httplib::Headers bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  /// POSTs a JSON body with the admin bearer token.
  httplib::Result admin_post(const std::string& path, const json& body) {
    return http->Post(path, bearer(admin_token), body.dump(), "application/json");
  }

  /// Returns the admin API's status of an actor (requires 200).
  json inspect(const std::string& kind, const std::string& key) {
    return ok_json(http->Get("/v1/actors/" + kind + "/" + key, bearer(admin_token)));
  }

  /// POSTs a web chat message.
  httplib::Result web_say(const std::string& visitor, const std::string& text,
                          const std::string& client_msg_id) {
    json body{{"visitor_id", visitor}, {"text", text}, {"client_msg_id", client_msg_id}};
    return http->Post("/v1/web/messages", body.dump(), "application/json");
  }

  /// POSTs a business event with the events token.
  httplib::Result event(const json& body) {
    return http->Post("/v1/events", bearer(events_token), body.dump(), "application/json");
  }

  /// Returns every line of a conversation's transcript (person's lines too), through the admin
  /// API's `conversation.control` "transcript" action.
  json transcript(const std::string& key) {
    auto reply = ok_json(
        admin_post("/v1/actors/conversation/" + key + "/messages",
                   {{"type", "conversation.control"}, {"message", {{"action", "transcript"}}}}));
    REQUIRE_MESSAGE(reply["reply_type"] == "conversation.messages", reply.dump());
    return reply["reply"]["messages"];
  }
};

}  // namespace sb::test
