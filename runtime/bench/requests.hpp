#pragma once

// The HTTP requests a simulated shopper sends, built exactly as the real clients build them:
// web chat JSON, app JSON signed with HMAC-SHA256 (X-SB-Timestamp, X-SB-Signature), WeChat's
// text push XML signed with the account token, and the shop's business events with its bearer
// token. Pure: the load tool sends what these return and classifies the answers with
// classify_answer().

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/bench/shopper_generator.hpp"

namespace sb::bench {

/// One request to send to a node: method, path with query, headers, body and its content type.
struct http_request {
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type;
};

/// Returns POST /v1/web/messages {"visitor_id", "text", "client_msg_id"}.
http_request web_message(std::string_view visitor_id, std::string_view text,
                         std::string_view client_msg_id);

/// Returns POST /v1/app/messages {"user_id", "text", "client_msg_id"} signed with `secret` at
/// Unix time `now_s`.
http_request app_message(std::string_view secret, int64_t now_s, std::string_view user_id,
                         std::string_view text, std::string_view client_msg_id);

/// Returns POST /v1/wechat?signature=..&timestamp=..&nonce=.. carrying a plaintext text message
/// from `open_id` to the account `account_id` (MsgId `msg_id`, digits), signed with `token`.
http_request wechat_text(std::string_view token, int64_t now_s, std::string_view nonce,
                         std::string_view open_id, std::string_view account_id,
                         std::string_view text, std::string_view msg_id);

/// Returns POST /v1/events {"type", "event_id", "user", "sku"[, "order_id"]} with
/// `Authorization: Bearer token`.
http_request business_event(std::string_view token, const shopper_step& event,
                            std::string_view event_id, std::string_view user);

/// How the node answered a chat message.
enum class answer_kind {
  answered,    ///< 200 with at least one reply (WeChat: a passive reply XML).
  silent,      ///< 200 without a reply (a human was asked for; WeChat: "success").
  pending,     ///< 202: the bot was slower than gateway.reply_wait.
  http_error,  ///< any other status.
};

/// Returns how a node answered a chat message on `channel` with `status` and `body`.
answer_kind classify_answer(channel_kind channel, int status, std::string_view body);

}  // namespace sb::bench
