// The web chat and app channels: send a message and get the bot's replies; long-poll later ones.
#include <algorithm>

#include "runtime/gateway/channels/app_signature.hpp"
#include "runtime/gateway/gateway_context.hpp"

namespace sb::gateway {

namespace {

void answer_chat(context& ctx, httplib::Response& res, const std::string& channel,
                 const std::string& person, const std::string& text, const std::string& client_id) {
  auto outcome = deliver_chat(ctx, channel, person, text, client_id, ctx.cfg.gateway_reply_wait);
  if (!outcome) {
    send_error(res, outcome.err());
    return;
  }
  if (!outcome->accepted) {
    send_json(
        res, 202,
        {{"conversation_id", nullptr}, {"replies", nlohmann::json::array()}, {"pending", true}});
    return;
  }
  const auto& a = *outcome->accepted;
  nlohmann::json replies = nlohmann::json::array();
  for (const auto& r : a.replies) {
    replies.push_back(to_json(r));
  }
  send_json(res, 200,
            {{"conversation_id", a.conversation_id},
             {"seq", a.seq},
             {"duplicate", a.duplicate},
             {"status", a.status},
             {"replies", replies}});
}

// Reads {id_key, "text", "client_msg_id"} and answers with the replies.
void post_message(context& ctx, const httplib::Request& req, httplib::Response& res,
                  const std::string& channel, const char* id_key) {
  auto body = json_body(req, res);
  if (!body) {
    count_intake(channel, "rejected");
    return;
  }
  auto person = required_string(*body, id_key, res, true);
  auto text = person ? required_string(*body, "text", res, false) : std::nullopt;
  auto client_id = text ? required_string(*body, "client_msg_id", res, true) : std::nullopt;
  if (!client_id) {
    count_intake(channel, "rejected");
    return;
  }
  if (text->size() > 4000) {
    count_intake(channel, "rejected");
    send_error(res, 400, "text_too_long", "'text' may hold at most 4000 bytes");
    return;
  }
  answer_chat(ctx, res, channel, *person, *text, *client_id);
}

int64_t parse_int(const std::string& s, int64_t fallback) {
  if (s.empty() || s.size() > 18 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return fallback;
  }
  return std::stoll(s);
}

// GET ...?{id_param}=X&after=SEQ&wait_ms=N: messages to the person after SEQ, waiting up to N ms.
void poll_messages(context& ctx, const httplib::Request& req, httplib::Response& res,
                   const std::string& channel, const char* id_param) {
  auto person = req.get_param_value(id_param);
  if (person.empty()) {
    send_error(res, 400, "missing_field", std::string{"'"} + id_param + "' is required");
    return;
  }
  auto after = parse_int(req.get_param_value("after"), -1);
  auto wait_ms = parse_int(req.get_param_value("wait_ms"), -1);
  if ((req.has_param("after") && after < 0) || (req.has_param("wait_ms") && wait_ms < 0)) {
    send_error(res, 400, "invalid_field", "'after' and 'wait_ms' must be non-negative integers");
    return;
  }
  after = std::max<int64_t>(after, 0);
  auto wait = std::min(std::chrono::milliseconds{std::max<int64_t>(wait_ms, 0)},
                       ctx.cfg.gateway_longpoll_max);
  auto identity = channel + ":" + person;
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto seen = ctx.outbound.version(identity);
    schemas::conversation_control poll;
    poll.action = "poll";
    poll.after_seq = after;
    auto reply =
        ctx.n.message_bus().request_sync(make_envelope(schemas::address{"conversation", identity},
                                                       poll, ctx.n.node_clock().now_ms()),
                                         ctx.cfg.bus_request_timeout);
    if (!reply) {
      send_error(res, reply.err());
      return;
    }
    auto msgs = open_envelope<schemas::conversation_messages>(*reply);
    if (!msgs) {
      send_error(res, msgs.err());
      return;
    }
    auto now = std::chrono::steady_clock::now();
    if (!msgs->messages.empty() || now >= deadline) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& m : msgs->messages) {
        out.push_back(to_json(m));
      }
      send_json(res, 200,
                {{"conversation_id", msgs->conversation_id},
                 {"status", msgs->status},
                 {"messages", out}});
      return;
    }
    ctx.outbound.wait(identity, seen,
                      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
  }
}

// The app channel signs every request: X-SB-Timestamp and X-SB-Signature over "ts.body" (POST)
// or "ts.query" (GET); a signature is accepted once.
bool verify_app(context& ctx, const httplib::Request& req, httplib::Response& res,
                const std::string& signed_text) {
  if (ctx.cfg.channels_app_secret.empty()) {
    send_error(res, 403, "disabled", "the app channel is off: set channels.app.secret");
    return false;
  }
  auto ts = req.get_header_value("X-SB-Timestamp");
  auto sig = req.get_header_value("X-SB-Signature");
  auto now_s = ctx.n.node_clock().now_ms() / 1000;
  auto ok = channels::verify_app_request(ctx.cfg.channels_app_secret, ts, sig, signed_text, now_s,
                                         ctx.cfg.channels_max_skew.count() / 1000);
  if (!ok) {
    count_intake("app", "unauthorized");
    send_error(res, 401, "bad_signature", ok.err().message);
    return false;
  }
  auto fresh = ctx.n.state_store().put_if_absent(channels::replay_key(sig), ts,
                                                 2 * ctx.cfg.channels_max_skew.count());
  if (!fresh) {
    send_error(res, fresh.err());
    return false;
  }
  if (!*fresh) {
    count_intake("app", "replayed");
    send_error(res, 401, "replayed", "this signed request was already used");
    return false;
  }
  return true;
}

}  // namespace

void add_chat_routes(httplib::Server& server, context& ctx) {
  server.Post("/v1/web/messages", [&ctx](const httplib::Request& req, httplib::Response& res) {
    post_message(ctx, req, res, "web", "visitor_id");
  });
  server.Get("/v1/web/messages", [&ctx](const httplib::Request& req, httplib::Response& res) {
    poll_messages(ctx, req, res, "web", "visitor_id");
  });
  server.Post("/v1/app/messages", [&ctx](const httplib::Request& req, httplib::Response& res) {
    if (verify_app(ctx, req, res, req.body)) {
      post_message(ctx, req, res, "app", "user_id");
    }
  });
  server.Get("/v1/app/messages", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto q = req.target.find('?');
    auto query = q == std::string::npos ? std::string{} : req.target.substr(q + 1);
    if (verify_app(ctx, req, res, query)) {
      poll_messages(ctx, req, res, "app", "user_id");
    }
  });
}

}  // namespace sb::gateway
