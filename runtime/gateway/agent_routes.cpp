// The agent desk API: presence, the handoff queue, taking a conversation, replying, closing.
#include "runtime/gateway/gateway_context.hpp"
#include "runtime/json_codec.hpp"
#include "schemas/agent_pool.hpp"
#include "schemas/handoff.hpp"

namespace sb::gateway {

namespace {

const schemas::address pool_address{"agent_pool", "default"};

result<schemas::pool_reply> ask_pool(context& ctx, schemas::pool_command cmd) {
  cmd.at_ms = ctx.n.node_clock().now_ms();
  auto reply = ctx.n.message_bus().request_sync(make_envelope(pool_address, cmd, cmd.at_ms),
                                                ctx.cfg.bus_request_timeout);
  if (!reply) {
    return reply.err();
  }
  return open_envelope<schemas::pool_reply>(*reply);
}

int pool_status(const std::string& code) {
  if (code == "not_found") {
    return 404;
  }
  if (code == "invalid_argument") {
    return 400;
  }
  return 409;  // any other refusal: the desk's state does not allow it now
}

// Sends a control command to the conversation named by `id` ("channel:person#session").
result<schemas::envelope> control(context& ctx, const std::string& id,
                                  schemas::conversation_control cmd) {
  auto split = split_conversation_id(id);
  if (!split) {
    return error{errc::invalid_argument, "conversation id must look like web:v-1#2"};
  }
  cmd.session = split->second;
  return ctx.n.message_bus().request_sync(
      make_envelope(schemas::address{"conversation", split->first}, cmd,
                    ctx.n.node_clock().now_ms()),
      ctx.cfg.bus_request_timeout);
}

void put_agent(context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = json_body(req, res);
  if (!body) {
    return;
  }
  schemas::pool_command cmd;
  cmd.action = "agent";
  cmd.agent_id = req.matches[1];
  cmd.name = cmd.agent_id;
  cmd.presence = "online";
  cmd.max_chats = 3;
  // json::value() throws on a field of another type: check the types first.
  for (auto [key, out] : {std::pair{"name", &cmd.name}, std::pair{"presence", &cmd.presence}}) {
    if (auto v = body->find(key); v != body->end()) {
      if (!v->is_string()) {
        send_error(res, 400, "invalid_field", std::string{"'"} + key + "' must be a string");
        return;
      }
      *out = v->get<std::string>();
    }
  }
  if (auto v = body->find("max_chats"); v != body->end()) {
    if (!v->is_number_integer()) {
      send_error(res, 400, "invalid_field", "'max_chats' must be a whole number");
      return;
    }
    cmd.max_chats = v->get<int64_t>();
  }
  if (auto s = body->find("skills"); s != body->end()) {
    if (!s->is_array()) {
      send_error(res, 400, "invalid_field", "'skills' must be a list of strings");
      return;
    }
    for (const auto& skill : *s) {
      if (!skill.is_string()) {
        send_error(res, 400, "invalid_field", "'skills' must be a list of strings");
        return;
      }
      cmd.skills.push_back(skill.get<std::string>());
    }
  }
  auto reply = ask_pool(ctx, cmd);
  if (!reply) {
    send_error(res, reply.err());
  } else if (!reply->ok) {
    send_error(res, pool_status(reply->error_code), reply->error_code, reply->message);
  } else {
    send_json(res, 200, nlohmann::json::parse(reply->json, nullptr, false));
  }
}

void get_handoffs(context& ctx, const httplib::Request& req, httplib::Response& res) {
  schemas::pool_command cmd;
  cmd.action = "snapshot";
  auto reply = ctx.n.message_bus().request_sync(
      make_envelope(pool_address, cmd, ctx.n.node_clock().now_ms()), ctx.cfg.bus_request_timeout);
  if (!reply) {
    send_error(res, reply.err());
    return;
  }
  auto pool = open_envelope<schemas::pool_reply>(*reply);
  if (!pool) {
    send_error(res, pool.err());
    return;
  }
  auto snapshot = nlohmann::json::parse(pool->json, nullptr, false);
  auto status = req.get_param_value("status");
  nlohmann::json out = snapshot;
  if (status == "waiting" && snapshot.contains("waiting")) {
    // Waiting for a person: queued, or offered to an agent who has not accepted yet.
    nlohmann::json handoffs = nlohmann::json::array();
    for (auto h : snapshot["waiting"]) {
      h["offered_to"] = nullptr;
      handoffs.push_back(std::move(h));
    }
    for (auto h : snapshot.value("offered", nlohmann::json::array())) {
      h["position"] = nullptr;
      handoffs.push_back(std::move(h));
    }
    out = {{"handoffs", handoffs}};
  } else if (!status.empty() && status != "all") {
    send_error(res, 400, "invalid_field", "status must be 'waiting' or 'all'");
    return;
  }
  send_json(res, 200, out);
}

void accept(context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = json_body(req, res);
  auto agent = body ? required_string(*body, "agent_id", res, true) : std::nullopt;
  if (!agent) {
    return;
  }
  std::string id = req.matches[1];
  schemas::pool_command cmd;
  cmd.action = "accept";
  cmd.conversation_id = id;
  cmd.agent_id = *agent;
  auto pooled = ask_pool(ctx, cmd);
  if (!pooled) {
    send_error(res, pooled.err());
    return;
  }
  if (!pooled->ok) {
    // The request was well-formed: the pool refused because the conversation is offered to or
    // taken by another agent, or not offered yet.
    if (pooled->error_code == "invalid_argument") {
      send_error(res, 409, "conflict", pooled->message);
    } else {
      send_error(res, pool_status(pooled->error_code), pooled->error_code, pooled->message);
    }
    return;
  }
  schemas::conversation_control take;
  take.action = "accept";
  take.agent_id = *agent;
  auto reply = control(ctx, id, take);
  if (!reply) {
    send_error(res, reply.err());
    return;
  }
  auto context_msg = open_envelope<schemas::handoff_context>(*reply);
  if (!context_msg) {
    send_error(res, context_msg.err());
    return;
  }
  context_msg->waited_ms = pooled->waited_ms;
  send_json(res, 200, nlohmann::json::parse(::sb::to_json(*context_msg), nullptr, false));
}

void agent_message(context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = json_body(req, res);
  auto agent = body ? required_string(*body, "agent_id", res, true) : std::nullopt;
  auto text = agent ? required_string(*body, "text", res, false) : std::nullopt;
  if (!text) {
    return;
  }
  auto split = split_conversation_id(req.matches[1]);
  if (!split) {
    send_error(res, 400, "invalid_field", "conversation id must look like web:v-1#2");
    return;
  }
  schemas::agent_message msg{*agent, *text};
  auto reply =
      ctx.n.message_bus().request_sync(make_envelope(schemas::address{"conversation", split->first},
                                                     msg, ctx.n.node_clock().now_ms()),
                                       ctx.cfg.bus_request_timeout);
  if (!reply) {
    send_error(res, reply.err());
    return;
  }
  auto msgs = open_envelope<schemas::conversation_messages>(*reply);
  if (!msgs || msgs->messages.empty()) {
    send_error(res, 500, "internal", "the conversation did not confirm the message");
    return;
  }
  send_json(
      res, 200,
      {{"conversation_id", msgs->conversation_id}, {"message", to_json(msgs->messages.back())}});
}

// GET /v1/conversations/{id}/messages?after=SEQ: every line (the person's too), for the agent.
void transcript(context& ctx, const httplib::Request& req, httplib::Response& res) {
  schemas::conversation_control cmd;
  cmd.action = "transcript";
  auto after = req.get_param_value("after");
  if (!after.empty()) {
    if (after.size() > 18 || after.find_first_not_of("0123456789") != std::string::npos) {
      send_error(res, 400, "invalid_field", "'after' must be a non-negative integer");
      return;
    }
    cmd.after_seq = std::stoll(after);
  }
  auto reply = control(ctx, req.matches[1], cmd);
  if (!reply) {
    send_error(res, reply.err());
    return;
  }
  auto msgs = open_envelope<schemas::conversation_messages>(*reply);
  if (!msgs) {
    send_error(res, msgs.err());
    return;
  }
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& m : msgs->messages) {
    lines.push_back(to_json(m));
  }
  send_json(
      res, 200,
      {{"conversation_id", msgs->conversation_id}, {"status", msgs->status}, {"messages", lines}});
}

void close(context& ctx, const httplib::Request& req, httplib::Response& res) {
  std::string id = req.matches[1];
  schemas::conversation_control cmd;
  cmd.action = "close";
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_object() && body.contains("agent_id") && body["agent_id"].is_string()) {
    cmd.agent_id = body["agent_id"].get<std::string>();
  }
  auto reply = control(ctx, id, cmd);
  if (!reply) {
    send_error(res, reply.err());
    return;
  }
  schemas::pool_command done;
  done.action = "close";
  done.conversation_id = id;
  (void)ask_pool(ctx, done);  // Unknown to the pool (never handed off) is fine.
  auto msgs = open_envelope<schemas::conversation_messages>(*reply);
  send_json(res, 200, {{"conversation_id", id}, {"status", msgs ? msgs->status : "bot"}});
}

}  // namespace

void add_agent_routes(httplib::Server& server, context& ctx) {
  auto guarded = [&ctx](auto handler) {
    return [&ctx, handler](const httplib::Request& req, httplib::Response& res) {
      if (require_bearer(req, res, ctx.cfg.admin_token, "admin.token")) {
        handler(ctx, req, res);
      }
    };
  };
  server.Put(R"(/v1/agents/([^/]+))", guarded(put_agent));
  server.Get("/v1/handoffs", guarded(get_handoffs));
  server.Post(R"(/v1/handoffs/([^/]+)/accept)", guarded(accept));
  server.Post(R"(/v1/conversations/([^/]+)/agent-messages)", guarded(agent_message));
  server.Post(R"(/v1/conversations/([^/]+)/close)", guarded(close));
  server.Get(R"(/v1/conversations/([^/]+)/messages)", guarded(transcript));
}

}  // namespace sb::gateway
