// The 30-minute campaign ("asked about a product, no order within 30 minutes -> a 10 yuan coupon")
// driven for 1,000 people on a real Redis, with duplicated and reordered events, a node restart
// while the triggers wait, and time driven by the test. Coupon counts are exact.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "actors/campaign/coupon_ledger.hpp"
#include "runtime/bus.hpp"
#include "runtime/clock.hpp"
#include "runtime/node.hpp"
#include "schemas/conversation.hpp"
#include "schemas/subjects.hpp"
#include "schemas/user.hpp"
#include "tests/support/node_settle.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using sb::schemas::business_event;
using sb::schemas::conversation_event;

constexpr int people = 1000;
constexpr int64_t minute = 60'000;
constexpr const char* campaign = "consult-no-order-30m";
constexpr const char* product = "AL-ANC-PRO2";  // in stock in config/catalog.yaml

std::string user_of(int i) {
  return "web:p-" + std::to_string(i);
}

/// How each person behaves; person i is of kind i % 5.
enum class kind {
  inquiry_only,        ///< asks, never orders: coupon
  orders_in_wait,      ///< asks, orders 10 min later: no coupon
  order_came_first,    ///< the order (5 min after asking) is delivered before the inquiry: none
  orders_after_wait,   ///< asks, orders 45 min later: coupon (at 30 min)
  ordered_before_ask,  ///< ordered 10 min before asking, nothing after: coupon
};

kind kind_of(int i) {
  return static_cast<kind>(i % 5);
}

bool expects_coupon(int i) {
  auto k = kind_of(i);
  return k == kind::inquiry_only || k == kind::orders_after_wait || k == kind::ordered_before_ask;
}

struct harness {
  sb::test::temp_dir dir = SB_REQUIRE_OK(sb::test::temp_dir::create("campaign"));
  sb::test::redis_server redis = SB_REQUIRE_OK(sb::test::redis_server::start());
  sb::manual_clock clock{1'764'000'000'000};  // 2025-11-24T16:00:00Z
  sb::node_config cfg;
  std::unique_ptr<sb::node> node;

  explicit harness(const std::string& campaigns_dir = "config/campaigns") {
    cfg.store_kind = "redis";
    cfg.store_redis_port = redis.port();
    cfg.campaigns_dir = campaigns_dir;
    cfg.scheduler_threads = 2;
    cfg.actors_registry_shards = 4;
    start();
  }

  void start() {
    sb::node_start_options opts;
    opts.node_clock = &clock;
    opts.self_ticking = false;
    node = SB_REQUIRE_OK(sb::node::start(cfg, std::move(opts)));
  }

  void restart() {
    node->drain();
    node.reset();
    start();
  }

  void publish_inquiry(int i, int64_t at_ms, const std::string& msg_id) {
    conversation_event ev;
    ev.event = sb::schemas::topics::product_inquiry;
    ev.conversation_id = user_of(i) + "#1";
    ev.channel = "web";
    ev.person = "p-" + std::to_string(i);
    ev.user = user_of(i);
    ev.at_ms = at_ms;
    ev.skus = {product};
    auto env = sb::make_envelope(sb::schemas::address{}, ev, at_ms);
    env.msg_id = msg_id;
    node->message_bus().publish(ev.event, std::move(env));
  }

  void publish_order(int i, int64_t at_ms) {
    business_event ev;
    ev.type = "order.placed";
    ev.event_id = "order-" + std::to_string(i);
    ev.user = user_of(i);
    ev.order_id = "O-" + std::to_string(i);
    ev.amount = 1299;
    ev.skus = {product};
    ev.at_ms = at_ms;
    auto env = sb::make_envelope(sb::schemas::address{}, ev, at_ms);
    env.msg_id = "event:" + ev.event_id;
    node->message_bus().publish(ev.type, std::move(env));
  }

  void settle() {
    sb::test::node_settler s{*node};
    SB_REQUIRE_OK(s.settle());
  }

  int64_t coupons_of(int i) {
    auto list = SB_REQUIRE_OK(sb::coupons::list_for_user(node->state_store(), user_of(i)));
    return static_cast<int64_t>(list.size());
  }
};

}  // namespace

TEST_CASE("1,000 people through the 30-minute campaign get exactly the coupons they should") {
  harness h;
  const int64_t t0 = h.clock.now_ms();
  // Each person asks at t0 + ((i / 5) % 10) s: due times spread over ten seconds, each second
  // with 20 people of each kind.
  auto asked = [&](int i) { return t0 + ((i / 5) % 10) * 1000; };
  for (int i = 0; i < people; ++i) {
    const auto k = kind_of(i);
    if (k == kind::order_came_first) {
      h.publish_order(i, asked(i) + 5 * minute);  // delivered first, happened after the inquiry
    }
    if (k == kind::ordered_before_ask) {
      h.publish_order(i, asked(i) - 10 * minute);
    }
    h.publish_inquiry(i, asked(i), "inq-" + std::to_string(i));
    // A redelivery (same id) and a second publication of the same fact (another id).
    h.publish_inquiry(i, asked(i), "inq-" + std::to_string(i));
    h.publish_inquiry(i, asked(i), "inq-again-" + std::to_string(i));
  }
  h.settle();

  h.clock.advance(10 * minute);
  for (int i = 0; i < people; ++i) {
    if (kind_of(i) == kind::orders_in_wait) {
      h.publish_order(i, asked(i) + 10 * minute);
      h.publish_order(i, asked(i) + 10 * minute);  // the shop's webhook retried
    }
  }
  h.settle();

  // The node stops while 600 triggers wait; a new node on the same Redis takes over.
  h.restart();
  CHECK(SB_REQUIRE_OK(h.node->timers().pending_count()) == 600);

  // Just before the first due time nothing fires; at each due time everything due fires.
  h.clock.set(t0 + 30 * minute - 1);
  CHECK(SB_REQUIRE_OK(h.node->fire_due_timers()) == 0);
  for (int s = 0; s < 10; ++s) {
    h.clock.set(t0 + 30 * minute + s * 1000);
    CHECK(SB_REQUIRE_OK(h.node->fire_due_timers()) == 60);
    h.settle();
  }
  h.clock.advance(15 * minute);
  for (int i = 0; i < people; ++i) {
    if (kind_of(i) == kind::orders_after_wait) {
      h.publish_order(i, asked(i) + 45 * minute);
    }
  }
  // Late duplicates of the inquiries change nothing: the firing of each is claimed once.
  for (int i = 0; i < people; i += 7) {
    h.publish_inquiry(i, asked(i), "inq-late-" + std::to_string(i));
  }
  h.settle();
  CHECK(SB_REQUIRE_OK(h.node->fire_due_timers()) == 0);

  int64_t total = 0;
  for (int i = 0; i < people; ++i) {
    auto n = h.coupons_of(i);
    INFO("person " << i << " of kind " << i % 5);
    CHECK(n == (expects_coupon(i) ? 1 : 0));
    total += n;
  }
  CHECK(total == 600);
  auto count = SB_REQUIRE_OK(
      h.node->state_store().get(std::string{"campaign:"} + campaign + ":budget:count"));
  REQUIRE(count.has_value());
  CHECK(*count == "600");

  // Every coupon was issued within a second of its due time and carries the campaign's terms.
  auto coupons = SB_REQUIRE_OK(sb::coupons::list_for_user(h.node->state_store(), user_of(0)));
  REQUIRE(coupons.size() == 1);
  CHECK(coupons[0].amount == 10);
  CHECK(coupons[0].campaign == campaign);
  CHECK(coupons[0].issued_at_ms - (t0 + 30 * minute) < 1000);
  CHECK(coupons[0].expires_at_ms - coupons[0].issued_at_ms == 72 * 60 * minute);
}

TEST_CASE("the campaign's budget caps the coupons issued across every person") {
  // A copy of the shipped campaign with a budget of 250 coupons.
  sb::test::temp_dir campaigns = SB_REQUIRE_OK(sb::test::temp_dir::create("campaigns"));
  {
    std::ifstream in{"config/campaigns/consult-no-order-30m.yaml"};
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto at = text.find("count: 10000");
    REQUIRE(at != std::string::npos);
    text.replace(at, 12, "count: 250");
    std::ofstream out{campaigns.path() + "/consult-no-order-30m.yaml"};
    out << text;
  }
  harness h{campaigns.path()};
  const int64_t t0 = h.clock.now_ms();
  for (int i = 0; i < 400; ++i) {
    h.publish_inquiry(i, t0, "inq-" + std::to_string(i));
  }
  h.settle();
  h.clock.advance(30 * minute);
  CHECK(SB_REQUIRE_OK(h.node->fire_due_timers()) == 400);
  h.settle();
  int64_t total = 0;
  for (int i = 0; i < 400; ++i) {
    total += h.coupons_of(i);
  }
  CHECK(total == 250);
  auto status = SB_REQUIRE_OK(h.node->inspect(sb::schemas::address{"campaign", campaign}));
  CHECK(status.find("\"budget_exhausted\":150") != std::string::npos);
  CHECK(status.find("\"coupons_issued\":250") != std::string::npos);
}
