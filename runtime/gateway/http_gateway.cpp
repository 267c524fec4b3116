#include "runtime/gateway/http_gateway.hpp"

#include <thread>

#include "runtime/gateway/channels/wechat_customer_service.hpp"
#include "runtime/gateway/event_metrics.hpp"
#include "runtime/gateway/gateway_context.hpp"
#include "runtime/gateway/nats_admin.hpp"
#include "runtime/logging.hpp"

namespace sb {

namespace {

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

gateway::outbound_dispatcher::wechat_sender make_wechat_sender(node& n) {
  const auto& cfg = n.config();
  if (cfg.channels_wechat_app_id.empty() || cfg.channels_wechat_app_secret.empty()) {
    return [](const std::string&, const std::string&) -> result<void> {
      return error{errc::invalid_argument,
                   "channels.wechat.app_id and app_secret are needed to send later messages"};
    };
  }
  channels::wechat_cs_config wc;
  wc.base_url = cfg.channels_wechat_api_base;
  wc.app_id = cfg.channels_wechat_app_id;
  wc.app_secret = cfg.channels_wechat_app_secret;
  auto made = channels::wechat_cs_client::create(std::move(wc), n.node_clock());
  if (!made) {
    auto err = made.err();
    return [err](const std::string&, const std::string&) -> result<void> { return err; };
  }
  auto client = std::make_shared<channels::wechat_cs_client>(std::move(*made));
  return [client](const std::string& openid, const std::string& text) {
    return client->send_text(openid, text);
  };
}

}  // namespace

struct http_gateway::impl {
  node& n;
  gateway::outbound_dispatcher outbound;
  gateway::topic_feed topics;
  gateway::context ctx;
  gateway::event_metrics events;
  httplib::Server server;
  std::thread thread;
  std::unique_ptr<gateway::nats_admin> admin;  // sbctl --nats; cluster nodes only
  int port = 0;
  bool stopped = false;

  explicit impl(node& nd)
      : n(nd),
        outbound(nd.message_bus(), make_wechat_sender(nd)),
        topics(nd.message_bus()),
        ctx{nd, nd.config(), outbound, topics},
        events(nd.message_bus()) {}

  void routes() {
    gateway::add_admin_routes(server, ctx);
    gateway::add_chat_routes(server, ctx);
    gateway::add_wechat_routes(server, ctx);
    gateway::add_event_routes(server, ctx);
    gateway::add_agent_routes(server, ctx);
    gateway::add_marketing_routes(server, ctx);
    gateway::add_operator_routes(server, ctx);
    gateway::add_cluster_routes(server, ctx);
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) {
        auto code = res.status == 404   ? "not_found"
                    : res.status == 413 ? "payload_too_large"
                                        : "http_error";
        gateway::send_error(res, res.status, code, "HTTP " + std::to_string(res.status));
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
          gateway::send_error(res, 500, "internal", what);
        });
  }
};

http_gateway::http_gateway(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

result<std::unique_ptr<http_gateway>> http_gateway::start(node& n) {
  const auto& cfg = n.config();
  auto hp = split_listen(cfg.gateway_listen);
  if (!hp) {
    return error{errc::invalid_argument,
                 "gateway.listen must be host:port, got '" + cfg.gateway_listen + "'"};
  }
  auto p = std::make_unique<impl>(n);
  auto threads = static_cast<size_t>(cfg.gateway_threads);
  p->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  p->server.set_payload_max_length(static_cast<size_t>(cfg.gateway_max_body_bytes));
  // Small answers on kept-open connections otherwise wait for Nagle's delay (~30 ms each, measured
  // with sbbench).
  p->server.set_tcp_nodelay(true);
  p->routes();
  if (hp->second == 0) {
    p->port = p->server.bind_to_any_port(hp->first);
  } else {
    p->port = p->server.bind_to_port(hp->first, hp->second) ? hp->second : -1;
  }
  if (p->port <= 0) {
    return error{errc::invalid_argument, "cannot listen on " + cfg.gateway_listen};
  }
  p->events.start();
  p->topics.start();
  auto* raw = p.get();
  p->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  get_logger("gateway")->info("listening on http://{}:{}", hp->first, p->port);
  n.announce_gateway("http://" + hp->first + ":" + std::to_string(p->port));
  if (cfg.bus_kind == "nats") {
    p->admin = gateway::nats_admin::start(cfg, hp->first, p->port);
  }
  return std::unique_ptr<http_gateway>{new http_gateway(std::move(p))};
}

http_gateway::~http_gateway() {
  stop();
}

int http_gateway::port() const {
  return impl_->port;
}

void http_gateway::stop() {
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  if (impl_->admin) {
    impl_->admin->stop();  // Its requests go through the server below.
  }
  impl_->events.stop();
  impl_->topics.stop();
  impl_->outbound.stop();
  impl_->server.stop();
  if (impl_->thread.joinable()) {
    impl_->thread.join();
  }
}

}  // namespace sb
