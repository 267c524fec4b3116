#include "runtime/gateway/http_gateway.hpp"

#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "runtime/logging.hpp"
#include "runtime/message_types.hpp"
#include "runtime/metrics.hpp"

namespace sb {

namespace {

int http_status(errc code) {
  switch (code) {
    case errc::invalid_argument:
    case errc::decode_malformed:
    case errc::decode_truncated:
    case errc::decode_incompatible:
    case errc::decode_wrong_type:
    case errc::unexpected_type: return 400;
    case errc::not_found:
    case errc::unknown_kind: return 404;
    case errc::timeout: return 504;
    case errc::shutting_down:
    case errc::store_unavailable: return 503;
    default: return 500;
  }
}

void send_error(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  nlohmann::json body{{"error", {{"code", code}, {"message", message}}}};
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, const error& err) {
  send_error(res, http_status(err.code), to_string(err.code), err.message);
}

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
  set("sb_timers_fired", "Durable timers fired since start", s.timers_fired);
  set("sb_store_errors", "Store calls that failed since start", s.store_errors);
  if (auto pending = n.timers().pending_count()) {
    set("sb_timers_pending", "Durable timers armed in the store", *pending);
  }
}

std::optional<std::pair<std::string, int>> split_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  try {
    return std::make_pair(listen.substr(0, colon), std::stoi(listen.substr(colon + 1)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

struct http_gateway::impl {
  node& n;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  bool stopped = false;

  explicit impl(node& nd) : n(nd) {}

  bool authorized(const httplib::Request& req, httplib::Response& res) const {
    const auto& token = n.config().admin_token;
    if (token.empty()) {
      send_error(res, 403, "admin_disabled", "the admin API is off: set admin.token to enable it");
      return false;
    }
    if (req.get_header_value("Authorization") != "Bearer " + token) {
      send_error(res, 401, "unauthorized", "missing or wrong bearer token");
      return false;
    }
    return true;
  }

  void routes() {
    server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"status":"ok"})", "application/json");
    });
    server.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
      if (n.draining()) {
        send_error(res, 503, "draining", "the node is draining");
        return;
      }
      res.set_content(R"({"status":"ready"})", "application/json");
    });
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      publish_node_metrics(n);
      res.set_content(metrics::registry::global().render(), "text/plain; version=0.0.4");
    });
    server.Get(R"(/v1/actors/([^/]+)/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) {
                 if (!authorized(req, res)) {
                   return;
                 }
                 auto json = n.inspect({req.matches[1], req.matches[2]});
                 if (!json) {
                   send_error(res, json.err());
                   return;
                 }
                 res.set_content(*json, "application/json");
               });
    server.Post(R"(/v1/actors/([^/]+)/([^/]+)/messages)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  if (authorized(req, res)) {
                    deliver(req, res, {req.matches[1], req.matches[2]});
                  }
                });
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) {
        auto code = res.status == 404 ? "not_found"
                    : res.status == 413 ? "payload_too_large"
                                        : "http_error";
        send_error(res, res.status, code, "HTTP " + std::to_string(res.status));
      }
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
          std::string what = "unexpected error";
          try {
            std::rethrow_exception(ep);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          get_logger("gateway")->error("request failed: {}", what);
          send_error(res, 500, "internal", what);
        });
  }

  // POST /v1/actors/{kind}/{key}/messages {"type": "...", "message": {...}, "msg_id": "..."}
  void deliver(const httplib::Request& req, httplib::Response& res, schemas::address to) {
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      send_error(res, 400, "invalid_json", "the body must be a JSON object");
      return;
    }
    if (!body.contains("type") || !body["type"].is_string()) {
      send_error(res, 400, "missing_field", "'type' (a message type name) is required");
      return;
    }
    auto type = body["type"].get<std::string>();
    auto message = body.contains("message") ? body["message"] : nlohmann::json::object();
    auto payload = payload_from_json(type, message.dump());
    if (!payload) {
      send_error(res, payload.err());
      return;
    }
    schemas::envelope env;
    env.msg_id = body.contains("msg_id") && body["msg_id"].is_string()
                     ? body["msg_id"].get<std::string>()
                     : new_msg_id();
    env.to = std::move(to);
    env.type = type;
    env.payload.data = std::move(*payload);
    env.sent_at_ms = n.node_clock().now_ms();
    auto reply = n.message_bus().request_sync(std::move(env), n.config().bus_request_timeout);
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
    res.set_content(out.dump(), "application/json");
  }
};

http_gateway::http_gateway(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

result<std::unique_ptr<http_gateway>> http_gateway::start(node& n) {
  const auto& cfg = n.config();
  auto hp = split_listen(cfg.gateway_listen);
  if (!hp) {
    return error{errc::invalid_argument, "gateway.listen must be host:port, got '" +
                                             cfg.gateway_listen + "'"};
  }
  auto p = std::make_unique<impl>(n);
  auto threads = static_cast<size_t>(cfg.gateway_threads);
  p->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  p->server.set_payload_max_length(static_cast<size_t>(cfg.gateway_max_body_bytes));
  p->routes();
  if (hp->second == 0) {
    p->port = p->server.bind_to_any_port(hp->first);
  } else {
    p->port = p->server.bind_to_port(hp->first, hp->second) ? hp->second : -1;
  }
  if (p->port <= 0) {
    return error{errc::invalid_argument, "cannot listen on " + cfg.gateway_listen};
  }
  auto* raw = p.get();
  p->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  get_logger("gateway")->info("listening on http://{}:{}", hp->first, p->port);
  return std::unique_ptr<http_gateway>{new http_gateway(std::move(p))};
}

http_gateway::~http_gateway() { stop(); }

int http_gateway::port() const { return impl_->port; }

void http_gateway::stop() {
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  impl_->server.stop();
  if (impl_->thread.joinable()) {
    impl_->thread.join();
  }
}

}  // namespace sb
