// What a node knows of the cluster: its partition leases (GET /v1/partitions) and its live
// actors (GET /v1/actors?kind=K&limit=N), for `sbctl partitions` and `sbctl actors`.
#include <algorithm>
#include <chrono>
#include <thread>

#include "runtime/gateway/gateway_context.hpp"

namespace sb::gateway {

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void get_partitions(context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto st = ctx.n.cluster_status(false);
  if (!st) {
    // An embedded node is the whole "cluster": one partition, its own.
    send_json(res, 200,
              {{"node_id", ctx.cfg.node_id},
               {"bus", ctx.cfg.bus_kind},
               {"partitions", 1},
               {"members", {ctx.cfg.node_id}},
               {"leases", nlohmann::json::array()},
               {"owners", {{{"partition", 0}, {"owner", ctx.cfg.node_id}, {"lag", 0}}}}});
    return;
  }
  nlohmann::json owners = nullptr;
  if (req.get_param_value("all") == "1") {
    owners = nlohmann::json::array();
    const auto all = ctx.n.partition_owners().value_or(std::vector<cluster::partition_owner>{});
    for (const auto& o : all) {
      owners.push_back({{"partition", o.partition}, {"owner", o.owner}, {"lag", o.lag}});
    }
  }
  auto now = wall_ms();
  nlohmann::json leases = nlohmann::json::array();
  for (const auto& l : st->leases) {
    leases.push_back({{"partition", l.partition},
                      {"token", l.token},
                      {"held_for_ms", now - l.taken_at_ms},
                      {"renewed_ms_ago", now - l.renewed_at_ms}});
  }
  send_json(res, 200,
            {{"node_id", ctx.cfg.node_id},
             {"bus", ctx.cfg.bus_kind},
             {"partitions", st->partitions},
             {"members", st->members},
             {"intake_in_flight", st->intake_in_flight},
             {"leases", leases},
             {"owners", owners}});
}

void get_actors(context& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string kind = req.get_param_value("kind");
  if (kind.size() > 64 ||
      kind.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
    send_error(res, 400, "invalid_field", "kind must be an actor kind such as conversation");
    return;
  }
  size_t limit = 100;
  if (req.has_param("limit")) {
    const auto& text = req.get_param_value("limit");
    if (text.empty() || text.size() > 7 ||
        text.find_first_not_of("0123456789") != std::string::npos || std::stoll(text) < 1) {
      send_error(res, 400, "invalid_field", "limit must be a whole number from 1 to 9999999");
      return;
    }
    limit = static_cast<size_t>(std::stoll(text));
  }
  const std::string top = req.has_param("top") ? req.get_param_value("top") : "recent";
  if (top != "recent" && top != "mailbox" && top != "age" && top != "messages") {
    send_error(res, 400, "invalid_field", "top must be recent, mailbox, age or messages");
    return;
  }
  auto live = ctx.n.live_actors(kind);
  // recent: most recently active first; mailbox: longest wait queue; age: activated longest ago;
  // messages: most messages handled since activation. Ties go to the most recently active.
  auto order = [&top](const live_actor_info& a, const live_actor_info& b) {
    if (top == "mailbox" && a.mailbox_depth != b.mailbox_depth) {
      return a.mailbox_depth > b.mailbox_depth;
    }
    if (top == "age" && a.activated_at_ms != b.activated_at_ms) {
      return a.activated_at_ms < b.activated_at_ms;
    }
    if (top == "messages" && a.messages_handled != b.messages_handled) {
      return a.messages_handled > b.messages_handled;
    }
    return a.last_active_ms > b.last_active_ms;
  };
  const size_t shown = std::min(limit, live.size());
  std::partial_sort(live.begin(), live.begin() + static_cast<std::ptrdiff_t>(shown), live.end(),
                    order);
  const auto now = ctx.n.node_clock().now_ms();
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < shown; ++i) {
    out.push_back({{"kind", live[i].addr.kind},
                   {"key", live[i].addr.key},
                   {"activated_at_ms", live[i].activated_at_ms},
                   {"last_active_ms", live[i].last_active_ms},
                   {"age_s", static_cast<double>(now - live[i].activated_at_ms) / 1000.0},
                   {"messages_handled", live[i].messages_handled},
                   {"mailbox_depth", live[i].mailbox_depth}});
  }
  send_json(res, 200,
            {{"node_id", ctx.cfg.node_id}, {"total", live.size()}, {"top", top}, {"actors", out}});
}

// Starts the node's drain (a cluster node hands its partitions over first) and answers at once;
// the process keeps serving /readyz (503 now) until it is stopped.
void post_drain(context& ctx, const httplib::Request&, httplib::Response& res) {
  auto st = ctx.n.cluster_status(false);
  const auto held = st ? static_cast<int64_t>(st->leases.size()) : 0;
  if (!ctx.n.draining()) {
    std::thread([&n = ctx.n] { n.drain(); }).detach();
  }
  send_json(res, 202, {{"node_id", ctx.cfg.node_id}, {"draining", true}, {"partitions", held}});
}

}  // namespace

void add_cluster_routes(httplib::Server& server, context& ctx) {
  auto guarded = [&ctx](void (*handler)(context&, const httplib::Request&, httplib::Response&)) {
    return [&ctx, handler](const httplib::Request& req, httplib::Response& res) {
      if (require_bearer(req, res, ctx.cfg.admin_token, "admin.token")) {
        handler(ctx, req, res);
      }
    };
  };
  server.Get("/v1/partitions", guarded(get_partitions));
  server.Post("/v1/node/drain", guarded(post_drain));
  server.Get("/v1/actors", guarded(get_actors));
}

}  // namespace sb::gateway
