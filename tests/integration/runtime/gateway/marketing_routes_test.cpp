// The coupon and experiment API: redeeming exactly once, a person's coupons, an experiment's
// statistics, and the errors a shop or an operator gets for bad requests.
#include <doctest/doctest.h>

#include "actors/campaign/coupon_ledger.hpp"
#include "tests/support/gateway_harness.hpp"
#include "tests/support/node_binary.hpp"

namespace {

using namespace sb;
using namespace sb::test;

constexpr const char* code = "AB12-CD34-EF56-GH78";

schemas::coupon_record coupon(const std::string& c, int64_t issued, int64_t expires) {
  schemas::coupon_record r;
  r.code = c;
  r.campaign = "consult-no-order-30m";
  r.user = "web:v-7";
  r.amount = 10;
  r.issued_at_ms = issued;
  r.expires_at_ms = expires;
  return r;
}

void issue(gateway_node& g, const schemas::coupon_record& c, const std::string& firing) {
  coupons::issue_request req;
  req.campaign = c.campaign;
  req.user = c.user;
  req.firing = firing;
  req.coupon = c;
  auto out = SB_REQUIRE_OK(coupons::issue(g.n->state_store(), req));
  REQUIRE(out.status == coupons::issue_status::fired);
}

httplib::Result redeem(gateway_node& g, const std::string& c, const json& body,
                       const std::string& token = events_token) {
  return g.http->Post("/v1/coupons/" + c + "/redeem", gateway_node::bearer(token), body.dump(),
                      "application/json");
}

}  // namespace

TEST_CASE("a coupon is redeemed once; the same order again gets the same answer") {
  gateway_node g;
  auto now = g.clk.now_ms();
  issue(g, coupon(code, now, now + 3'600'000), "1");

  auto first = ok_json(redeem(g, code, {{"order_id", "O-1"}}));
  CHECK(first["code"] == code);
  CHECK(first["state"] == "redeemed");
  CHECK(first["order_id"] == "O-1");
  CHECK(first["amount"] == 10);
  auto again = ok_json(redeem(g, code, {{"order_id", "O-1"}}, admin_token));
  CHECK(again == first);
  CHECK(error_code(redeem(g, code, {{"order_id", "O-2"}}), 409) == "already_redeemed");

  auto listed =
      ok_json(g.http->Get("/v1/users/web:v-7/coupons", gateway_node::bearer(events_token)));
  CHECK(listed["user"] == "web:v-7");
  REQUIRE(listed["coupons"].size() == 1);
  CHECK(listed["coupons"][0]["code"] == code);
  CHECK(listed["coupons"][0]["campaign"] == "consult-no-order-30m");
  CHECK(listed["coupons"][0]["state"] == "redeemed");
}

TEST_CASE("an expired coupon is 410, an unknown one 404, a bad request 400 or 401") {
  gateway_node g;
  auto now = g.clk.now_ms();
  issue(g, coupon(code, now - 7'200'000, now - 3'600'000), "1");
  CHECK(error_code(redeem(g, code, {{"order_id", "O-1"}}), 410) == "expired");
  CHECK(error_code(redeem(g, "ZZ12-CD34-EF56-GH78", {{"order_id", "O-1"}}), 404) == "not_found");
  CHECK(error_code(redeem(g, "not-a-code", {{"order_id", "O-1"}}), 404) == "not_found");
  CHECK(error_code(redeem(g, code, json::object()), 400) == "missing_field");
  auto not_json = g.http->Post(std::string{"/v1/coupons/"} + code + "/redeem",
                               gateway_node::bearer(events_token), "{", "application/json");
  CHECK(error_code(not_json, 400) == "invalid_json");
  CHECK(error_code(redeem(g, code, {{"order_id", "O-1"}}, "wrong"), 401) == "unauthorized");
  CHECK(error_code(g.http->Get("/v1/users/web:v-7/coupons"), 401) == "unauthorized");
  CHECK(error_code(g.http->Get("/v1/users/nobody/coupons", gateway_node::bearer(admin_token)),
                   400) == "invalid_field");
  auto listed =
      ok_json(g.http->Get("/v1/users/web:v-7/coupons", gateway_node::bearer(admin_token)));
  CHECK(listed["coupons"][0]["state"] == "expired");
  auto none = ok_json(g.http->Get("/v1/users/web:v-8/coupons", gateway_node::bearer(admin_token)));
  CHECK(none["coupons"].empty());
}

TEST_CASE("the coupon API is off when neither token is set") {
  auto cfg = channel_node_config();
  cfg.admin_token.clear();
  cfg.events_token.clear();
  gateway_node g{cfg};
  CHECK(error_code(redeem(g, code, {{"order_id", "O-1"}}), 403) == "disabled");
}

TEST_CASE("an experiment's statistics are served as JSON; an unknown one is 404") {
  gateway_node g;
  auto report =
      ok_json(g.http->Get("/v1/experiments/headphone-pitch", gateway_node::bearer(admin_token)));
  CHECK(report["id"] == "headphone-pitch");
  REQUIRE(report["variants"].size() == 2);
  CHECK(report["variants"][0]["impressions"] == 0);
  CHECK(error_code(g.http->Get("/v1/experiments/nope", gateway_node::bearer(admin_token)), 404) ==
        "not_found");
}

TEST_CASE("a recommendation shows the person's variant and counts an impression") {
  gateway_node g;
  auto reply = ok_json(g.web_say("v-ab1", "我想买一款降噪耳机", "m-1"));
  auto text = reply.dump();
  const bool battery = text.find("续航10小时") != std::string::npos;
  const bool award = text.find("国际设计大奖") != std::string::npos;
  CHECK(battery != award);
  poll_until(
      [&] {
        auto r = g.http->Get("/v1/experiments/headphone-pitch", gateway_node::bearer(admin_token));
        auto j = json::parse(r->body, nullptr, false);
        return j.is_object() && j["total_impressions"] == 1;
      },
      std::chrono::seconds(10));
  auto report =
      ok_json(g.http->Get("/v1/experiments/headphone-pitch", gateway_node::bearer(admin_token)));
  CHECK(report["total_impressions"] == 1);
}
