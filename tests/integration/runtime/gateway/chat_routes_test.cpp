// The web and app chat channels of runtime/gateway/chat_routes.cpp, end to end over HTTP against
// an in-process node: messages answered by the bot (with product cards), channel retries, the
// long-poll for later messages and how an agent's message wakes it, the app channel's request
// signatures and their replay protection, and the JSON errors of bad requests.
#include <doctest/doctest.h>

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "tests/support/gateway_harness.hpp"

namespace {

using namespace std::chrono_literals;
using namespace sb::test;

constexpr const char* headphones_question = "我想买一款降噪耳机";

/// Returns lowercase hex HMAC-SHA256 of `data` under `key` (OpenSSL directly, not the code under
/// test).
std::string hmac_hex(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
               reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
               &len) != nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += digits[mac[i] >> 4];
    out += digits[mac[i] & 0x0f];
  }
  return out;
}

int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Returns the headers of a signed app request over `signed_text` (the body or the query).
httplib::Headers app_headers(const std::string& signed_text, int64_t ts = unix_now_s(),
                             const std::string& secret = app_secret) {
  auto t = std::to_string(ts);
  return {{"X-SB-Timestamp", t}, {"X-SB-Signature", hmac_hex(secret, t + "." + signed_text)}};
}

std::string app_body(const std::string& user, const std::string& text, const std::string& id) {
  return json{{"user_id", user}, {"text", text}, {"client_msg_id", id}}.dump();
}

/// Checks the shape of one product card and returns its sku.
std::string checked_card(const json& card) {
  CHECK(card["sku"].is_string());
  CHECK_FALSE(card["sku"].get<std::string>().empty());
  CHECK_FALSE(card["name"].get<std::string>().empty());
  CHECK(card["price"].get<double>() > 0);
  CHECK(card["currency"] == "CNY");
  CHECK(card["pitch"].is_string());
  return card["sku"].get<std::string>();
}

/// Returns the admin API's status of the conversation at `key` (an empty object if it never ran).
json conversation_status(gateway_node& f, const std::string& key) {
  auto res = f.http->Get("/v1/actors/conversation/" + key, gateway_node::bearer(admin_token));
  return res && res->status == 200 ? json::parse(res->body) : json::object();
}

/// Returns true if the conversation handled a `conversation.control` (a poll, say) among the
/// messages it handled after the first `before`.
bool handled_control_since(const json& status, int64_t before) {
  const auto handled = status.value("messages_handled", int64_t{0});
  if (handled <= before || !status.contains("last_message_types")) {
    return false;
  }
  const auto& types = status["last_message_types"];
  const auto fresh = std::min<int64_t>(handled - before, static_cast<int64_t>(types.size()));
  for (auto i = static_cast<int64_t>(types.size()) - fresh; i < static_cast<int64_t>(types.size());
       ++i) {
    if (types[static_cast<size_t>(i)] == "conversation.control") {
      return true;
    }
  }
  return false;
}

}  // namespace

// -- web: sending
// ------------------------------------------------------------------------------------

TEST_CASE(
    "a web message is answered with the bot's replies, with product cards for a product "
    "question") {
  gateway_node f;
  auto r = ok_json(f.web_say("v-shop", headphones_question, "c-1"));
  CHECK(r["conversation_id"] == "web:v-shop#1");
  CHECK(r["seq"] == 1);
  CHECK(r["duplicate"] == false);
  CHECK(r["status"] == "bot");
  REQUIRE(r["replies"].is_array());
  REQUIRE_FALSE(r["replies"].empty());
  const auto& first = r["replies"][0];
  CHECK(first["from"] == "bot");
  CHECK(first["seq"] == 2);
  CHECK_FALSE(first["text"].get<std::string>().empty());
  REQUIRE_FALSE(first["products"].empty());
  CHECK(first["products"].size() <= 3);
  bool noise_cancelling = false;
  for (const auto& card : first["products"]) {
    checked_card(card);
    noise_cancelling |= card["name"].get<std::string>().find("降噪") != std::string::npos;
  }
  CHECK_MESSAGE(noise_cancelling, r.dump());
  // The replies are what the transcript holds after the person's line.
  auto lines = f.transcript("web:v-shop");
  REQUIRE(lines.size() == 1 + r["replies"].size());
  CHECK(lines[0]["from"] == "person");
  CHECK(lines[0]["text"] == headphones_question);
  CHECK(lines[1]["products"] == first["products"]);
}

TEST_CASE(
    "the same client_msg_id again gets the same replies, marked duplicate, and is applied "
    "once") {
  gateway_node f;
  auto first = ok_json(f.web_say("v-retry", headphones_question, "c-1"));
  REQUIRE_FALSE(first["replies"].empty());
  auto again = ok_json(f.web_say("v-retry", headphones_question, "c-1"));
  CHECK(again["duplicate"] == true);
  CHECK(again["conversation_id"] == first["conversation_id"]);
  CHECK(again["seq"] == first["seq"]);
  CHECK(again["status"] == first["status"]);
  CHECK(again["replies"] == first["replies"]);
  // Even with another text: the id decides, as when a channel retries.
  auto third = ok_json(f.web_say("v-retry", "换个说法", "c-1"));
  CHECK(third["duplicate"] == true);
  CHECK(third["replies"] == first["replies"]);
  CHECK(f.inspect("conversation", "web:v-retry")["state"]["message_count"] == 1);

  // A new id is a new message, and an older id still answers with its own replies.
  auto next = ok_json(f.web_say("v-retry", "你好", "c-2"));
  CHECK(next["duplicate"] == false);
  CHECK(next["seq"] > first["seq"]);
  CHECK(ok_json(f.web_say("v-retry", headphones_question, "c-1"))["replies"] == first["replies"]);
  CHECK(f.inspect("conversation", "web:v-retry")["state"]["message_count"] == 2);
}

TEST_CASE("web messages with missing or invalid fields are 400 and reach no conversation") {
  gateway_node f;
  auto post = [&](const std::string& body) {
    return f.http->Post("/v1/web/messages", body, "application/json");
  };
  const std::string long_id(129, 'v');
  struct bad_case {
    json body;
    const char* code;
    const char* names;  // the field the message must name
  };
  for (const auto& c : {
           bad_case{{{"text", "hi"}, {"client_msg_id", "c-1"}}, "missing_field", "visitor_id"},
           bad_case{{{"visitor_id", "v-bad"}, {"client_msg_id", "c-1"}}, "missing_field", "text"},
           bad_case{{{"visitor_id", "v-bad"}, {"text", "hi"}}, "missing_field", "client_msg_id"},
           bad_case{{{"visitor_id", "v-bad"}, {"text", ""}, {"client_msg_id", "c-1"}},
                    "missing_field",
                    "text"},
           bad_case{{{"visitor_id", 42}, {"text", "hi"}, {"client_msg_id", "c-1"}},
                    "missing_field",
                    "visitor_id"},
           bad_case{
               {{"visitor_id", "v-bad"}, {"text", json::array({"hi"})}, {"client_msg_id", "c-1"}},
               "missing_field",
               "text"},
           bad_case{{{"visitor_id", "v#bad"}, {"text", "hi"}, {"client_msg_id", "c-1"}},
                    "invalid_field",
                    "visitor_id"},
           bad_case{{{"visitor_id", "v bad"}, {"text", "hi"}, {"client_msg_id", "c-1"}},
                    "invalid_field",
                    "visitor_id"},
           bad_case{{{"visitor_id", "v/bad"}, {"text", "hi"}, {"client_msg_id", "c-1"}},
                    "invalid_field",
                    "visitor_id"},
           bad_case{{{"visitor_id", long_id}, {"text", "hi"}, {"client_msg_id", "c-1"}},
                    "invalid_field",
                    "visitor_id"},
           bad_case{{{"visitor_id", "v-bad"}, {"text", "hi"}, {"client_msg_id", "c 1"}},
                    "invalid_field",
                    "client_msg_id"},
           bad_case{{{"visitor_id", "v-bad"},
                     {"text", std::string(4001, 'a')},
                     {"client_msg_id", "c-1"}},
                    "text_too_long",
                    "text"},
       }) {
    CAPTURE(c.body.dump().substr(0, 200));
    auto res = post(c.body.dump());
    CHECK(error_code(res, 400) == c.code);
    CHECK_MESSAGE(res->body.find(c.names) != std::string::npos, res->body);
  }
  SUBCASE("malformed JSON is 400 invalid_json") {
    CHECK(error_code(post(R"({"visitor_id": "v-bad", "text": )"), 400) == "invalid_json");
    CHECK(error_code(post("[1, 2, 3]"), 400) == "invalid_json");
    CHECK(error_code(post(""), 400) == "invalid_json");
  }
  SUBCASE("a body over gateway.max_body_bytes is 413") {
    auto big = json{
        {"visitor_id", "v-bad"},
        {"text", std::string(static_cast<size_t>(max_body_bytes), 'a')},
        {"client_msg_id",
         "c-1"}}.dump();
    CHECK(error_code(post(big), 413) == "payload_too_large");
  }
  // Nothing reached a conversation, and the channel still works.
  CHECK(error_code(
            f.http->Get("/v1/actors/conversation/web:v-bad", gateway_node::bearer(admin_token)),
            404) == "not_found");
  CHECK(ok_json(f.web_say("v-bad", "你好", "c-1"))["seq"] == 1);
}

// -- web: long-poll
// ----------------------------------------------------------------------------------

TEST_CASE(
    "a web long-poll returns the lines for the person after `after`, never the person's own") {
  gateway_node f;
  auto hello = ok_json(f.web_say("v-poll", "你好", "c-1"));
  auto ask = ok_json(f.web_say("v-poll", headphones_question, "c-2"));
  REQUIRE_FALSE(hello["replies"].empty());
  REQUIRE_FALSE(ask["replies"].empty());

  auto all = ok_json(f.http->Get("/v1/web/messages?visitor_id=v-poll&after=0"));
  CHECK(all["conversation_id"] == "web:v-poll#1");
  CHECK(all["status"] == "bot");
  REQUIRE(all["messages"].size() == hello["replies"].size() + ask["replies"].size());
  for (const auto& m : all["messages"]) {
    CHECK(m["from"] == "bot");
  }
  CHECK(all["messages"][0] == hello["replies"][0]);
  CHECK(all["messages"].back() == ask["replies"].back());

  // Only what came after the first reply; `after` defaults to 0.
  const auto after = hello["replies"].back()["seq"].get<int64_t>();
  auto later =
      ok_json(f.http->Get("/v1/web/messages?visitor_id=v-poll&after=" + std::to_string(after)));
  CHECK(later["messages"] == ask["replies"]);
  CHECK(ok_json(f.http->Get("/v1/web/messages?visitor_id=v-poll"))["messages"] == all["messages"]);

  // Nothing new: an empty answer at once without wait_ms, and after the wait with it.
  const auto last = ask["replies"].back()["seq"].get<int64_t>();
  auto none =
      ok_json(f.http->Get("/v1/web/messages?visitor_id=v-poll&after=" + std::to_string(last)));
  CHECK(none["messages"].empty());
  const auto started = std::chrono::steady_clock::now();
  auto waited = ok_json(
      f.http->Get("/v1/web/messages?visitor_id=v-poll&wait_ms=300&after=" + std::to_string(last)));
  CHECK(waited["messages"].empty());
  CHECK(std::chrono::steady_clock::now() - started >= 300ms);
}

TEST_CASE("an agent's message sent during a web long-poll wakes it long before wait_ms") {
  gateway_node f;
  ok_json(f.http->Put("/v1/agents/li", gateway_node::bearer(admin_token),
                      json{{"skills", {"presales"}}, {"presence", "online"}}.dump(),
                      "application/json"));
  auto asked = ok_json(f.web_say("v-wake", "转人工", "c-1"));
  REQUIRE(asked["status"] == "waiting_for_agent");
  auto context = ok_json(
      f.admin_post("/v1/handoffs/" + url_encode("web:v-wake#1") + "/accept", {{"agent_id", "li"}}));
  REQUIRE(context["status"] == "with_agent");
  const auto last_seq = context["transcript"].back()["seq"].get<int64_t>();

  constexpr int64_t wait_ms = 15000;
  const auto before = conversation_status(f, "web:v-wake").value("messages_handled", int64_t{0});
  json polled;
  std::chrono::steady_clock::duration poll_took{};
  std::thread poller{[&] {
    auto http = f.client();
    const auto started = std::chrono::steady_clock::now();
    auto res = http->Get("/v1/web/messages?visitor_id=v-wake&after=" + std::to_string(last_seq) +
                         "&wait_ms=" + std::to_string(wait_ms));
    poll_took = std::chrono::steady_clock::now() - started;
    if (res && res->status == 200) {
      polled = json::parse(res->body, nullptr, false);
    }
  }};
  // The poll asked the conversation once and found nothing: it is waiting now.
  bool polling = poll_until(
      [&] { return handled_control_since(conversation_status(f, "web:v-wake"), before); }, 10s);
  auto sent = f.admin_post("/v1/conversations/" + url_encode("web:v-wake#1") + "/agent-messages",
                           {{"agent_id", "li"}, {"text", "您好，我是客服小李"}});
  poller.join();
  REQUIRE(polling);
  auto reply = ok_json(sent);
  CHECK(reply["conversation_id"] == "web:v-wake#1");
  CHECK(reply["message"]["from"] == "agent:li");

  REQUIRE_MESSAGE(polled.is_object(), "the long-poll failed");
  CHECK(polled["status"] == "with_agent");
  REQUIRE(polled["messages"].size() == 1);
  CHECK(polled["messages"][0] == reply["message"]);
  CHECK(polled["messages"][0]["text"] == "您好，我是客服小李");
  const auto took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(poll_took).count();
  CHECK_MESSAGE(took_ms < wait_ms / 3, "the long-poll took " << took_ms << " ms");
}

TEST_CASE("a web long-poll with missing or invalid parameters is 400") {
  gateway_node f;
  auto code_of = [&](const std::string& query) {
    CAPTURE(query);
    return error_code(f.http->Get("/v1/web/messages" + query), 400);
  };
  CHECK(code_of("") == "missing_field");
  CHECK(code_of("?after=0") == "missing_field");
  CHECK(code_of("?visitor_id=") == "missing_field");
  for (const char* bad : {"&after=-1", "&after=abc", "&after=", "&after=1.5", "&wait_ms=soon",
                          "&wait_ms=-5", "&wait_ms=", "&after=99999999999999999999"}) {
    CHECK(code_of(std::string{"?visitor_id=v-1"} + bad) == "invalid_field");
  }
  CHECK(
      error_code(f.http->Get("/v1/actors/conversation/web:v-1", gateway_node::bearer(admin_token)),
                 404) == "not_found");
}

// -- app
// ---------------------------------------------------------------------------------------------

TEST_CASE("a signed app message is answered, and the same signed request again is 401 replayed") {
  gateway_node f;
  const auto body = app_body("u-1", headphones_question, "a-1");
  const auto headers = app_headers(body);
  auto r = ok_json(f.http->Post("/v1/app/messages", headers, body, "application/json"));
  CHECK(r["conversation_id"] == "app:u-1#1");
  CHECK(r["duplicate"] == false);
  REQUIRE_FALSE(r["replies"].empty());
  CHECK_FALSE(r["replies"][0]["products"].empty());

  auto replayed = f.http->Post("/v1/app/messages", headers, body, "application/json");
  CHECK(error_code(replayed, 401) == "replayed");
  CHECK(f.inspect("conversation", "app:u-1")["state"]["message_count"] == 1);

  // A retry the app signs afresh is a new request, recognised by its client_msg_id.
  const auto retry = app_headers(body, unix_now_s() + 1);
  auto again = ok_json(f.http->Post("/v1/app/messages", retry, body, "application/json"));
  CHECK(again["duplicate"] == true);
  CHECK(again["replies"] == r["replies"]);

  // Hex in upper case is the same signature.
  const auto upper_body = app_body("u-1", "你好", "a-2");
  auto upper = app_headers(upper_body);
  for (auto& [name, value] : upper) {
    if (name == "X-SB-Signature") {
      for (auto& ch : value) {
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      }
    }
  }
  CHECK(ok_json(f.http->Post("/v1/app/messages", upper, upper_body, "application/json"))["seq"] >
        r["seq"]);
}

TEST_CASE("a signed app long-poll returns the bot's lines; the query is what is signed") {
  gateway_node f;
  const auto body = app_body("u-2", "你好", "a-1");
  auto said =
      ok_json(f.http->Post("/v1/app/messages", app_headers(body), body, "application/json"));
  const std::string query = "user_id=u-2&after=0";
  auto polled = ok_json(f.http->Get("/v1/app/messages?" + query, app_headers(query)));
  CHECK(polled["conversation_id"] == "app:u-2#1");
  CHECK(polled["messages"] == said["replies"]);
  // The signature of another query does not cover this one.
  CHECK(error_code(f.http->Get("/v1/app/messages?user_id=u-2&after=1", app_headers(query)), 401) ==
        "bad_signature");
  CHECK(error_code(f.http->Get("/v1/app/messages?" + query), 401) == "bad_signature");
}

TEST_CASE("app messages with a wrong or missing signature or a stale timestamp are 401") {
  gateway_node f;
  const auto body = app_body("u-3", "你好", "a-1");
  const auto ts = std::to_string(unix_now_s());
  const auto good = hmac_hex(app_secret, ts + "." + body);
  struct bad_case {
    const char* what;
    httplib::Headers headers;
  };
  for (const auto& c : {
           bad_case{"another secret", app_headers(body, unix_now_s(), "not-the-secret")},
           bad_case{"another body", app_headers(app_body("u-3", "你好!", "a-1"))},
           bad_case{"a signature without the timestamp",
                    {{"X-SB-Timestamp", ts}, {"X-SB-Signature", hmac_hex(app_secret, body)}}},
           bad_case{
               "another timestamp",
               {{"X-SB-Timestamp", std::to_string(unix_now_s() - 1)}, {"X-SB-Signature", good}}},
           bad_case{"no headers", {}},
           bad_case{"no timestamp", {{"X-SB-Signature", good}}},
           bad_case{"no signature", {{"X-SB-Timestamp", ts}}},
           bad_case{"an empty signature", {{"X-SB-Timestamp", ts}, {"X-SB-Signature", ""}}},
           bad_case{"a timestamp that is no number",
                    {{"X-SB-Timestamp", "now"},
                     {"X-SB-Signature", hmac_hex(app_secret, "now." + body)}}},
           bad_case{"a timestamp older than channels.max_skew",
                    app_headers(body, unix_now_s() - 301 - 5)},
           bad_case{"a timestamp further ahead than channels.max_skew",
                    app_headers(body, unix_now_s() + 301 + 5)},
       }) {
    CAPTURE(c.what);
    CHECK(error_code(f.http->Post("/v1/app/messages", c.headers, body, "application/json"), 401) ==
          "bad_signature");
  }
  // None of them reached the conversation; well within the skew is fine.
  CHECK(
      error_code(f.http->Get("/v1/actors/conversation/app:u-3", gateway_node::bearer(admin_token)),
                 404) == "not_found");
  CHECK(ok_json(f.http->Post("/v1/app/messages", app_headers(body, unix_now_s() - 200), body,
                             "application/json"))["seq"] == 1);
}

TEST_CASE("the app channel is 403 while channels.app.secret is empty") {
  auto cfg = channel_node_config();
  cfg.channels_app_secret = "";
  gateway_node f{cfg};
  const auto body = app_body("u-4", "你好", "a-1");
  CHECK(error_code(f.http->Post("/v1/app/messages", app_headers(body), body, "application/json"),
                   403) == "disabled");
  CHECK(error_code(f.http->Post("/v1/app/messages", body, "application/json"), 403) == "disabled");
  CHECK(error_code(f.http->Get("/v1/app/messages?user_id=u-4", app_headers("user_id=u-4")), 403) ==
        "disabled");
  // The web channel is not affected.
  CHECK(ok_json(f.web_say("v-4", "你好", "c-1"))["seq"] == 1);
}
