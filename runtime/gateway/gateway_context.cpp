#include "runtime/gateway/gateway_context.hpp"

#include <openssl/crypto.h>

#include "runtime/metrics.hpp"

namespace sb::gateway {

int http_status(errc code) {
  switch (code) {
    case errc::invalid_argument:
    case errc::decode_malformed:
    case errc::decode_truncated:
    case errc::decode_incompatible:
    case errc::decode_wrong_type:
    case errc::unexpected_type:
      return 400;
    case errc::not_found:
    case errc::unknown_kind:
      return 404;
    case errc::timeout:
      return 504;
    case errc::shutting_down:
    case errc::store_unavailable:
    case errc::bus_unavailable:
    case errc::fenced:
      return 503;
    default:
      return 500;
  }
}

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, std::string_view code,
                std::string_view message) {
  send_json(res, status, {{"error", {{"code", code}, {"message", message}}}});
}

void send_error(httplib::Response& res, const error& err) {
  send_error(res, http_status(err.code), to_string(err.code), err.message);
}

bool require_bearer(const httplib::Request& req, httplib::Response& res, const std::string& token,
                    std::string_view config_key) {
  if (token.empty()) {
    send_error(res, 403, "disabled",
               "this API is off: set " + std::string{config_key} + " to enable it");
    return false;
  }
  auto expected = "Bearer " + token;
  const auto& got = req.get_header_value("Authorization");
  if (got.size() != expected.size() ||
      CRYPTO_memcmp(got.data(), expected.data(), expected.size()) != 0) {
    send_error(res, 401, "unauthorized", "missing or wrong bearer token");
    return false;
  }
  return true;
}

bool require_either_bearer(const httplib::Request& req, httplib::Response& res,
                           const node_config& cfg) {
  if (cfg.admin_token.empty() && cfg.events_token.empty()) {
    send_error(res, 403, "disabled",
               "this API is off: set admin.token or events.token to enable it");
    return false;
  }
  const auto& got = req.get_header_value("Authorization");
  for (const auto* token : {&cfg.admin_token, &cfg.events_token}) {
    if (token->empty()) {
      continue;
    }
    auto expected = "Bearer " + *token;
    if (got.size() == expected.size() &&
        CRYPTO_memcmp(got.data(), expected.data(), expected.size()) == 0) {
      return true;
    }
  }
  send_error(res, 401, "unauthorized", "missing or wrong bearer token");
  return false;
}

std::optional<nlohmann::json> json_body(const httplib::Request& req, httplib::Response& res) {
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    send_error(res, 400, "invalid_json", "the body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

namespace {

bool valid_id(const std::string& s) {
  if (s.empty() || s.size() > 128) {
    return false;
  }
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f || c == '#' || c == '/') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> required_string(const nlohmann::json& body, const char* key,
                                           httplib::Response& res, bool is_id) {
  auto i = body.find(key);
  if (i == body.end() || !i->is_string() || i->get_ref<const std::string&>().empty()) {
    send_error(res, 400, "missing_field",
               std::string{"'"} + key + "' (a non-empty string) is required");
    return std::nullopt;
  }
  const auto& value = i->get_ref<const std::string&>();
  if (is_id && !valid_id(value)) {
    send_error(res, 400, "invalid_field",
               std::string{"'"} + key +
                   "' must be 1 to 128 printable characters without spaces, '#' or '/'");
    return std::nullopt;
  }
  return value;
}

void count_intake(std::string_view channel, std::string_view outcome) {
  metrics::registry::global()
      .get_counter("sb_intake_messages_total",
                   "Messages taken in by the gateway, by channel and outcome",
                   {{"channel", std::string{channel}}, {"outcome", std::string{outcome}}})
      .inc();
}

result<chat_outcome> deliver_chat(context& ctx, const std::string& channel,
                                  const std::string& person, const std::string& text,
                                  const std::string& client_msg_id,
                                  std::chrono::milliseconds wait) {
  schemas::chat_message msg;
  msg.channel = channel;
  msg.person = person;
  msg.text = text;
  msg.client_msg_id = client_msg_id;
  msg.sent_at_ms = ctx.n.node_clock().now_ms();
  auto started = std::chrono::steady_clock::now();
  auto env =
      make_envelope(schemas::address{"conversation", channel + ":" + person}, msg, msg.sent_at_ms);
  auto reply = ctx.n.message_bus().request_sync(std::move(env), wait);
  if (!reply) {
    if (reply.err().code == errc::timeout) {
      count_intake(channel, "accepted_late");
      return chat_outcome{};  // Delivered; the answer will come on the outbound path.
    }
    count_intake(channel, "failed");
    return reply.err();
  }
  auto accepted = open_envelope<schemas::chat_accepted>(*reply);
  if (!accepted) {
    count_intake(channel, "failed");
    return accepted.err();
  }
  count_intake(channel, accepted->duplicate ? "duplicate" : "accepted");
  metrics::registry::global()
      .get_histogram("sb_reply_latency_seconds", "Time from intake to the bot's reply, by channel",
                     metrics::default_latency_buckets(), {{"channel", channel}})
      .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return chat_outcome{std::move(*accepted)};
}

nlohmann::json to_json(const schemas::outbound_message& m) {
  nlohmann::json products = nlohmann::json::array();
  for (const auto& p : m.products) {
    products.push_back({{"sku", p.sku},
                        {"name", p.name},
                        {"price", p.price},
                        {"currency", p.currency},
                        {"pitch", p.pitch}});
  }
  return {{"seq", m.seq},
          {"from", m.from},
          {"text", m.text},
          {"products", products},
          {"at_ms", m.at_ms}};
}

std::optional<std::pair<std::string, int64_t>> split_conversation_id(const std::string& id) {
  auto hash = id.rfind('#');
  if (hash == std::string::npos || hash == 0 || hash + 1 >= id.size()) {
    return std::nullopt;
  }
  int64_t session = 0;
  for (size_t i = hash + 1; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9' || session > 1'000'000'000) {
      return std::nullopt;
    }
    session = session * 10 + (id[i] - '0');
  }
  return std::make_pair(id.substr(0, hash), session);
}

}  // namespace sb::gateway
