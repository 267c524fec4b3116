#pragma once

// Private to runtime/gateway/: what the route handlers share, and their small HTTP helpers.

#include <chrono>
#include <optional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "runtime/gateway/outbound_dispatcher.hpp"
#include "runtime/gateway/topic_feed.hpp"
#include "runtime/node.hpp"
#include "schemas/conversation.hpp"

namespace sb::gateway {

/// What every route handler of one gateway uses. Owned by the gateway; handlers run on the HTTP
/// thread pool and may block (bus.request_sync) but never for longer than a request timeout.
struct context {
  node& n;
  const node_config& cfg;
  outbound_dispatcher& outbound;
  topic_feed& topics;
};

// -- responses
// ---------------------------------------------------------------------------------------

/// Returns the HTTP status that reports an error code.
int http_status(errc code);
/// Writes `body` as JSON with `status`.
void send_json(httplib::Response& res, int status, const nlohmann::json& body);
/// Writes {"error": {"code", "message"}} with `status`.
void send_error(httplib::Response& res, int status, std::string_view code,
                std::string_view message);
/// Writes an error value with the status http_status() gives it.
void send_error(httplib::Response& res, const error& err);

// -- requests
// ----------------------------------------------------------------------------------------

/// Returns true if the request carries `Authorization: Bearer <token>` (constant-time compare);
/// otherwise answers 401 (or 403 when `token` is empty: that API is switched off) and returns
/// false.
bool require_bearer(const httplib::Request& req, httplib::Response& res, const std::string& token,
                    std::string_view config_key);
/// Like require_bearer, but any of two tokens opens it (`admin.token` or `events.token`); 403
/// only when both are empty.
bool require_either_bearer(const httplib::Request& req, httplib::Response& res,
                           const node_config& cfg);
/// Parses the body as a JSON object; answers 400 and returns nullopt if it is not one.
std::optional<nlohmann::json> json_body(const httplib::Request& req, httplib::Response& res);
/// Returns the string field `key` of `body`, or answers 400 naming it and returns nullopt.
/// Ids (`is_id`) must be 1..128 printable characters without '#', '/' or spaces.
std::optional<std::string> required_string(const nlohmann::json& body, const char* key,
                                           httplib::Response& res, bool is_id);
/// Counts an intake message by channel and outcome (accepted, duplicate, rejected, ...).
void count_intake(std::string_view channel, std::string_view outcome);

// -- conversations
// -----------------------------------------------------------------------------------

/// Delivers a person's message to their conversation and waits up to `wait` for the bot's answer.
/// nullopt answer: accepted but not answered in time (the reply will come later on the channel's
/// outbound path).
struct chat_outcome {
  std::optional<schemas::chat_accepted> accepted;
};
result<chat_outcome> deliver_chat(context& ctx, const std::string& channel,
                                  const std::string& person, const std::string& text,
                                  const std::string& client_msg_id, std::chrono::milliseconds wait);

/// Returns a product card / outbound message as the JSON the channel APIs answer with.
nlohmann::json to_json(const schemas::outbound_message& m);

/// Splits a conversation id `channel:person#session` into its actor key and session.
std::optional<std::pair<std::string, int64_t>> split_conversation_id(const std::string& id);

// -- route groups
// ------------------------------------------------------------------------------------

void add_admin_routes(httplib::Server& server, context& ctx);
void add_chat_routes(httplib::Server& server, context& ctx);
void add_wechat_routes(httplib::Server& server, context& ctx);
void add_event_routes(httplib::Server& server, context& ctx);
void add_agent_routes(httplib::Server& server, context& ctx);
void add_marketing_routes(httplib::Server& server, context& ctx);
void add_operator_routes(httplib::Server& server, context& ctx);
void add_cluster_routes(httplib::Server& server, context& ctx);

}  // namespace sb::gateway
