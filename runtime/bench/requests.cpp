#include "runtime/bench/requests.hpp"

#include <nlohmann/json.hpp>

#include "runtime/gateway/channels/app_signature.hpp"
#include "runtime/gateway/channels/wechat_signature.hpp"

namespace sb::bench {

namespace {

// Writes `text` as CDATA; a "]]>" inside is split across two sections.
std::string cdata(std::string_view text) {
  std::string out = "<![CDATA[";
  for (size_t at = 0;;) {
    auto end = text.find("]]>", at);
    if (end == std::string_view::npos) {
      out.append(text.substr(at));
      break;
    }
    out.append(text.substr(at, end + 2 - at)).append("]]><![CDATA[");
    at = end + 2;
  }
  return out + "]]>";
}

std::string chat_body(const char* id_key, std::string_view id, std::string_view text,
                      std::string_view client_msg_id) {
  return nlohmann::json{{id_key, id}, {"text", text}, {"client_msg_id", client_msg_id}}.dump();
}

}  // namespace

http_request web_message(std::string_view visitor_id, std::string_view text,
                         std::string_view client_msg_id) {
  return {"POST",
          "/v1/web/messages",
          {},
          chat_body("visitor_id", visitor_id, text, client_msg_id),
          "application/json"};
}

http_request app_message(std::string_view secret, int64_t now_s, std::string_view user_id,
                         std::string_view text, std::string_view client_msg_id) {
  auto body = chat_body("user_id", user_id, text, client_msg_id);
  auto ts = std::to_string(now_s);
  auto sig = channels::app_signature(secret, ts, body);
  return {"POST",
          "/v1/app/messages",
          {{"X-SB-Timestamp", ts}, {"X-SB-Signature", sig}},
          std::move(body),
          "application/json"};
}

http_request wechat_text(std::string_view token, int64_t now_s, std::string_view nonce,
                         std::string_view open_id, std::string_view account_id,
                         std::string_view text, std::string_view msg_id) {
  auto ts = std::to_string(now_s);
  auto sig = channels::url_signature(token, ts, nonce);
  std::string xml = "<xml><ToUserName>" + cdata(account_id) + "</ToUserName><FromUserName>" +
                    cdata(open_id) + "</FromUserName><CreateTime>" + ts +
                    "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>" + cdata(text) +
                    "</Content><MsgId>" + std::string{msg_id} + "</MsgId></xml>";
  return {"POST",
          "/v1/wechat?signature=" + sig + "&timestamp=" + ts + "&nonce=" + std::string{nonce},
          {},
          std::move(xml),
          "text/xml"};
}

http_request business_event(std::string_view token, const shopper_step& event,
                            std::string_view event_id, std::string_view user) {
  nlohmann::json body{
      {"type", event.event_type}, {"event_id", event_id}, {"user", user}, {"sku", event.sku}};
  if (!event.order_id.empty()) {
    body["order_id"] = event.order_id;
  }
  return {"POST",
          "/v1/events",
          {{"Authorization", "Bearer " + std::string{token}}},
          body.dump(),
          "application/json"};
}

answer_kind classify_answer(channel_kind channel, int status, std::string_view body) {
  if (status == 202) {
    return answer_kind::pending;
  }
  if (status != 200) {
    return answer_kind::http_error;
  }
  if (channel == channel_kind::wechat) {
    return body.compare(0, 5, "<xml>") == 0 ? answer_kind::answered : answer_kind::silent;
  }
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) {
    return answer_kind::http_error;  // 200 with a body that is not the documented object.
  }
  auto replies = json.find("replies");
  return replies != json.end() && replies->is_array() && !replies->empty() ? answer_kind::answered
                                                                           : answer_kind::silent;
}

}  // namespace sb::bench
