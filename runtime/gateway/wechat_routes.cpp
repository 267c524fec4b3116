// The WeChat Official Account channel: the URL handshake and message push, plaintext or safe mode,
// answered with WeChat's passive reply within its 5 s.
#include <algorithm>
#include <sstream>

#include "runtime/gateway/channels/app_signature.hpp"
#include "runtime/gateway/channels/wechat_crypto.hpp"
#include "runtime/gateway/channels/wechat_signature.hpp"
#include "runtime/gateway/channels/wechat_xml.hpp"
#include "runtime/gateway/gateway_context.hpp"

namespace sb::gateway {

namespace {

// WeChat gives up after 5 s and retries; answer well before that.
constexpr std::chrono::milliseconds wechat_reply_budget{4500};

std::string reply_text(const schemas::chat_accepted& a) {
  std::ostringstream out;
  for (const auto& r : a.replies) {
    if (out.tellp() > 0) {
      out << "\n";
    }
    out << r.text;
    for (const auto& p : r.products) {
      out << "\n· " << p.name << " ¥" << p.price;
      if (!p.pitch.empty()) {
        out << "（" << p.pitch << "）";
      }
    }
  }
  return out.str();
}

void send_text(httplib::Response& res, int status, const std::string& text,
               const char* type = "text/plain; charset=utf-8") {
  res.status = status;
  res.set_content(text, type);
}

void handshake(context& ctx, const httplib::Request& req, httplib::Response& res) {
  const auto& token = ctx.cfg.channels_wechat_token;
  if (token.empty()) {
    send_error(res, 403, "disabled", "the WeChat channel is off: set channels.wechat.token");
    return;
  }
  if (!channels::verify_url_signature(token, req.get_param_value("timestamp"),
                                      req.get_param_value("nonce"),
                                      req.get_param_value("signature"))) {
    count_intake("wechat", "unauthorized");
    send_error(res, 403, "bad_signature", "signature does not match");
    return;
  }
  send_text(res, 200, req.get_param_value("echostr"));
}

void push(context& ctx, const httplib::Request& req, httplib::Response& res) {
  const auto& token = ctx.cfg.channels_wechat_token;
  if (token.empty()) {
    send_error(res, 403, "disabled", "the WeChat channel is off: set channels.wechat.token");
    return;
  }
  auto ts = req.get_param_value("timestamp");
  auto nonce = req.get_param_value("nonce");
  auto now_s = ctx.n.node_clock().now_ms() / 1000;
  if (auto fresh = channels::check_timestamp(ts, now_s, ctx.cfg.channels_max_skew.count() / 1000);
      !fresh) {
    count_intake("wechat", "unauthorized");
    send_error(res, 403, "stale_timestamp", fresh.err().message);
    return;
  }
  bool safe_mode = req.get_param_value("encrypt_type") == "aes";
  std::optional<channels::wechat_crypto> crypto;
  std::string xml = req.body;
  if (safe_mode) {
    auto made = channels::wechat_crypto::create(ctx.cfg.channels_wechat_encoding_aes_key,
                                                ctx.cfg.channels_wechat_app_id);
    if (!made) {
      send_error(res, 400, "safe_mode_off",
                 "safe mode needs channels.wechat.encoding_aes_key: " + made.err().message);
      return;
    }
    crypto.emplace(std::move(*made));
    auto encrypted = channels::extract_encrypt(req.body);
    if (!encrypted) {
      count_intake("wechat", "rejected");
      send_error(res, 400, "invalid_xml", encrypted.err().message);
      return;
    }
    if (!channels::verify_msg_signature(token, ts, nonce, *encrypted,
                                        req.get_param_value("msg_signature"))) {
      count_intake("wechat", "unauthorized");
      send_error(res, 403, "bad_signature", "msg_signature does not match");
      return;
    }
    auto plain = crypto->decrypt(*encrypted);
    if (!plain) {
      count_intake("wechat", "rejected");
      send_error(res, plain.err().code == errc::invalid_argument ? 403 : 400, "bad_ciphertext",
                 plain.err().message);
      return;
    }
    xml = std::move(*plain);
  } else if (!channels::verify_url_signature(token, ts, nonce, req.get_param_value("signature"))) {
    count_intake("wechat", "unauthorized");
    send_error(res, 403, "bad_signature", "signature does not match");
    return;
  }
  auto msg = channels::parse_inbound(xml);
  if (!msg) {
    count_intake("wechat", "rejected");
    send_error(res, 400, "invalid_xml", msg.err().message);
    return;
  }
  std::string text;
  std::string client_id = msg->msg_id;
  if (msg->msg_type == "text") {
    text = msg->content;
  } else if (msg->msg_type == "event" && msg->event == "CLICK") {
    text = msg->event_key;  // Menu keys are written as the question they stand for.
    client_id = msg->from_user + ":" + std::to_string(msg->create_time) + ":click";
  }
  std::string answer;
  if (!text.empty()) {
    auto outcome = deliver_chat(ctx, "wechat", msg->from_user, text, client_id,
                                std::min(ctx.cfg.gateway_reply_wait, wechat_reply_budget));
    if (!outcome) {
      send_error(res, outcome.err());
      return;
    }
    if (outcome->accepted) {
      answer = reply_text(*outcome->accepted);
    }
  } else {
    count_intake("wechat", "event");
  }
  if (answer.empty()) {
    send_text(res, 200, "success");  // WeChat's "received, nothing to say".
    return;
  }
  auto reply = channels::build_text_reply(msg->from_user, msg->to_user, now_s, answer);
  if (!safe_mode) {
    send_text(res, 200, reply, "application/xml; charset=utf-8");
    return;
  }
  auto encrypted = crypto->encrypt(reply);
  auto signature = channels::msg_signature(token, ts, nonce, encrypted);
  send_text(res, 200, channels::build_encrypted_reply(encrypted, signature, ts, nonce),
            "application/xml; charset=utf-8");
}

}  // namespace

void add_wechat_routes(httplib::Server& server, context& ctx) {
  server.Get("/v1/wechat", [&ctx](const httplib::Request& req, httplib::Response& res) {
    handshake(ctx, req, res);
  });
  server.Post("/v1/wechat",
              [&ctx](const httplib::Request& req, httplib::Response& res) { push(ctx, req, res); });
}

}  // namespace sb::gateway
