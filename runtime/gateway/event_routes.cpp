// POST /v1/events: business events from the shop (orders, views, identity links, clicks, ratings).
#include <set>

#include "actors/user/profile_logic.hpp"
#include "runtime/gateway/gateway_context.hpp"
#include "runtime/json_codec.hpp"
#include "schemas/user.hpp"

namespace sb::gateway {

namespace {

const std::set<std::string>& event_types() {
  static const std::set<std::string> types{"order.placed",    "order.paid",
                                           "product.viewed",  "product.updated",
                                           "user.identified", "recommendation.clicked",
                                           "csat.rated"};
  return types;
}

// Returns what a valid event of its type lacks, or an empty string.
std::string missing_for(const schemas::business_event& ev) {
  if (ev.type == "order.placed" || ev.type == "order.paid") {
    return ev.order_id.empty() ? "order_id" : "";
  }
  if (ev.type == "product.viewed" || ev.type == "recommendation.clicked") {
    return ev.sku.empty() ? "sku" : "";
  }
  if (ev.type == "user.identified") {
    return ev.identities.empty() ? "identities" : "";
  }
  if (ev.type == "csat.rated") {
    return ev.score < 1 || ev.score > 5 ? "score (1 to 5)" : "";
  }
  return "";
}

// A `phone:` identity is kept only hashed (actor keys, store keys and logs never see the number):
// "phone:138 1234 5678" becomes "phone:<sha256 hex>". Returns false if the number is not one.
bool hash_phone_identity(std::string& identity) {
  constexpr std::string_view prefix = "phone:";
  if (identity.compare(0, prefix.size(), prefix) != 0) {
    return true;
  }
  auto id = identity.substr(prefix.size());
  bool hashed = id.size() == 64 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (hashed) {
    return true;
  }
  auto h = hash_phone(id);
  if (h.empty()) {
    return false;
  }
  identity = std::string{prefix} + h;
  return true;
}

void post_event(context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto body = json_body(req, res);
  if (!body) {
    return;
  }
  auto type = required_string(*body, "type", res, false);
  auto event_id = type ? required_string(*body, "event_id", res, true) : std::nullopt;
  if (!event_id) {
    return;
  }
  if (event_types().count(*type) == 0) {
    send_error(res, 400, "unknown_type", "unknown event type '" + *type + "'");
    return;
  }
  // The product rides as an object; everything else maps onto business_event's fields.
  nlohmann::json product;
  if (auto p = body->find("product"); p != body->end()) {
    product = *p;
    body->erase("product");
  }
  auto ev = from_json<schemas::business_event>(body->dump());
  if (!ev) {
    send_error(res, 400, "invalid_field", ev.err().message);
    return;
  }
  bool phones_ok = hash_phone_identity(ev->user);
  for (auto& id : ev->identities) {
    phones_ok = hash_phone_identity(id) && phones_ok;
  }
  if (!phones_ok) {
    send_error(res, 400, "invalid_field", "a phone: identity must hold a phone number");
    return;
  }
  if (ev->at_ms == 0) {
    ev->at_ms = ctx.n.node_clock().now_ms();
  }
  if (ev->type == "product.updated") {
    if (!product.is_object() || !product.contains("sku")) {
      send_error(res, 400, "missing_field", "'product' (an object with a sku) is required");
      return;
    }
    ev->product_json = product.dump();
    ev->sku = product["sku"].is_string() ? product["sku"].get<std::string>() : "";
  } else if (ev->user.empty()) {
    send_error(res, 400, "missing_field", "'user' (channel:id of the person) is required");
    return;
  }
  if (auto lacks = missing_for(*ev); !lacks.empty()) {
    send_error(res, 400, "missing_field", ev->type + " needs '" + lacks + "'");
    return;
  }
  if (ev->type != "product.updated" && ev->user.find(':') == std::string::npos) {
    send_error(res, 400, "invalid_field", "'user' must be written channel:id, e.g. app:u-42");
    return;
  }
  // Product updates go to the catalog, everything else to the person's user actor.
  schemas::address to = ev->type == "product.updated" ? schemas::address{"catalog", "default"}
                                                      : schemas::address{"user", ev->user};
  auto env = make_envelope(to, *ev, ev->at_ms);
  env.msg_id = "event:" + ev->event_id;
  auto reply = ctx.n.message_bus().request_sync(std::move(env), ctx.cfg.bus_request_timeout);
  if (!reply) {
    send_error(res, reply.err());
    return;
  }
  bool duplicate = reply->type == "sb.duplicate";
  if (auto cmd = open_envelope<schemas::user_command>(*reply)) {
    duplicate = cmd->action == "duplicate";
  }
  send_json(res, 200,
            {{"status", duplicate ? "duplicate" : "applied"}, {"event_id", ev->event_id}});
}

}  // namespace

void add_event_routes(httplib::Server& server, context& ctx) {
  server.Post("/v1/events", [&ctx](const httplib::Request& req, httplib::Response& res) {
    if (require_bearer(req, res, ctx.cfg.events_token, "events.token")) {
      post_event(ctx, req, res);
    }
  });
}

}  // namespace sb::gateway
