// Coupons and experiments: redeeming a coupon, a person's coupons, an experiment's statistics.
#include "actors/campaign/coupon_code.hpp"
#include "actors/campaign/coupon_ledger.hpp"
#include "runtime/gateway/gateway_context.hpp"
#include "schemas/marketing.hpp"
#include "schemas/subjects.hpp"

namespace sb::gateway {

namespace {

nlohmann::json coupon_json(const schemas::coupon_record& c, int64_t now_ms) {
  nlohmann::json j{{"code", c.code},
                   {"campaign", c.campaign},
                   {"state", coupons::state_at(c, now_ms)},
                   {"currency", c.currency},
                   {"min_spend", c.min_spend},
                   {"issued_at_ms", c.issued_at_ms},
                   {"expires_at_ms", c.expires_at_ms}};
  if (c.percent > 0) {
    j["percent"] = c.percent;
    j["max_discount"] = c.max_discount;
  } else {
    j["amount"] = c.amount;
  }
  if (c.state == "redeemed") {
    j["order_id"] = c.order_id;
    j["redeemed_at_ms"] = c.redeemed_at_ms;
  }
  return j;
}

void redeem(context& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string code = req.matches[1];
  auto body = json_body(req, res);
  if (!body) {
    return;
  }
  auto order_id = required_string(*body, "order_id", res, true);
  if (!order_id) {
    return;
  }
  if (!campaigns::is_coupon_code(code)) {
    send_error(res, 404, "not_found", "no coupon '" + code + "'");
    return;
  }
  auto now = ctx.n.node_clock().now_ms();
  auto out = coupons::redeem(ctx.n.state_store(), code, *order_id, now);
  if (!out) {
    send_error(res, out.err());
    return;
  }
  switch (out->status) {
    case coupons::redeem_status::not_found:
      send_error(res, 404, "not_found", "no coupon '" + code + "'");
      return;
    case coupons::redeem_status::expired:
      send_error(res, 410, "expired", "coupon " + code + " expired");
      return;
    case coupons::redeem_status::other_order:
      send_error(res, 409, "already_redeemed", "coupon " + code + " was redeemed by another order");
      return;
    case coupons::redeem_status::redeemed: {
      // The id is the coupon's own: a publish repeated for any reason reaches subscribers once.
      auto env = make_envelope(schemas::address{}, *out->coupon, now);
      env.msg_id = "coupon-redeemed:" + code;
      ctx.n.message_bus().publish(schemas::topics::coupon_redeemed, std::move(env));
      break;
    }
    case coupons::redeem_status::same_order:
      break;
  }
  send_json(res, 200, coupon_json(*out->coupon, now));
}

void user_coupons(context& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string user = req.matches[1];
  if (user.empty() || user.size() > 128 || user.find(':') == std::string::npos) {
    send_error(res, 400, "invalid_field", "the user id must be written channel:id, e.g. app:u-42");
    return;
  }
  auto list = coupons::list_for_user(ctx.n.state_store(), user);
  if (!list) {
    send_error(res, list.err());
    return;
  }
  auto now = ctx.n.node_clock().now_ms();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : *list) {
    out.push_back(coupon_json(c, now));
  }
  send_json(res, 200, {{"user", user}, {"coupons", out}});
}

void experiment(context& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  schemas::experiment_event ask;
  ask.kind = "report";
  auto reply = ctx.n.message_bus().request_sync(
      make_envelope(schemas::address{schemas::kinds::experiment, id}, ask,
                    ctx.n.node_clock().now_ms()),
      ctx.cfg.bus_request_timeout);
  if (!reply) {
    if (reply.err().code == errc::not_found || reply.err().code == errc::actor_failed) {
      send_error(res, 404, "not_found", "no experiment '" + id + "'");
    } else {
      send_error(res, reply.err());
    }
    return;
  }
  auto report = open_envelope<schemas::experiment_report>(*reply);
  if (!report || report->json.empty()) {
    send_error(res, 404, "not_found", "no experiment '" + id + "'");
    return;
  }
  res.status = 200;
  res.set_content(report->json, "application/json");
}

}  // namespace

void add_marketing_routes(httplib::Server& server, context& ctx) {
  auto guarded = [&ctx](void (*handler)(context&, const httplib::Request&, httplib::Response&)) {
    return [&ctx, handler](const httplib::Request& req, httplib::Response& res) {
      if (require_either_bearer(req, res, ctx.cfg)) {
        handler(ctx, req, res);
      }
    };
  };
  server.Post(R"(/v1/coupons/([^/]+)/redeem)", guarded(redeem));
  server.Get(R"(/v1/users/([^/]+)/coupons)", guarded(user_coupons));
  server.Get(R"(/v1/experiments/([^/]+))", guarded(experiment));
}

}  // namespace sb::gateway
