// What one keyed actor costs and shows: the mailbox depth its registry shard and the actor count
// between them, writes skipped when a message changed nothing, and the shorter idle time of user
// actors. Driven by a manual clock (self_ticking off).
#include <doctest/doctest.h>

#include <future>
#include <thread>

#include "runtime/codec.hpp"
#include "runtime/node.hpp"
#include "runtime/saved_state.hpp"
#include "schemas/actor_record.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/tally_kind.hpp"

namespace {

using namespace sb;

constexpr const char* gate = "gate";

// A kind whose handler waits until the test opens its gate: messages behind it queue up.
class gate_behavior final : public keyed_behavior {
 public:
  explicit gate_behavior(std::shared_future<void> open) : open_(std::move(open)) {}
  result<void> restore(const std::optional<std::string>&) override { return {}; }
  [[nodiscard]] std::string snapshot() const override { return std::to_string(count_); }
  result<void> handle(const schemas::envelope&, actor_context&) override {
    open_.wait();
    ++count_;
    return {};
  }
  result<void> on_timer(const schemas::timer_fired&, actor_context&) override { return {}; }
  [[nodiscard]] std::string status_json() const override { return "{}"; }

 private:
  std::shared_future<void> open_;
  int64_t count_ = 0;
};

using test::eventually;

struct fixture {
  manual_clock clk;
  std::shared_ptr<store> st = make_memory_store(clk);
  std::promise<void> opener;
  std::shared_future<void> open = opener.get_future().share();
  std::unique_ptr<node> n;

  fixture() {
    node_config cfg;
    cfg.actors_registry_shards = 2;
    cfg.scheduler_threads = 4;  // one blocked in a gate leaves the others to answer
    cfg.actors_idle_passivate = std::chrono::minutes(5);
    cfg.actors_user_idle_passivate = std::chrono::minutes(1);
    node_start_options opts;
    opts.node_clock = &clk;
    opts.state_store = st;
    opts.self_ticking = false;
    opts.register_kinds = [this](const kind_setup& setup) -> result<node_hooks> {
      auto tally = [](const schemas::address&) { return std::make_unique<test::tally_behavior>(); };
      setup.kinds.add(test::tally, tally);
      setup.kinds.add("user", tally);
      setup.kinds.add("conversation", tally);
      setup.kinds.add(
          gate, [this](const schemas::address&) { return std::make_unique<gate_behavior>(open); });
      return node_hooks{};
    };
    auto made = node::start(cfg, std::move(opts));
    REQUIRE(made.ok());
    n = std::move(*made);
  }

  ~fixture() { opener.set_value(); }  // never leave a handler blocked at shutdown

  schemas::envelope chat(const std::string& kind, const std::string& key, const std::string& text) {
    schemas::chat_message msg;
    msg.text = text;
    return make_envelope(schemas::address{kind, key}, msg);
  }

  bool say(const std::string& kind, const std::string& key, const std::string& text,
           bool with_id = true) {
    auto env = chat(kind, key, text);
    if (!with_id) {
      env.msg_id.clear();
    }
    return n->message_bus().request_sync(std::move(env), std::chrono::seconds(5)).ok();
  }

  int64_t saved_at(const std::string& key) {
    auto raw = st->get(actor_record_key({test::tally, key}));
    REQUIRE(raw.ok());
    REQUIRE(raw->has_value());
    auto rec = decode<schemas::actor_record>(**raw);
    REQUIRE(rec.ok());
    return rec->saved_at_ms;
  }
};

TEST_CASE_FIXTURE(fixture, "mailbox depth counts the messages waiting behind a busy actor") {
  for (int i = 0; i < 5; ++i) {
    n->message_bus().deliver(chat(gate, "g", "m"));
  }
  // The first is in the handler (counted as handled), four wait.
  REQUIRE(eventually([&] { return n->stats().mailbox_total == 4; }));
  CHECK(n->stats().mailbox_max == 4);
  auto live = n->live_actors(gate);
  REQUIRE(live.size() == 1);
  CHECK(live[0].mailbox_depth == 4);
  CHECK(live[0].messages_handled == 1);

  opener.set_value();
  REQUIRE(eventually([&] { return n->stats().mailbox_total == 0; }));
  opener = std::promise<void>{};  // the destructor's set_value needs a fresh promise
  live = n->live_actors(gate);
  REQUIRE(live.size() == 1);
  CHECK(live[0].messages_handled == 5);
  CHECK(live[0].mailbox_depth == 0);
}

TEST_CASE_FIXTURE(fixture, "a message that changes nothing is not written again") {
  REQUIRE(say(test::tally, "a", "one"));
  const auto first = saved_at("a");
  clk.advance(1000);
  // A failing handler leaves the count alone, and without a message id there is no id to keep.
  (void)say(test::tally, "a", "fail", false);  // answered with the handler's error
  CHECK(saved_at("a") == first);
  clk.advance(1000);
  REQUIRE(say(test::tally, "a", "two"));
  CHECK(saved_at("a") == first + 2000);
}

TEST_CASE_FIXTURE(fixture, "user actors passivate after their own, shorter idle time") {
  REQUIRE(say("user", "web:p1", "hi"));
  REQUIRE(say("conversation", "web:p1", "hi"));
  clk.advance(61 * 1000);
  auto swept = n->passivate_idle();
  REQUIRE(swept.ok());
  CHECK(*swept == 1);
  auto kinds = n->stats().live_by_kind;
  CHECK(kinds.count("user") == 0);
  CHECK(kinds["conversation"] == 1);
  clk.advance(4 * 60 * 1000);
  swept = n->passivate_idle();
  REQUIRE(swept.ok());
  CHECK(*swept == 1);
  CHECK(n->stats().live_actors == 0);
}

}  // namespace
