#pragma once

// The messages of the admin API over NATS request/reply (`sbctl --nats URL`, subjects in
// schemas/subjects.hpp): what sbctl sends on `sb.admin.*` and what a node answers. Pure functions;
// sbctl and the node's responder (nats_admin.hpp) share them.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace sb::gateway {

/// Largest response body a node sends back over NATS (the server's default max payload is
/// 1 MiB); a larger one is answered 413.
inline constexpr size_t admin_max_reply_body = 900 * 1024;
/// Largest encoded reply (the body escaped in the reply's JSON).
inline constexpr size_t admin_max_reply_bytes = 1024 * 1024 - 4 * 1024;

/// One admin request, as sbctl sends it: {"method", "path", "body", "token", "headers"}.
struct admin_request {
  std::string method;  ///< GET or POST.
  std::string path;    ///< Under /v1/, with its query string.
  std::string body;    ///< The POST body (JSON text); may be empty.
  std::string token;   ///< The admin token, sent on as `Authorization: Bearer`; may be empty.
  /// Extra request headers, only `X-SB-*` (the app channel's signature for `sbctl send app`).
  std::map<std::string, std::string> headers;
};

/// A node's answer: the HTTP status its gateway gave and the response body.
struct admin_reply {
  int status = 0;
  std::string body;
};

/// Returns `r` as the JSON text sent on `sb.admin.*` (empty body, token and headers left out).
std::string encode_admin_request(const admin_request& r);

/// Returns the request in `data`, or errc::invalid_argument saying what is wrong: not a JSON
/// object, a method other than GET and POST, a path not under /v1/ (or with spaces, control
/// characters or `..`), /v1/events/stream (events come by subscription to `sb.events.>`), a field
/// of the wrong type, a header other than `X-SB-*`. Unknown fields are ignored.
result<admin_request> parse_admin_request(std::string_view data);

/// Returns `r` as the JSON text of a reply: {"status": <int>, "body": "<string>"}.
std::string encode_admin_reply(const admin_reply& r);

/// Returns the reply in `data`, or errc::decode_malformed when it is not one.
result<admin_reply> parse_admin_reply(std::string_view data);

/// Returns a reply with the gateway's error body {"error": {"code", "message"}}.
admin_reply admin_error_reply(int status, std::string_view code, std::string_view message);

/// Returns `r` unchanged, or a 413 error reply when its body is over admin_max_reply_body or its
/// encoding over admin_max_reply_bytes.
admin_reply within_reply_limit(admin_reply r);

}  // namespace sb::gateway
