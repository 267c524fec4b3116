// Health, readiness, metrics and the operators' actor API.
#include "runtime/cluster/partitioning.hpp"
#include "runtime/gateway/gateway_context.hpp"
#include "runtime/message_types.hpp"
#include "runtime/metrics.hpp"
#include "schemas/subjects.hpp"

#include <mutex>
#include <set>
#include <string>

namespace sb::gateway {

namespace {

// Raises a registry counter to `total`, a count the node keeps since start. The caller holds
// mirror_mutex, so two scrapes at once cannot add the same difference twice.
void mirror_counter(metrics::registry& reg, const char* name, const char* help, int64_t total) {
  auto& c = reg.get_counter(name, help);
  const double delta = static_cast<double>(total) - c.value();
  if (delta > 0) {
    c.inc(delta);
  }
}

// Header that marks an inspection passed on by another node: it is answered here, never passed on
// again (no loops while leases move).
constexpr const char* forwarded_header = "X-SB-Forwarded-By";

// On a cluster node, passes GET /v1/actors/KIND/KEY to the gateway of the node that holds the
// address's partition, so that the answer says where the actor lives and shows it live. Returns
// false (answer here) on an embedded node, for an address this node holds, when no node holds it
// or its gateway is unknown or does not answer.
bool inspect_at_owner(context& ctx, const httplib::Request& req, httplib::Response& res,
                      const schemas::address& addr) {
  if (req.has_header(forwarded_header)) {
    return false;
  }
  auto st = ctx.n.cluster_status(false);
  if (!st || st->partitions == 0 || st->members.empty()) {
    return false;
  }
  // The rendezvous owner among the members: what the leases settle on, computed here instead of
  // read from the lease bucket (one KV read per partition, too dear for every inspection). While
  // a partition moves, the node asked answers with what it has.
  const auto p = cluster::partition_of(addr, static_cast<uint32_t>(st->partitions));
  const auto owner = cluster::owner_of(p, st->members);
  auto info = st->member_infos.find(owner);
  if (owner.empty() || owner == ctx.cfg.node_id || info == st->member_infos.end()) {
    return false;
  }
  auto j = nlohmann::json::parse(info->second, nullptr, false);
  if (!j.is_object() || !j.contains("gateway") || !j["gateway"].is_string()) {
    return false;
  }
  httplib::Client owner_gateway{j["gateway"].get<std::string>()};
  owner_gateway.set_connection_timeout(2, 0);
  owner_gateway.set_read_timeout(5, 0);
  httplib::Headers headers{{forwarded_header, ctx.cfg.node_id}};
  if (req.has_header("Authorization")) {
    headers.emplace("Authorization", req.get_header_value("Authorization"));
  }
  auto answer = owner_gateway.Get(req.path, headers);
  if (!answer) {
    return false;
  }
  res.status = answer->status;
  res.set_content(answer->body, "application/json; charset=utf-8");
  return true;
}

// Returns the "state" object of an actor's status snapshot, or null if it has none yet.
nlohmann::json actor_state(node& n, const char* kind, const std::string& key) {
  auto text = n.inspect({kind, key});
  if (!text) {
    return nullptr;
  }
  auto j = nlohmann::json::parse(*text, nullptr, false);
  return j.is_object() && j.contains("state") ? j["state"] : nlohmann::json{};
}

// The agent queue and the campaigns' budgets are read from their actors' status (one request
// each) instead of being counted as events pass, so that they are right after a restart too.
void publish_actor_gauges(node& n, metrics::registry& reg) {
  auto pool = actor_state(n, schemas::kinds::agent_pool, "default");
  auto size_of = [&pool](const char* field) {
    return pool.is_object() && pool.contains(field) && pool[field].is_array()
               ? static_cast<double>(pool[field].size())
               : 0.0;
  };
  reg.get_gauge("sb_handoffs_waiting", "Conversations waiting in the agent queue, not yet offered")
      .set(size_of("waiting"));
  reg.get_gauge("sb_handoffs_offered", "Conversations offered to an agent, not yet accepted")
      .set(size_of("offered"));
  for (const auto& id : n.configured_keys(schemas::kinds::campaign)) {
    auto st = actor_state(n, schemas::kinds::campaign, id);
    if (!st.is_object()) {
      continue;
    }
    const metrics::labels l{{"campaign", id}};
    reg.get_gauge("sb_campaign_coupons_issued",
                  "Coupons a campaign has issued in all (its saved count, every node)", l)
        .set(st.value("coupons_issued", 0.0));
    // 0 or absent: no count budget, so no series for the budget alert to divide by.
    const auto budget_of = st.value("budget", nlohmann::json::object());
    if (double budget = budget_of.value("count", 0.0); budget > 0) {
      reg.get_gauge("sb_campaign_budget_coupons", "A campaign's budget of coupons (limits.budget)",
                    l)
          .set(budget);
    }
  }
}

// The cluster's side of a node: partitions, intake, NATS connection. The caller holds
// mirror_mutex.
void publish_cluster_metrics(const cluster::member_status& c, metrics::registry& reg) {
  reg.get_gauge("sb_cluster_members", "Live nodes this node sees in its cluster")
      .set(static_cast<double>(c.members.size()));
  reg.get_gauge("sb_cluster_partitions_held", "Partitions whose lease this node holds")
      .set(static_cast<double>(c.leases.size()));
  mirror_counter(reg, "sb_cluster_partitions_taken_total", "Partition leases taken since start",
                 c.partitions_taken);
  mirror_counter(reg, "sb_cluster_partitions_released_total",
                 "Partitions handed over to other nodes since start", c.partitions_released);
  mirror_counter(reg, "sb_cluster_partitions_lost_total",
                 "Partition leases lost (renewal refused or overdue) since start",
                 c.partitions_lost);
  mirror_counter(reg, "sb_intake_published_total",
                 "Messages this node wrote to the JetStream intake since start",
                 c.intake_published);
  mirror_counter(reg, "sb_intake_publish_errors_total",
                 "Intake publishes JetStream did not acknowledge since start",
                 c.intake_publish_errors);
  mirror_counter(reg, "sb_intake_applied_total",
                 "Intake messages applied by this node's actors and acked since start",
                 c.intake_applied);
  mirror_counter(reg, "sb_intake_redelivered_total",
                 "Intake messages received more than once since start", c.intake_redelivered);
  mirror_counter(reg, "sb_intake_retried_total",
                 "Intake messages given back for another try or another owner since start",
                 c.intake_naked);
  mirror_counter(reg, "sb_intake_rejected_total",
                 "Undecodable or misrouted intake messages dropped since start", c.intake_rejected);
  reg.get_gauge("sb_intake_in_flight", "Intake messages received and not yet acked")
      .set(static_cast<double>(c.intake_in_flight));
  reg.get_gauge("sb_intake_lag_messages",
                "Intake messages of this node's partitions not yet delivered (JetStream "
                "consumer lag)")
      .set(static_cast<double>(c.intake_lag));
  mirror_counter(reg, "sb_nats_reconnects_total", "Reconnections to NATS since start",
                 c.publisher.reconnects + c.subscriber.reconnects);
  reg.get_gauge("sb_nats_pending_bytes", "Bytes buffered for NATS, not yet sent")
      .set(static_cast<double>(c.publisher.pending_bytes + c.subscriber.pending_bytes));
  reg.get_gauge("sb_nats_connected", "1 while both NATS connections are up")
      .set(c.publisher.connected && c.subscriber.connected ? 1.0 : 0.0);
}

// Mirrors the node's counters and live actors into the process metrics just before a scrape.
void publish_node_metrics(node& n) {
  static std::mutex mirror_mutex;
  static std::set<std::string> kinds_seen;
  auto& reg = metrics::registry::global();
  auto s = n.stats();
  std::lock_guard<std::mutex> guard{mirror_mutex};
  reg.get_gauge("sb_actors_live", "Keyed actors live on this node")
      .set(static_cast<double>(s.live_actors));
  for (const auto& [kind, count] : s.live_by_kind) {
    kinds_seen.insert(kind);
  }
  // A kind whose last actor passivated is absent from live_by_kind but must read 0, not stay.
  for (const auto& kind : kinds_seen) {
    auto i = s.live_by_kind.find(kind);
    reg.get_gauge("sb_actors_live_by_kind", "Keyed actors live on this node, by kind",
                  {{"kind", kind}})
        .set(i == s.live_by_kind.end() ? 0.0 : static_cast<double>(i->second));
  }
  reg.get_gauge(
         "sb_actor_mailbox_messages",
         "Messages waiting for live actors (in their mailboxes or held while they passivate)")
      .set(static_cast<double>(s.mailbox_total));
  reg.get_gauge("sb_actor_mailbox_messages_max", "The longest wait queue of one live actor")
      .set(static_cast<double>(s.mailbox_max));
  mirror_counter(reg, "sb_actor_activations_total", "Actor activations since start", s.activations);
  mirror_counter(reg, "sb_actor_passivations_total", "Actor passivations since start",
                 s.passivations);
  mirror_counter(reg, "sb_actor_messages_handled_total",
                 "Messages handled by keyed actors since start", s.messages_handled);
  mirror_counter(reg, "sb_actor_duplicates_dropped_total",
                 "Redelivered messages recognised and dropped since start", s.duplicates_dropped);
  mirror_counter(reg, "sb_actor_handler_errors_total",
                 "Messages whose handler returned an error since start", s.handler_errors);
  mirror_counter(reg, "sb_actor_undeliverable_total",
                 "Messages that could not be delivered to an actor since start", s.undeliverable);
  mirror_counter(reg, "sb_timers_armed_total", "Durable timers armed since start", s.timers_armed);
  mirror_counter(reg, "sb_timers_fired_total", "Durable timers fired since start", s.timers_fired);
  mirror_counter(reg, "sb_timers_stale_total",
                 "Timer firings recognised as already applied or cancelled since start",
                 s.timers_stale);
  mirror_counter(reg, "sb_store_errors_total", "Store calls that failed since start",
                 s.store_errors);
  if (auto pending = n.timers().pending_count()) {
    reg.get_gauge("sb_timers_pending", "Durable timers armed in the store, not yet fired")
        .set(static_cast<double>(*pending));
  }
  if (auto c = n.cluster_status()) {
    publish_cluster_metrics(*c, reg);
  }
  publish_actor_gauges(n, reg);
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
               const schemas::address addr{req.matches[1], req.matches[2]};
               if (inspect_at_owner(ctx, req, res, addr)) {
                 return;
               }
               auto json = ctx.n.inspect(addr);
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
