// Coupons, campaigns and experiments: redeeming a coupon, a person's coupons, each campaign's
// counters and budget, an experiment's statistics.
#include <algorithm>

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

// Asks the experiment's actor for its report (JSON); "" when it has none.
result<std::string> experiment_report(context& ctx, const std::string& id) {
  schemas::experiment_event ask;
  ask.kind = "report";
  auto reply = ctx.n.message_bus().request_sync(
      make_envelope(schemas::address{schemas::kinds::experiment, id}, ask,
                    ctx.n.node_clock().now_ms()),
      ctx.cfg.bus_request_timeout);
  if (!reply) {
    return reply.err();
  }
  auto report = open_envelope<schemas::experiment_report>(*reply);
  if (!report) {
    return report.err();
  }
  return report->json;
}

void experiment(context& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  // Only configured experiments are asked: an unknown id must not wake an actor for it.
  auto ids = ctx.n.configured_keys(schemas::kinds::experiment);
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
    send_error(res, 404, "not_found", "no experiment '" + id + "'");
    return;
  }
  auto report = experiment_report(ctx, id);
  if (!report) {
    send_error(res, report.err());
    return;
  }
  if (report->empty()) {
    send_error(res, 404, "not_found", "no experiment '" + id + "'");
    return;
  }
  res.status = 200;
  res.set_content(*report, "application/json");
}

// A campaign's counters (from its actor, live or saved) with its ledger totals and budget left.
result<nlohmann::json> campaign_json(context& ctx, const std::string& id) {
  // The definition, then the actor's counters over it (zeros for a campaign that never ran).
  auto j = nlohmann::json::parse(ctx.n.describe(schemas::kinds::campaign, id), nullptr, false);
  if (!j.is_object()) {
    j = nlohmann::json{{"campaign", id}};
  }
  for (const char* counter : {"armed", "cancelled", "fired", "messages_sent", "handoffs"}) {
    j[counter] = 0;
  }
  j["skipped"] = nlohmann::json::object();
  auto status = ctx.n.inspect(schemas::address{schemas::kinds::campaign, id});
  if (status) {
    auto parsed = nlohmann::json::parse(*status, nullptr, false);
    if (parsed.contains("state") && parsed["state"].is_object()) {
      parsed = parsed["state"];
    }
    if (parsed.is_object()) {
      j.update(parsed);
    }
  } else if (status.err().code != errc::not_found) {
    return status.err();
  }
  auto totals = coupons::totals_of(ctx.n.state_store(), id);
  if (!totals) {
    return totals.err();
  }
  j["coupons_redeemed"] = totals->redeemed;
  j["coupons_issued"] = totals->issued;
  j["issued_value"] = totals->issued_value;
  if (j.contains("budget") && j["budget"].is_object()) {
    auto& b = j["budget"];
    const auto count = b.value("count", int64_t{0});
    const auto value = b.value("value", 0.0);
    b["count_left"] = count > 0 ? nlohmann::json(std::max<int64_t>(0, count - totals->issued))
                                : nlohmann::json(nullptr);
    b["value_left"] = value > 0 ? nlohmann::json(std::max(0.0, value - totals->issued_value))
                                : nlohmann::json(nullptr);
  }
  return j;
}

void list_campaigns(context& ctx, const httplib::Request&, httplib::Response& res) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& id : ctx.n.configured_keys(schemas::kinds::campaign)) {
    auto j = campaign_json(ctx, id);
    if (!j) {
      send_error(res, j.err());
      return;
    }
    out.push_back(std::move(*j));
  }
  send_json(res, 200, {{"campaigns", out}});
}

void one_campaign(context& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  auto ids = ctx.n.configured_keys(schemas::kinds::campaign);
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
    send_error(res, 404, "not_found", "no campaign '" + id + "'");
    return;
  }
  auto j = campaign_json(ctx, id);
  if (!j) {
    send_error(res, j.err());
    return;
  }
  send_json(res, 200, *j);
}

void list_experiments(context& ctx, const httplib::Request&, httplib::Response& res) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& id : ctx.n.configured_keys(schemas::kinds::experiment)) {
    auto report = experiment_report(ctx, id);
    if (!report) {
      send_error(res, report.err());
      return;
    }
    if (!report->empty()) {
      out.push_back(nlohmann::json::parse(*report, nullptr, false));
    }
  }
  send_json(res, 200, {{"experiments", out}});
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
  server.Get("/v1/experiments", guarded(list_experiments));
  server.Get("/v1/campaigns", guarded(list_campaigns));
  server.Get(R"(/v1/campaigns/([^/]+))", guarded(one_campaign));
}

}  // namespace sb::gateway
