// What operators ask a node beyond one actor: what the node is (GET /v1/node) and the live tail
// of its events (GET /v1/events/stream), for `sbctl nodes` and `sbctl events --follow`.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>

#include "runtime/config/node_config.hpp"
#include "runtime/event_lines.hpp"
#include "runtime/gateway/gateway_context.hpp"

namespace sb::gateway {

namespace {

using clock_type = std::chrono::steady_clock;

// The node process's start, for uptime (one node per process).
const clock_type::time_point process_start = clock_type::now();

void get_node(context& ctx, const httplib::Request&, httplib::Response& res) {
  auto s = ctx.n.stats();
  nlohmann::json by_kind = nlohmann::json::object();
  for (const auto& [kind, n] : s.live_by_kind) {
    by_kind[kind] = n;
  }
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(clock_type::now() - process_start).count();
  nlohmann::json cluster = nullptr;
  if (auto c = ctx.n.cluster_status(false)) {
    nlohmann::json gateways = nlohmann::json::object();
    for (const auto& [node_id, info] : c->member_infos) {
      auto j = nlohmann::json::parse(info, nullptr, false);
      if (j.is_object() && j.contains("gateway") && j["gateway"].is_string()) {
        gateways[node_id] = j["gateway"];
      }
    }
    cluster = {{"members", c->members},
               {"member_gateways", gateways},
               {"partitions", c->partitions},
               {"partitions_held", c->leases.size()},
               {"intake_in_flight", c->intake_in_flight},
               {"intake_applied", c->intake_applied},
               {"intake_redelivered", c->intake_redelivered},
               {"nats_connected", c->publisher.connected && c->subscriber.connected},
               {"nats_reconnects", c->publisher.reconnects + c->subscriber.reconnects}};
  }
  send_json(res, 200,
            {{"nodes",
              {{{"node_id", ctx.cfg.node_id},
                {"cluster", cluster},
                {"version", SB_VERSION},
                {"state", ctx.n.draining() ? "draining" : "ready"},
                {"uptime_s", uptime},
                {"store", std::string{ctx.n.state_store().kind()}},
                {"bus", ctx.cfg.bus_kind},
                {"live_actors", s.live_actors},
                {"live_by_kind", by_kind},
                {"mailbox_backlog", s.mailbox_total},
                {"mailbox_max", s.mailbox_max},
                {"messages_handled", s.messages_handled},
                {"activations", s.activations},
                {"passivations", s.passivations},
                {"timers_fired", s.timers_fired},
                {"handler_errors", s.handler_errors}}}}});
}

// Events waiting for one stream's writer; the bus thread pushes, the HTTP thread pops.
struct event_queue {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::string> lines;
  size_t dropped = 0;
  static constexpr size_t max_lines = 10'000;  // a slow reader loses the oldest, never the node
};

void stream_events(context& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string pattern = req.has_param("type") ? req.get_param_value("type") : ">";
  if (pattern.empty() || pattern.size() > 200) {
    send_error(res, 400, "invalid_field", "type must be a topic pattern such as order.* or >");
    return;
  }
  auto queue = std::make_shared<event_queue>();
  auto id = ctx.n.message_bus().subscribe(
      pattern, [queue](const std::string& topic, const schemas::envelope& env) {
        auto line = event_line(topic, env) + "\n";
        std::lock_guard<std::mutex> guard{queue->mutex};
        if (queue->lines.size() >= event_queue::max_lines) {
          queue->lines.pop_front();
          ++queue->dropped;
        }
        queue->lines.push_back(std::move(line));
        queue->cv.notify_one();
      });
  auto& n = ctx.n;
  res.set_chunked_content_provider(
      "application/x-ndjson",
      [queue, &n](size_t, httplib::DataSink& sink) {
        std::unique_lock<std::mutex> lock{queue->mutex};
        queue->cv.wait_for(lock, std::chrono::seconds(1), [&] { return !queue->lines.empty(); });
        auto lines = std::exchange(queue->lines, {});
        lock.unlock();
        if (lines.empty()) {
          // A blank line now and then shows a dead reader (the write fails) and keeps proxies
          // from closing an idle stream.
          lines.emplace_back("\n");
        }
        for (const auto& l : lines) {
          if (!sink.write(l.data(), l.size())) {
            return false;
          }
        }
        if (n.draining()) {
          sink.done();
        }
        return true;
      },
      [id, &n](bool) { n.message_bus().unsubscribe(id); });
}

void get_topics(context& ctx, const httplib::Request& req, httplib::Response& res) {
  std::chrono::milliseconds since{3'600'000};
  if (req.has_param("since")) {
    auto d = parse_duration(req.get_param_value("since"));
    if (!d || d->count() <= 0) {
      send_error(res, 400, "invalid_field", "since must be a duration such as 15m, 1h or 1d");
      return;
    }
    since = *d;
  }
  size_t limit = 10;
  if (req.has_param("limit")) {
    const auto& text = req.get_param_value("limit");
    if (text.empty() || text.size() > 3 ||
        text.find_first_not_of("0123456789") != std::string::npos || std::stoi(text) < 1) {
      send_error(res, 400, "invalid_field", "limit must be a whole number from 1 to 999");
      return;
    }
    limit = static_cast<size_t>(std::stoi(text));
  }
  const auto from = ctx.n.node_clock().now_ms() - since.count();
  auto hot = ctx.topics.top(from, limit);
  auto list = [](const std::vector<topic_tracker::ranked>& r) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& x : r) {
      out.push_back({{"name", x.name}, {"count", x.count}});
    }
    return out;
  };
  send_json(res, 200,
            {{"since_ms", from},
             {"messages", hot.messages},
             {"intents", list(hot.intents)},
             {"products", list(hot.products)},
             {"words", list(hot.words)}});
}

}  // namespace

void add_operator_routes(httplib::Server& server, context& ctx) {
  auto guarded = [&ctx](void (*handler)(context&, const httplib::Request&, httplib::Response&)) {
    return [&ctx, handler](const httplib::Request& req, httplib::Response& res) {
      if (require_bearer(req, res, ctx.cfg.admin_token, "admin.token")) {
        handler(ctx, req, res);
      }
    };
  };
  server.Get("/v1/node", guarded(get_node));
  server.Get("/v1/events/stream", guarded(stream_events));
  server.Get("/v1/topics", guarded(get_topics));
}

}  // namespace sb::gateway
