// Health, readiness, metrics and the operators' actor API.
#include "runtime/gateway/gateway_context.hpp"
#include "runtime/message_types.hpp"
#include "runtime/metrics.hpp"

namespace sb::gateway {

namespace {

// Mirrors the node's counters into the process metrics just before a scrape.
void publish_node_metrics(node& n) {
  auto& reg = metrics::registry::global();
  auto s = n.stats();
  auto set = [&](const char* name, const char* help, int64_t v) {
    reg.get_gauge(name, help).set(static_cast<double>(v));
  };
  set("sb_actors_live", "Keyed actors live on this node", s.live_actors);
  for (const auto& [kind, count] : s.live_by_kind) {
    reg.get_gauge("sb_actors_live_by_kind", "Keyed actors live on this node, by kind",
                  {{"kind", kind}})
        .set(static_cast<double>(count));
  }
  set("sb_actor_activations", "Actor activations since start", s.activations);
  set("sb_actor_passivations", "Actor passivations since start", s.passivations);
  set("sb_actor_messages_handled", "Messages handled by keyed actors since start",
      s.messages_handled);
  set("sb_actor_duplicates_dropped", "Redelivered messages recognised and dropped since start",
      s.duplicates_dropped);
  set("sb_actor_handler_errors", "Messages whose handler returned an error since start",
      s.handler_errors);
  set("sb_timers_fired", "Durable timers fired since start", s.timers_fired);
  set("sb_store_errors", "Store calls that failed since start", s.store_errors);
  if (auto pending = n.timers().pending_count()) {
    set("sb_timers_pending", "Durable timers armed in the store", *pending);
  }
}

// POST /v1/actors/{kind}/{key}/messages {"type": "...", "message": {...}, "msg_id": "..."}
void deliver(context& ctx, const httplib::Request& req, httplib::Response& res,
             schemas::address to) {
  auto body = json_body(req, res);
  if (!body) {
    return;
  }
  auto type = required_string(*body, "type", res, false);
  if (!type) {
    return;
  }
  auto message = body->contains("message") ? (*body)["message"] : nlohmann::json::object();
  auto payload = payload_from_json(*type, message.dump());
  if (!payload) {
    send_error(res, payload.err());
    return;
  }
  schemas::envelope env;
  auto id = body->find("msg_id");
  env.msg_id = id != body->end() && id->is_string() ? id->get<std::string>() : new_msg_id();
  env.to = std::move(to);
  env.type = *type;
  env.payload.data = std::move(*payload);
  env.sent_at_ms = ctx.n.node_clock().now_ms();
  auto reply = ctx.n.message_bus().request_sync(std::move(env), ctx.cfg.bus_request_timeout);
  if (!reply) {
    send_error(res, reply.err());
    return;
  }
  nlohmann::json out{{"reply_type", reply->type}, {"reply", nullptr}};
  if (!reply->type.empty()) {
    if (auto j = payload_to_json(reply->type, reply->payload.data)) {
      out["reply"] = nlohmann::json::parse(*j, nullptr, false);
    }
  }
  send_json(res, 200, out);
}

}  // namespace

void add_admin_routes(httplib::Server& server, context& ctx) {
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, {{"status", "ok"}});
  });
  server.Get("/readyz", [&ctx](const httplib::Request&, httplib::Response& res) {
    if (ctx.n.draining()) {
      send_error(res, 503, "draining", "the node is draining");
      return;
    }
    send_json(res, 200, {{"status", "ready"}});
  });
  server.Get("/metrics", [&ctx](const httplib::Request&, httplib::Response& res) {
    publish_node_metrics(ctx.n);
    res.set_content(metrics::registry::global().render(), "text/plain; version=0.0.4");
  });
  server.Get(R"(/v1/actors/([^/]+)/([^/]+))",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
               if (!require_bearer(req, res, ctx.cfg.admin_token, "admin.token")) {
                 return;
               }
               auto json = ctx.n.inspect({req.matches[1], req.matches[2]});
               if (!json) {
                 send_error(res, json.err());
                 return;
               }
               res.set_content(*json, "application/json; charset=utf-8");
             });
  server.Post(R"(/v1/actors/([^/]+)/([^/]+)/messages)",
              [&ctx](const httplib::Request& req, httplib::Response& res) {
                if (require_bearer(req, res, ctx.cfg.admin_token, "admin.token")) {
                  deliver(ctx, req, res, {req.matches[1], req.matches[2]});
                }
              });
}

}  // namespace sb::gateway
