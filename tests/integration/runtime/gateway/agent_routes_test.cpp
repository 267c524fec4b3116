// The agent desk of runtime/gateway/agent_routes.cpp, end to end over HTTP against an in-process
// node: agents' presence, the handoff queue, taking a conversation with its whole context in one
// answer, replying to web shoppers (through their long-poll) and to WeChat shoppers (through a
// local server that plays WeChat's customer-service message API), the bot's silence while an
// agent has the conversation, closing, and personal data masked in everything an agent sees.
#include <doctest/doctest.h>

#include <httplib.h>
#include <openssl/sha.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/gateway_harness.hpp"
#include "tests/support/ports.hpp"

namespace {

using namespace std::chrono_literals;
using namespace sb::test;

constexpr const char* headphones_question = "我想买一款降噪耳机";
constexpr const char* raw_phone = "13812345678";
constexpr const char* masked_phone = "138****5678";
constexpr const char* raw_email = "zhang.san@example.com";
constexpr const char* masked_email = "z***@example.com";

std::string handoff_path(const std::string& conversation_id, const std::string& action) {
  return "/v1/handoffs/" + url_encode(conversation_id) + "/" + action;
}

std::string conversation_path(const std::string& conversation_id, const std::string& action) {
  return "/v1/conversations/" + url_encode(conversation_id) + "/" + action;
}

httplib::Result put_agent(gateway_node& f, const std::string& id, const json& body) {
  return f.http->Put("/v1/agents/" + id, gateway_node::bearer(admin_token), body.dump(),
                     "application/json");
}

json agent_online(gateway_node& f, const std::string& id) {
  return ok_json(put_agent(f, id,
                           {{"name", id},
                            {"skills", {"presales", "aftersales"}},
                            {"presence", "online"},
                            {"max_chats", 3}}));
}

httplib::Result agent_says(gateway_node& f, const std::string& conversation_id,
                           const std::string& agent, const std::string& text) {
  return f.admin_post(conversation_path(conversation_id, "agent-messages"),
                      {{"agent_id", agent}, {"text", text}});
}

/// Returns the ids listed by GET /v1/handoffs?status=waiting.
std::vector<std::string> waiting_ids(gateway_node& f) {
  auto list =
      ok_json(f.http->Get("/v1/handoffs?status=waiting", gateway_node::bearer(admin_token)));
  std::vector<std::string> out;
  for (const auto& h : list["handoffs"]) {
    out.push_back(h["conversation_id"].get<std::string>());
  }
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string sha1_sorted(std::vector<std::string> parts) {
  std::sort(parts.begin(), parts.end());
  std::string joined;
  for (const auto& p : parts) {
    joined += p;
  }
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(joined.data()), joined.size(), digest);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += digits[b >> 4];
    out += digits[b & 0x0f];
  }
  return out;
}

/// A local stand-in for WeChat's API (api.weixin.qq.com): the access-token endpoint and
/// message/custom/send, recording the messages it accepts.
class fake_wechat_api {
 public:
  fake_wechat_api() {
    server_.Get("/cgi-bin/token", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> guard{mutex_};
      if (req.get_param_value("appid") != wechat_app_id ||
          req.get_param_value("secret") != wechat_app_secret) {
        res.set_content(R"({"errcode":40125,"errmsg":"invalid appsecret"})", "application/json");
        return;
      }
      ++token_fetches_;
      res.set_content(R"({"access_token":"tok-1","expires_in":7200})", "application/json");
    });
    server_.Post("/cgi-bin/message/custom/send", [this](const httplib::Request& req,
                                                        httplib::Response& res) {
      std::lock_guard<std::mutex> guard{mutex_};
      if (req.get_param_value("access_token") != "tok-1") {
        res.set_content(R"({"errcode":40001,"errmsg":"invalid credential"})", "application/json");
        return;
      }
      sent_.push_back(json::parse(req.body, nullptr, false));
      res.set_content(R"({"errcode":0,"errmsg":"ok"})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread{[this] { server_.listen_after_bind(); }};
    REQUIRE(wait_for_tcp(port_, 5s).ok());
  }
  ~fake_wechat_api() {
    server_.stop();
    thread_.join();
  }
  fake_wechat_api(const fake_wechat_api&) = delete;
  fake_wechat_api& operator=(const fake_wechat_api&) = delete;

  [[nodiscard]] std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<json> sent() {
    std::lock_guard<std::mutex> guard{mutex_};
    return sent_;
  }
  int token_fetches() {
    std::lock_guard<std::mutex> guard{mutex_};
    return token_fetches_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::vector<json> sent_;
  int token_fetches_ = 0;
};

}  // namespace

// -- agents and the queue
// ----------------------------------------------------------------------------

TEST_CASE("PUT /v1/agents/{id} adds an agent and answers with the desk's snapshot") {
  gateway_node f;
  auto snap = ok_json(put_agent(f, "li",
                                {{"name", "小李"},
                                 {"skills", {"presales", "zh"}},
                                 {"presence", "online"},
                                 {"max_chats", 2}}));
  REQUIRE(snap["agents"].size() == 1);
  const auto& li = snap["agents"][0];
  CHECK(li["agent_id"] == "li");
  CHECK(li["name"] == "小李");
  CHECK(li["presence"] == "online");
  CHECK(li["skills"] == json{"presales", "zh"});
  CHECK(li["max_chats"] == 2);
  CHECK(li["load"] == 0);
  CHECK(snap["waiting"].empty());
  CHECK(snap["wait_stats"]["count"] == 0);

  // Updating keeps one agent; the name defaults to the id.
  snap = ok_json(put_agent(f, "li", {{"presence", "away"}}));
  REQUIRE(snap["agents"].size() == 1);
  CHECK(snap["agents"][0]["presence"] == "away");
  CHECK(snap["agents"][0]["name"] == "li");
  CHECK(ok_json(put_agent(f, "wang", json::object()))["agents"].size() == 2);
  auto all = ok_json(f.http->Get("/v1/handoffs", gateway_node::bearer(admin_token)));
  CHECK(all["agents"].size() == 2);

  SUBCASE("bad agents are 400") {
    CHECK(error_code(put_agent(f, "li", {{"presence", "asleep"}}), 400) == "invalid_argument");
    CHECK(error_code(put_agent(f, "li", {{"skills", "presales"}}), 400) == "invalid_field");
    CHECK(error_code(put_agent(f, "li", {{"skills", {"presales", 7}}}), 400) == "invalid_field");
    CHECK(error_code(put_agent(f, "li", {{"max_chats", -1}}), 400) == "invalid_argument");
    CHECK(error_code(put_agent(f, "li", {{"max_chats", "three"}}), 400) == "invalid_field");
    CHECK(error_code(put_agent(f, "li", {{"presence", 1}}), 400) == "invalid_field");
    CHECK(error_code(f.http->Put("/v1/agents/li", gateway_node::bearer(admin_token), "{",
                                 "application/json"),
                     400) == "invalid_json");
    CHECK(error_code(f.http->Get("/v1/handoffs?status=done", gateway_node::bearer(admin_token)),
                     400) == "invalid_field");
  }
  SUBCASE("the desk needs the admin token") {
    CHECK(error_code(f.http->Put("/v1/agents/li", "{}", "application/json"), 401) ==
          "unauthorized");
    CHECK(error_code(f.http->Get("/v1/handoffs", gateway_node::bearer(events_token)), 401) ==
          "unauthorized");
    CHECK(error_code(f.http->Post(handoff_path("web:v-1#1", "accept"), R"({"agent_id":"li"})",
                                  "application/json"),
                     401) == "unauthorized");
    CHECK(error_code(f.http->Post(conversation_path("web:v-1#1", "agent-messages"),
                                  R"({"agent_id":"li","text":"hi"})", "application/json"),
                     401) == "unauthorized");
    CHECK(
        error_code(f.http->Post(conversation_path("web:v-1#1", "close"), "{}", "application/json"),
                   401) == "unauthorized");
  }
}

TEST_CASE("the agent desk is 403 while admin.token is empty") {
  auto cfg = channel_node_config();
  cfg.admin_token = "";
  gateway_node f{cfg};
  CHECK(error_code(f.http->Put("/v1/agents/li", gateway_node::bearer(""), "{}", "application/json"),
                   403) == "disabled");
  CHECK(error_code(f.http->Get("/v1/handoffs", gateway_node::bearer(admin_token)), 403) ==
        "disabled");
}

// -- a web shopper handed to an agent
// ----------------------------------------------------------------

TEST_CASE(
    "a web shopper asks for a human, an agent takes the conversation with its whole "
    "context, replies, and gives it back to the bot") {
  gateway_node f;
  agent_online(f, "li");
  const std::string visitor = "v-handoff";
  const std::string id = "web:" + visitor + "#1";

  auto asked = ok_json(f.web_say(visitor, headphones_question, "c-1"));
  const auto recommended = asked["replies"][0]["products"];
  REQUIRE_FALSE(recommended.empty());
  ok_json(f.web_say(visitor,
                    std::string{"我的手机号是"} + raw_phone + "，邮箱 " + raw_email + "，请联系我",
                    "c-2"));
  auto human = ok_json(f.web_say(visitor, "转人工", "c-3"));
  CHECK(human["status"] == "waiting_for_agent");
  REQUIRE_FALSE(human["replies"].empty());
  CHECK(f.inspect("conversation", "web:" + visitor)["state"]["status"] == "waiting_for_agent");

  // The desk lists it as waiting for an agent until one accepts it; li, online, has the offer.
  const auto waiting = ok_json(
      f.http->Get("/v1/handoffs?status=waiting", gateway_node::bearer(admin_token)))["handoffs"];
  REQUIRE(waiting.size() == 1);
  CHECK(waiting[0]["conversation_id"] == id);
  CHECK(waiting[0]["offered_to"] == "li");
  CHECK(waiting[0]["skill"] == "");
  CHECK(waiting[0]["wait_ms"].get<int64_t>() >= 0);

  const auto accept_started = std::chrono::steady_clock::now();
  auto ctx = ok_json(f.admin_post(handoff_path(id, "accept"), {{"agent_id", "li"}}));
  const auto accept_took = std::chrono::steady_clock::now() - accept_started;
  INFO(ctx.dump());
  CHECK(ctx["conversation_id"] == id);
  CHECK(ctx["channel"] == "web");
  CHECK(ctx["person"] == visitor);
  CHECK(ctx["status"] == "with_agent");
  CHECK(ctx["agent_id"] == "li");
  CHECK(ctx["reason"] == "asked_for_human");
  CHECK(ctx["waited_ms"].is_number_integer());
  CHECK(ctx["waited_ms"].get<int64_t>() >= 0);
  CHECK(ctx["waited_ms"].get<int64_t>() <
        60'000 + std::chrono::duration_cast<std::chrono::milliseconds>(accept_took).count());
  // The transcript: every line, the person's personal data masked.
  const auto& transcript = ctx["transcript"];
  REQUIRE(transcript.size() >= 6);
  CHECK(transcript[0]["from"] == "person");
  CHECK(transcript[0]["text"] == headphones_question);
  CHECK(transcript[0]["intent"] == "product_inquiry");
  bool saw_masked = false;
  for (const auto& line : transcript) {
    const auto text = line["text"].get<std::string>();
    saw_masked |= text.find(masked_phone) != std::string::npos &&
                  text.find(masked_email) != std::string::npos;
  }
  CHECK(saw_masked);
  CHECK(ctx.dump().find(raw_phone) == std::string::npos);
  CHECK(ctx.dump().find(raw_email) == std::string::npos);
  CHECK(transcript.back()["from"] == "system");  // the agent joined
  // What the bot showed, the signals and the profile.
  std::vector<std::string> shown;
  for (const auto& card : recommended) {
    shown.push_back(card["sku"].get<std::string>());
  }
  CHECK(ctx["recommended_skus"] == json(shown));
  CHECK(ctx["signals"]["person_messages"] == 3);
  CHECK(ctx["signals"]["product_inquiries"] == 1);
  CHECK(ctx["profile"].is_object());
  CHECK(ctx["profile"]["tier"] == "regular");
  CHECK(ctx["profile"]["user_key"] == "web:" + visitor);

  // No longer waiting; the agent's load counts it.
  CHECK_FALSE(contains(waiting_ids(f), id));
  auto desk = ok_json(f.http->Get("/v1/handoffs", gateway_node::bearer(admin_token)));
  REQUIRE(desk["agents"].size() == 1);
  CHECK(desk["agents"][0]["chats"] == json{id});
  CHECK(desk["wait_stats"]["count"] == 1);

  // The agent writes; the shopper's long-poll has it.
  const auto joined_seq = transcript.back()["seq"].get<int64_t>();
  auto sent = ok_json(agent_says(f, id, "li", "您好，我是小李，这款耳机现在有货"));
  CHECK(sent["conversation_id"] == id);
  CHECK(sent["message"]["from"] == "agent:li");
  auto polled = ok_json(f.http->Get("/v1/web/messages?visitor_id=" + visitor +
                                    "&after=" + std::to_string(joined_seq)));
  CHECK(polled["status"] == "with_agent");
  REQUIRE(polled["messages"].size() == 1);
  CHECK(polled["messages"][0] == sent["message"]);

  // While the agent has it, the bot stays silent.
  auto quiet = ok_json(f.web_say(visitor, "还有别的颜色吗？", "c-4"));
  CHECK(quiet["status"] == "with_agent");
  CHECK(quiet["replies"].empty());
  auto quiet2 = ok_json(f.web_say(visitor, headphones_question, "c-5"));
  CHECK(quiet2["replies"].empty());

  // Closing gives the conversation back to the bot, which answers again.
  auto closed = ok_json(f.admin_post(conversation_path(id, "close"), {{"agent_id", "li"}}));
  CHECK(closed == json{{"conversation_id", id}, {"status", "bot"}});
  CHECK(f.inspect("conversation", "web:" + visitor)["state"]["status"] == "bot");
  auto back = ok_json(f.web_say(visitor, headphones_question, "c-6"));
  CHECK(back["status"] == "bot");
  REQUIRE_FALSE(back["replies"].empty());
  CHECK(back["replies"][0]["from"] == "bot");
  desk = ok_json(f.http->Get("/v1/handoffs", gateway_node::bearer(admin_token)));
  CHECK(desk["agents"][0]["chats"].empty());
  // The agent can no longer write into it.
  CHECK(error_code(agent_says(f, id, "li", "还在吗"), 400) == "invalid_argument");
}

TEST_CASE("accepting a handoff another agent has is 409; unknown ones are 404; bad requests 400") {
  gateway_node f;
  agent_online(f, "li");
  ok_json(f.web_say("v-taken", "转人工", "c-1"));
  const std::string id = "web:v-taken#1";
  auto ctx = ok_json(f.admin_post(handoff_path(id, "accept"), {{"agent_id", "li"}}));
  REQUIRE(ctx["agent_id"] == "li");
  agent_online(f, "wang");

  CHECK(error_code(f.admin_post(handoff_path(id, "accept"), {{"agent_id", "wang"}}), 409) ==
        "conflict");
  // The same agent again (a retried request) gets the context again.
  auto again = ok_json(f.admin_post(handoff_path(id, "accept"), {{"agent_id", "li"}}));
  CHECK(again["agent_id"] == "li");
  CHECK(again["transcript"] == ctx["transcript"]);
  // Only the agent who has the conversation may write into it.
  CHECK(error_code(agent_says(f, id, "wang", "我来"), 400) == "invalid_argument");

  CHECK(error_code(f.admin_post(handoff_path(id, "accept"), {{"agent_id", "nobody"}}), 404) ==
        "not_found");
  CHECK(error_code(f.admin_post(handoff_path("web:v-none#1", "accept"), {{"agent_id", "li"}}),
                   404) == "not_found");
  CHECK(error_code(f.admin_post(handoff_path(id, "accept"), json::object()), 400) ==
        "missing_field");
  CHECK(error_code(f.admin_post(handoff_path(id, "accept"), {{"agent_id", "l i"}}), 400) ==
        "invalid_field");
  CHECK(error_code(f.admin_post(conversation_path("web:v-taken", "agent-messages"),
                                {{"agent_id", "li"}, {"text", "hi"}}),
                   400) == "invalid_field");
  CHECK(error_code(f.admin_post(conversation_path(id, "agent-messages"), {{"agent_id", "li"}}),
                   400) == "missing_field");
  // Still with li.
  CHECK(f.inspect("conversation", "web:v-taken")["state"]["agent_id"] == "li");
}

TEST_CASE("a handoff no agent can take waits in the queue until an agent comes online") {
  gateway_node f;
  ok_json(put_agent(f, "li", {{"presence", "away"}}));
  CHECK(ok_json(f.web_say("v-queued", "转人工", "c-1"))["status"] == "waiting_for_agent");
  const std::string id = "web:v-queued#1";
  auto waiting = ok_json(
      f.http->Get("/v1/handoffs?status=waiting", gateway_node::bearer(admin_token)))["handoffs"];
  REQUIRE(waiting.size() == 1);
  CHECK(waiting[0]["conversation_id"] == id);
  CHECK(waiting[0]["position"] == 1);
  CHECK(waiting[0]["offered_to"].is_null());
  // Not offered to anyone yet: nobody can take it.
  CHECK(error_code(f.admin_post(handoff_path(id, "accept"), {{"agent_id", "li"}}), 409) ==
        "conflict");
  CHECK(f.inspect("conversation", "web:v-queued")["state"]["status"] == "waiting_for_agent");

  // Coming online, li gets the offer and takes it.
  auto snap = ok_json(put_agent(f, "li", {{"presence", "online"}}));
  CHECK(snap["agents"][0]["offered"] == json{id});
  waiting = ok_json(
      f.http->Get("/v1/handoffs?status=waiting", gateway_node::bearer(admin_token)))["handoffs"];
  REQUIRE(waiting.size() == 1);
  CHECK(waiting[0]["offered_to"] == "li");
  CHECK(ok_json(f.admin_post(handoff_path(id, "accept"), {{"agent_id", "li"}}))["status"] ==
        "with_agent");
  CHECK(waiting_ids(f).empty());
}

// -- a WeChat shopper
// --------------------------------------------------------------------------------

TEST_CASE("an agent's message to a WeChat shopper goes out through WeChat's customer-service API") {
  fake_wechat_api wechat;
  auto cfg = channel_node_config();
  cfg.channels_wechat_api_base = wechat.base_url();
  gateway_node f{cfg};
  agent_online(f, "li");

  const std::string openid = "oWxAgent_42";
  const auto ts = std::to_string(unix_now_s());
  const std::string nonce = "271828";
  const auto query = "signature=" + sha1_sorted({wechat_token, ts, nonce}) + "&timestamp=" + ts +
                     "&nonce=" + nonce + "&openid=" + openid;
  const auto xml =
      "<xml><ToUserName><![CDATA[gh_3f5a2b1c9d8e]]></ToUserName><FromUserName><![CDATA[" + openid +
      "]]></FromUserName><CreateTime>" + ts +
      "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[转人工]]>"
      "</Content><MsgId>600001</MsgId></xml>";
  auto pushed = f.http->Post("/v1/wechat?" + query, xml, "text/xml");
  REQUIRE(answered(pushed).status == 200);
  CHECK(pushed->body.find("<MsgType><![CDATA[text]]></MsgType>") != std::string::npos);

  const std::string id = "wechat:" + openid + "#1";
  CHECK(poll_until([&] { return contains(waiting_ids(f), id); }, 10s));
  auto ctx = ok_json(f.admin_post(handoff_path(id, "accept"), {{"agent_id", "li"}}));
  CHECK(ctx["channel"] == "wechat");
  CHECK(ctx["person"] == openid);

  const std::string text = "您好，我是客服小李，请问有什么可以帮您？";
  ok_json(agent_says(f, id, "li", text));
  const json expected{{"touser", openid}, {"msgtype", "text"}, {"text", {{"content", text}}}};
  CHECK_MESSAGE(poll_until(
                    [&] {
                      auto sent = wechat.sent();
                      return std::find(sent.begin(), sent.end(), expected) != sent.end();
                    },
                    10s),
                "WeChat got: " << json(wechat.sent()).dump());
  // Everything it sent was a text message to this shopper, and one token served them all.
  for (const auto& m : wechat.sent()) {
    CHECK(m["touser"] == openid);
    CHECK(m["msgtype"] == "text");
  }
  CHECK(wechat.token_fetches() == 1);
}

// -- masking
// -----------------------------------------------------------------------------------------

TEST_CASE("a phone number and an e-mail address are stored masked, never raw") {
  gateway_node f;
  const std::string text =
      std::string{"订单有问题，手机 "} + raw_phone + " 邮箱 " + raw_email + " 尽快回复";
  auto said = ok_json(f.web_say("v-pii", text, "c-1"));
  CHECK(said.dump().find(raw_phone) == std::string::npos);
  auto lines = f.transcript("web:v-pii");
  REQUIRE_FALSE(lines.empty());
  CHECK(lines[0]["from"] == "person");
  CHECK(lines[0]["text"] ==
        std::string{"订单有问题，手机 "} + masked_phone + " 邮箱 " + masked_email + " 尽快回复");
  for (const auto& body : {lines.dump(), f.inspect("conversation", "web:v-pii").dump(),
                           ok_json(f.http->Get("/v1/web/messages?visitor_id=v-pii")).dump()}) {
    CHECK(body.find(raw_phone) == std::string::npos);
    CHECK(body.find(raw_email) == std::string::npos);
    CHECK(body.find("zhang.san") == std::string::npos);
  }
  // Agents' messages are masked the same way.
  agent_online(f, "li");
  ok_json(f.web_say("v-pii", "转人工", "c-2"));
  ok_json(f.admin_post(handoff_path("web:v-pii#1", "accept"), {{"agent_id", "li"}}));
  auto sent = ok_json(agent_says(f, "web:v-pii#1", "li", std::string{"已记下 "} + raw_phone));
  CHECK(sent["message"]["text"] == std::string{"已记下 "} + masked_phone);
  auto ctx = ok_json(f.admin_post(handoff_path("web:v-pii#1", "accept"), {{"agent_id", "li"}}));
  CHECK(ctx.dump().find(raw_phone) == std::string::npos);
  CHECK(ctx.dump().find(raw_email) == std::string::npos);
  CHECK(ctx.dump().find(masked_phone) != std::string::npos);
  CHECK(ctx.dump().find(masked_email) != std::string::npos);
}
