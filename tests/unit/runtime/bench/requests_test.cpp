// The requests sbbench sends (runtime/bench/requests.hpp) pass the node's own checks: the app
// signature verifies, the WeChat signature verifies and its XML parses; answers are classified.
#include "runtime/bench/requests.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "runtime/gateway/channels/app_signature.hpp"
#include "runtime/gateway/channels/wechat_signature.hpp"
#include "runtime/gateway/channels/wechat_xml.hpp"
#include "tests/support/require.hpp"

using namespace sb::bench;

namespace {

// Returns the value of `key` in the query of `path` (values here need no decoding).
std::string query_param(const std::string& path, const std::string& key) {
  auto at = path.find(key + "=");
  if (at == std::string::npos) {
    return "";
  }
  auto from = at + key.size() + 1;
  return path.substr(from, path.find('&', from) - from);
}

std::string header(const http_request& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) {
      return v;
    }
  }
  return "";
}

}  // namespace

TEST_CASE("a web message is the documented JSON body") {
  auto r = web_message("v-1", "我想买一款降噪耳机", "v-1-0");
  CHECK(r.method == "POST");
  CHECK(r.path == "/v1/web/messages");
  CHECK(r.content_type == "application/json");
  auto j = nlohmann::json::parse(r.body);
  CHECK(j["visitor_id"] == "v-1");
  CHECK(j["text"] == "我想买一款降噪耳机");
  CHECK(j["client_msg_id"] == "v-1-0");
}

TEST_CASE("an app message carries a signature the gateway verifies, and only for its body") {
  const int64_t now = 1764000000;
  auto r = app_message("s3cret", now, "u-42", "where is my order?", "u-42-1");
  CHECK(r.path == "/v1/app/messages");
  CHECK(nlohmann::json::parse(r.body)["user_id"] == "u-42");
  const auto ts = header(r, "X-SB-Timestamp");
  const auto sig = header(r, "X-SB-Signature");
  CHECK(ts == "1764000000");
  SB_REQUIRE_OK(sb::channels::verify_app_request("s3cret", ts, sig, r.body, now));
  CHECK_FALSE(sb::channels::verify_app_request("other", ts, sig, r.body, now).ok());
  CHECK_FALSE(sb::channels::verify_app_request("s3cret", ts, sig, r.body + " ", now).ok());
}

TEST_CASE("a WeChat text push is signed with the token and parses as the text it carries") {
  const int64_t now = 1764000000;
  auto r = wechat_text("tok", now, "12345", "o-open-1", "gh_sbbench", "有适合跑步的耳机吗]]>?",
                       "987654321");
  CHECK(r.path.rfind("/v1/wechat?", 0) == 0);
  CHECK(query_param(r.path, "timestamp") == "1764000000");
  CHECK(query_param(r.path, "nonce") == "12345");
  CHECK(sb::channels::verify_url_signature("tok", "1764000000", "12345",
                                           query_param(r.path, "signature")));
  CHECK_FALSE(sb::channels::verify_url_signature("other", "1764000000", "12345",
                                                 query_param(r.path, "signature")));
  auto msg = SB_REQUIRE_OK(sb::channels::parse_inbound(r.body));
  CHECK(msg.msg_type == "text");
  CHECK(msg.from_user == "o-open-1");
  CHECK(msg.to_user == "gh_sbbench");
  CHECK(msg.content == "有适合跑步的耳机吗]]>?");
  CHECK(msg.msg_id == "987654321");
  CHECK(msg.create_time == now);
}

TEST_CASE("a business event carries the bearer token and an order id only for orders") {
  shopper_step click{step_kind::event, "", "recommendation.clicked", "AL-ANC-PRO2", ""};
  auto r = business_event("ev-tok", click, "p-1-ev2", "web:p-1");
  CHECK(r.path == "/v1/events");
  CHECK(header(r, "Authorization") == "Bearer ev-tok");
  auto j = nlohmann::json::parse(r.body);
  CHECK(j["type"] == "recommendation.clicked");
  CHECK(j["event_id"] == "p-1-ev2");
  CHECK(j["user"] == "web:p-1");
  CHECK(j["sku"] == "AL-ANC-PRO2");
  CHECK_FALSE(j.contains("order_id"));
  shopper_step order{step_kind::event, "", "order.placed", "AL-ANC-PRO2", "o-p-1"};
  CHECK(nlohmann::json::parse(business_event("t", order, "e", "web:p-1").body)["order_id"] ==
        "o-p-1");
}

TEST_CASE("answers are told apart: replies, silence, pending and errors") {
  CHECK(classify_answer(channel_kind::web, 200, R"({"replies":[{"text":"hi"}]})") ==
        answer_kind::answered);
  CHECK(classify_answer(channel_kind::app, 200, R"({"replies":[]})") == answer_kind::silent);
  CHECK(classify_answer(channel_kind::web, 202, R"({"pending":true})") == answer_kind::pending);
  CHECK(classify_answer(channel_kind::app, 401, "{}") == answer_kind::http_error);
  CHECK(classify_answer(channel_kind::web, 200, "not json") == answer_kind::http_error);
  CHECK(classify_answer(channel_kind::wechat, 200, "<xml><Content>hi</Content></xml>") ==
        answer_kind::answered);
  CHECK(classify_answer(channel_kind::wechat, 200, "success") == answer_kind::silent);
  CHECK(classify_answer(channel_kind::wechat, 403, "{}") == answer_kind::http_error);
}
