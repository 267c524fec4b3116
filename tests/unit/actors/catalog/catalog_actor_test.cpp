// The catalog actor driven through a recording actor_context: product updates reach the bot's
// knowledge at once, are republished, and are kept so that a restarted node applies them again.
#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "actors/catalog/catalog.hpp"
#include "actors/catalog/catalog_actor.hpp"
#include "runtime/bus.hpp"
#include "runtime/clock.hpp"
#include "runtime/codec.hpp"
#include "schemas/user.hpp"
#include "tests/support/bot_fixtures.hpp"
#include "tests/support/recording_context.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;
using test::recording_context;

// A product.updated event for the shipped AL-ANC-PRO2 at a new price.
schemas::business_event price_update(const std::string& event_id, double price,
                                     int64_t updated_at_ms, int64_t at_ms = 5000) {
  nlohmann::json p{{"sku", "AL-ANC-PRO2"},
                   {"name", "声联 AirQuiet Pro 2 主动降噪耳机"},
                   {"brand", "Auralink"},
                   {"category", "headphones"},
                   {"keywords", {"降噪耳机"}},
                   {"price", price},
                   {"stock", 10}};
  if (updated_at_ms != 0) {
    p["updated_at_ms"] = updated_at_ms;
  }
  schemas::business_event ev;
  ev.type = "product.updated";
  ev.event_id = event_id;
  ev.at_ms = at_ms;
  ev.product_json = p.dump();
  return ev;
}

double price_in(const bot_knowledge& kb, const std::string& sku) {
  auto products = kb.products();
  const auto* p = products.find(sku);
  REQUIRE(p != nullptr);
  return p->price;
}

struct fixture {
  manual_clock clk;
  std::shared_ptr<bot_knowledge> kb = test::load_bot(clk);
  schemas::address addr{"catalog", "default"};
  catalog_actor actor{kb};
  recording_context ctx{addr};

  fixture() { REQUIRE(actor.restore(std::nullopt).ok()); }

  result<void> deliver(const schemas::business_event& ev) {
    return actor.handle(make_envelope(addr, ev, ctx.now), ctx);
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "a product update reaches the bot at once and is republished") {
  auto shipped = price_in(*kb, "AL-ANC-PRO2");
  CHECK(shipped != 999);
  SB_REQUIRE_OK(deliver(price_update("pu-1", 999, 0, 5000)));

  CHECK(price_in(*kb, "AL-ANC-PRO2") == 999);
  CHECK(ctx.last_reply_as<schemas::user_command>().action == "applied");
  auto published = ctx.published_on<schemas::business_event>("product.updated");
  REQUIRE(published.size() == 1);
  CHECK(ctx.published.size() == 1);
  CHECK(published[0].event_id == "pu-1");
  auto p = SB_REQUIRE_OK(product_from_json(published[0].product_json));
  CHECK(p.price == 999);

  // The shared knowledge other tests use is a different instance and keeps the shipped price.
  CHECK(price_in(*test::shipped_bot(), "AL-ANC-PRO2") == shipped);
}

TEST_CASE_FIXTURE(fixture, "a product without a change time takes the event's") {
  SB_REQUIRE_OK(deliver(price_update("pu-1", 999, 0, 7000)));
  auto state = nlohmann::json::parse(actor.snapshot());
  auto p = SB_REQUIRE_OK(product_from_json(state.at("AL-ANC-PRO2").get<std::string>()));
  CHECK(p.updated_at_ms == 7000);

  // So an update the shop sent earlier but that arrives late does not win.
  SB_REQUIRE_OK(deliver(price_update("pu-0", 1, 0, 6000)));
  CHECK(price_in(*kb, "AL-ANC-PRO2") == 999);
}

TEST_CASE_FIXTURE(fixture, "an update older than the one applied is not kept for the next start") {
  SB_REQUIRE_OK(deliver(price_update("pu-2", 999, 2000)));
  auto kept = actor.snapshot();
  ctx.clear();
  SB_REQUIRE_OK(deliver(price_update("pu-1", 1, 1000)));
  CHECK(price_in(*kb, "AL-ANC-PRO2") == 999);
  CHECK(ctx.last_reply_as<schemas::user_command>().action == "stale");
  CHECK(ctx.published.empty());  // nobody else hears of the old product either
  CHECK(actor.snapshot() == kept);

  // A restarted node (fresh knowledge from the files) must come back with the newer price.
  manual_clock clk2;
  auto fresh = test::load_bot(clk2);
  catalog_actor restarted{fresh};
  SB_REQUIRE_OK(restarted.restore(actor.snapshot()));
  CHECK(price_in(*fresh, "AL-ANC-PRO2") == 999);
}

TEST_CASE_FIXTURE(fixture, "the kept updates are applied again when the actor is restored") {
  SB_REQUIRE_OK(deliver(price_update("pu-1", 888, 3000)));
  auto bytes = actor.snapshot();

  manual_clock clk2;
  auto fresh = test::load_bot(clk2);
  CHECK(price_in(*fresh, "AL-ANC-PRO2") != 888);
  catalog_actor restarted{fresh};
  SB_REQUIRE_OK(restarted.restore(bytes));
  CHECK(price_in(*fresh, "AL-ANC-PRO2") == 888);
  CHECK(restarted.snapshot() == bytes);
  auto status = nlohmann::json::parse(restarted.status_json());
  CHECK(status.at("updated_products").get<int>() == 1);
}

TEST_CASE_FIXTURE(fixture, "events other than product.updated and bad products are refused") {
  schemas::business_event other;
  other.type = "order.placed";
  auto r = deliver(other);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  CHECK(r.err().message.find("order.placed") != std::string::npos);

  auto bad = price_update("pu-1", 999, 0);
  bad.product_json = R"({"sku": "X", "name": "x", "price": -1})";
  r = deliver(bad);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);

  bad.product_json = "not json";
  r = deliver(bad);
  REQUIRE_FALSE(r.ok());

  r = actor.handle(make_envelope(addr, schemas::chat_message{}), ctx);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::unexpected_type);

  CHECK(ctx.published.empty());
  CHECK(ctx.replies.empty());
  CHECK(actor.snapshot() == "{}");
}

TEST_CASE_FIXTURE(fixture, "restoring a state that does not read is an error") {
  for (const std::string bytes :
       {"not json", "[1]", R"({"AL-1": 5})", R"({"AL-1": "{\"sku\": \"AL-1\"}"})"}) {
    CAPTURE(bytes);
    catalog_actor other{kb};
    auto r = other.restore(bytes);
    REQUIRE_FALSE(r.ok());
  }
}

TEST_CASE_FIXTURE(fixture, "the status counts the updated products and the cache") {
  SB_REQUIRE_OK(deliver(price_update("pu-1", 999, 0)));
  (void)kb->products();
  auto j = nlohmann::json::parse(actor.status_json(), nullptr, false);
  REQUIRE(j.is_object());
  CHECK(j.at("updated_products").get<int>() == 1);
  CHECK(j.at("cache").at("hits").get<uint64_t>() + j.at("cache").at("misses").get<uint64_t>() > 0);
  CHECK(j.at("cache").contains("refreshes"));
}
