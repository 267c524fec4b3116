// POST /v1/events of runtime/gateway/event_routes.cpp, end to end over HTTP against an in-process
// node: the events token, idempotent business events, the fields each type needs, identity links
// that merge two people's profiles (seen through the admin API), and product updates that the bot
// recommends from at once, without waiting for the product cache's TTL.
#include <doctest/doctest.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "actors/catalog/catalog.hpp"
#include "tests/support/gateway_harness.hpp"

namespace {

using namespace std::chrono_literals;
using namespace sb::test;

constexpr const char* headphones_question = "我想买一款降噪耳机";

json order_placed(const std::string& event_id, const std::string& user, const std::string& order,
                  double amount) {
  return {{"type", "order.placed"}, {"event_id", event_id}, {"user", user},
          {"order_id", order},      {"amount", amount},     {"skus", {"AL-ANC-PRO2"}}};
}

/// Returns the user actor's status, or an empty object while it does not exist.
json user_status(gateway_node& f, const std::string& key) {
  auto res = f.http->Get("/v1/actors/user/" + key, gateway_node::bearer(admin_token));
  return res && res->status == 200 ? json::parse(res->body) : json::object();
}

bool has(const json& list, const std::string& value) {
  return list.is_array() && std::find(list.begin(), list.end(), value) != list.end();
}

/// Returns the skus of the first reply's product cards.
std::vector<std::string> skus_of(const json& chat) {
  std::vector<std::string> out;
  if (!chat["replies"].empty()) {
    for (const auto& card : chat["replies"][0]["products"]) {
      out.push_back(card["sku"].get<std::string>());
    }
  }
  return out;
}

/// Returns the product of the shipped catalog with this sku, as the JSON product.updated carries.
json shipped_product(const std::string& sku) {
  auto cat = SB_REQUIRE_OK(sb::load_catalog(source_dir() + "/config/catalog.yaml"));
  const auto* p = cat.find(sku);
  REQUIRE_MESSAGE(p != nullptr, sku);
  return json::parse(sb::to_json(*p));
}

}  // namespace

TEST_CASE("the events API is 401 without the events token or with another one") {
  gateway_node f;
  const auto body = order_placed("e-auth", "web:v-auth", "o-1", 10).dump();
  for (const auto& headers :
       {httplib::Headers{}, gateway_node::bearer("wrong"), gateway_node::bearer(admin_token),
        gateway_node::bearer(std::string{events_token} + "x"),
        httplib::Headers{{"Authorization", events_token}}, gateway_node::bearer("")}) {
    CAPTURE(headers.empty() ? std::string{"(none)"} : headers.begin()->second);
    CHECK(error_code(f.http->Post("/v1/events", headers, body, "application/json"), 401) ==
          "unauthorized");
  }
  CHECK(user_status(f, "web:v-auth").empty());
  CHECK(ok_json(f.event(json::parse(body)))["status"] == "applied");
}

TEST_CASE("the events API is 403 while events.token is empty") {
  auto cfg = channel_node_config();
  cfg.events_token = "";
  gateway_node f{cfg};
  const auto body = order_placed("e-off", "web:v-off", "o-1", 10).dump();
  for (const auto& headers :
       {httplib::Headers{}, gateway_node::bearer(""), gateway_node::bearer(events_token)}) {
    CHECK(error_code(f.http->Post("/v1/events", headers, body, "application/json"), 403) ==
          "disabled");
  }
  CHECK(user_status(f, "web:v-off").empty());
}

TEST_CASE("an order.placed event is applied, and the same event_id again is a duplicate") {
  gateway_node f;
  auto applied = ok_json(f.event(order_placed("ord-1001-placed", "app:u-7", "1001", 1299)));
  CHECK(applied == json{{"status", "applied"}, {"event_id", "ord-1001-placed"}});
  auto again = ok_json(f.event(order_placed("ord-1001-placed", "app:u-7", "1001", 1299)));
  CHECK(again == json{{"status", "duplicate"}, {"event_id", "ord-1001-placed"}});

  auto user = f.inspect("user", "app:u-7");
  CHECK(user["state"]["order_count"] == 1);
  CHECK(user["state"]["events_applied"] == 1);
  auto paid = ok_json(f.event({{"type", "order.paid"},
                               {"event_id", "ord-1001-paid"},
                               {"user", "app:u-7"},
                               {"order_id", "1001"}}));
  CHECK(paid["status"] == "applied");
  user = f.inspect("user", "app:u-7");
  CHECK(user["state"]["order_count"] == 1);
  CHECK(user["state"]["total_spend"] == 1299.0);
  CHECK(user["state"]["events_applied"] == 2);
}

TEST_CASE("events lacking what their type needs are 400 missing_field, unknown types 400") {
  gateway_node f;
  struct bad_case {
    json body;
    const char* code;
  };
  const std::string user = "web:v-bad";
  for (const auto& c : {
           bad_case{{{"event_id", "e-1"}, {"user", user}}, "missing_field"},
           bad_case{{{"type", "order.placed"}, {"user", user}, {"order_id", "1"}}, "missing_field"},
           bad_case{{{"type", "order.placed"}, {"event_id", "e-1"}, {"order_id", "1"}},
                    "missing_field"},
           bad_case{{{"type", "order.placed"}, {"event_id", "e-1"}, {"user", user}},
                    "missing_field"},
           bad_case{{{"type", "order.paid"}, {"event_id", "e-1"}, {"user", user}}, "missing_field"},
           bad_case{{{"type", "product.viewed"}, {"event_id", "e-1"}, {"user", user}},
                    "missing_field"},
           bad_case{{{"type", "recommendation.clicked"}, {"event_id", "e-1"}, {"user", user}},
                    "missing_field"},
           bad_case{{{"type", "user.identified"}, {"event_id", "e-1"}, {"user", user}},
                    "missing_field"},
           bad_case{{{"type", "user.identified"},
                     {"event_id", "e-1"},
                     {"user", user},
                     {"identities", json::array()}},
                    "missing_field"},
           bad_case{{{"type", "csat.rated"}, {"event_id", "e-1"}, {"user", user}}, "missing_field"},
           bad_case{{{"type", "csat.rated"}, {"event_id", "e-1"}, {"user", user}, {"score", 6}},
                    "missing_field"},
           bad_case{{{"type", "product.updated"}, {"event_id", "e-1"}}, "missing_field"},
           bad_case{
               {{"type", "product.updated"}, {"event_id", "e-1"}, {"product", {{"name", "x"}}}},
               "missing_field"},
           bad_case{{{"type", "product.updated"}, {"event_id", "e-1"}, {"product", "AL-ANC-PRO2"}},
                    "missing_field"},
           bad_case{{{"type", "order.shipped"}, {"event_id", "e-1"}, {"user", user}},
                    "unknown_type"},
           bad_case{
               {{"type", "order.placed"}, {"event_id", "e 1"}, {"user", user}, {"order_id", "1"}},
               "invalid_field"},
           bad_case{{{"type", "order.placed"},
                     {"event_id", "e-1"},
                     {"user", "v-bad"},
                     {"order_id", "1"}},
                    "invalid_field"},
           bad_case{{{"type", "order.placed"},
                     {"event_id", "e-1"},
                     {"user", user},
                     {"order_id", "1"},
                     {"amount", "lots"}},
                    "invalid_field"},
       }) {
    CAPTURE(c.body.dump());
    CHECK(error_code(f.event(c.body), 400) == c.code);
  }
  CHECK(error_code(f.http->Post("/v1/events", gateway_node::bearer(events_token), "{not json",
                                "application/json"),
                   400) == "invalid_json");
  CHECK(user_status(f, user).empty());
  // The refused ids were not remembered: the first good event with one of them is applied.
  CHECK(ok_json(f.event(order_placed("e-1", user, "1", 5)))["status"] == "applied");
}

TEST_CASE(
    "user.identified merges web:V into app:U: the app user shows both identities and the "
    "web history") {
  gateway_node f;
  const std::string web = "web:v-linked";
  const std::string app = "app:u-linked";
  CHECK(ok_json(f.event(order_placed("link-o1", web, "3001", 599)))["status"] == "applied");
  CHECK(ok_json(f.event({{"type", "order.paid"},
                         {"event_id", "link-o1-paid"},
                         {"user", web},
                         {"order_id", "3001"}}))["status"] == "applied");
  CHECK(ok_json(f.event({{"type", "product.viewed"},
                         {"event_id", "link-v1"},
                         {"user", web},
                         {"sku", "AL-ANC-MAX"},
                         {"brand", "Auralink"},
                         {"category", "headphones"},
                         {"price", 2299}}))["status"] == "applied");
  CHECK(ok_json(f.event({{"type", "product.viewed"},
                         {"event_id", "link-v2"},
                         {"user", app},
                         {"sku", "AL-BT-FREE"},
                         {"brand", "Auralink"},
                         {"category", "headphones"},
                         {"price", 299}}))["status"] == "applied");

  auto linked = ok_json(f.event({{"type", "user.identified"},
                                 {"event_id", "link-1"},
                                 {"user", app},
                                 {"identities", {web, app}}}));
  CHECK(linked["status"] == "applied");
  // The web user merges itself into the app user by messages of their own: poll for it.
  json merged;
  CHECK(poll_until(
      [&] {
        merged = user_status(f, app);
        return merged.contains("state") && has(merged["state"]["identities"], web) &&
               merged["state"]["order_count"] == 1;
      },
      10s));
  INFO(merged.dump());
  CHECK(has(merged["state"]["identities"], app));
  CHECK(merged["state"]["total_spend"] == 599.0);
  CHECK(has(merged["state"]["recent_skus"], "AL-ANC-MAX"));
  CHECK(has(merged["state"]["recent_skus"], "AL-BT-FREE"));
  CHECK(f.inspect("user", web)["state"]["merged_into"] == app);

  // Later events about the web identity land in the merged profile.
  CHECK(ok_json(f.event(order_placed("link-o2", web, "3002", 149)))["status"] == "applied");
  CHECK(poll_until([&] { return user_status(f, app)["state"]["order_count"] == 2; }, 10s));
  // And the link itself is idempotent.
  CHECK(ok_json(f.event({{"type", "user.identified"},
                         {"event_id", "link-1"},
                         {"user", app},
                         {"identities", {web, app}}}))["status"] == "duplicate");
}

TEST_CASE("product.updated changes what the bot recommends next, at once") {
  gateway_node f;  // the product cache TTL is an hour
  auto before = ok_json(f.web_say("v-prod-1", headphones_question, "c-1"));
  const auto shown = skus_of(before);
  REQUIRE(shown.size() >= 2);
  const auto sold_out = shown[0];
  const auto repriced = shown[1];

  auto out = shipped_product(sold_out);
  out["stock"] = 0;
  CHECK(ok_json(f.event({{"type", "product.updated"}, {"event_id", "prod-1"}, {"product", out}})) ==
        json{{"status", "applied"}, {"event_id", "prod-1"}});
  auto cheaper = shipped_product(repriced);
  const double new_price = cheaper["price"].get<double>() - 100;
  REQUIRE(new_price > 0);
  cheaper["price"] = new_price;
  CHECK(ok_json(f.event({{"type", "product.updated"},
                         {"event_id", "prod-2"},
                         {"product", cheaper}}))["status"] == "applied");

  auto after = ok_json(f.web_say("v-prod-2", headphones_question, "c-1"));
  const auto now_shown = skus_of(after);
  INFO(after.dump());
  REQUIRE_FALSE(now_shown.empty());
  CHECK(std::find(now_shown.begin(), now_shown.end(), sold_out) == now_shown.end());
  bool saw_new_price = false;
  for (const auto& card : after["replies"][0]["products"]) {
    if (card["sku"] == repriced) {
      saw_new_price = card["price"] == new_price;
    }
  }
  CHECK(saw_new_price);
  // The first shopper's next question sees the change too.
  auto again = ok_json(f.web_say("v-prod-1", headphones_question, "c-2"));
  auto again_shown = skus_of(again);
  CHECK(std::find(again_shown.begin(), again_shown.end(), sold_out) == again_shown.end());

  // The same event again is a duplicate; a product the catalog refuses is 400.
  CHECK(ok_json(f.event(
            {{"type", "product.updated"}, {"event_id", "prod-1"}, {"product", out}}))["status"] ==
        "duplicate");
  auto bad = shipped_product(repriced);
  bad["price"] = -1;
  CHECK(error_code(f.event({{"type", "product.updated"}, {"event_id", "prod-3"}, {"product", bad}}),
                   400) == "invalid_argument");
  bad = shipped_product(repriced);
  bad["colour"] = "red";
  CHECK(error_code(f.event({{"type", "product.updated"}, {"event_id", "prod-4"}, {"product", bad}}),
                   400) == "invalid_argument");
  // The refused updates changed nothing.
  auto last = ok_json(f.web_say("v-prod-3", headphones_question, "c-1"));
  for (const auto& card : last["replies"][0]["products"]) {
    if (card["sku"] == repriced) {
      CHECK(card["price"] == new_price);
    }
  }
}
