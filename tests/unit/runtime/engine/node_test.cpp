// The keyed-actor runtime of one node: activation, passivation, durable timers, deduplication and
// drain, driven by a manual clock (self_ticking off), so nothing here waits on wall time.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "runtime/node.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/tally_kind.hpp"

namespace {

using namespace sb;

// test::eventually polls until a condition holds (10 s at most): events go through the topic
// router, an actor of its own, so a reply can overtake the events its sender published just before.
using test::eventually;

struct fixture {
  manual_clock clk;
  std::shared_ptr<store> st = make_memory_store(clk);
  node_config cfg;
  std::unique_ptr<node> n;

  fixture() {
    cfg.actors_registry_shards = 2;
    cfg.actors_idle_passivate = std::chrono::minutes(5);
    start();
  }

  void start() {
    node_start_options opts;
    opts.node_clock = &clk;
    opts.state_store = st;
    opts.self_ticking = false;
    opts.register_kinds = test::register_tally;
    auto made = node::start(cfg, std::move(opts));
    REQUIRE(made.ok());
    n = std::move(*made);
  }

  void restart() {
    n.reset();
    start();
  }

  result<schemas::chat_accepted> say(const std::string& key, const std::string& text,
                                     const std::string& msg_id = "") {
    schemas::chat_message msg;
    msg.text = text;
    auto env = make_envelope(schemas::address{test::tally, key}, msg);
    if (!msg_id.empty()) {
      env.msg_id = msg_id;
    }
    auto reply = n->message_bus().request_sync(std::move(env), std::chrono::seconds(5));
    if (!reply) {
      return reply.err();
    }
    if (reply->type.empty() || reply->type == "sb.duplicate") {
      return schemas::chat_accepted{};
    }
    return open_envelope<schemas::chat_accepted>(*reply);
  }

  nlohmann::json inspect(const std::string& key) {
    auto j = n->inspect({test::tally, key});
    REQUIRE(j.ok());
    return nlohmann::json::parse(*j);
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "a first message activates the actor and the request gets its reply") {
  auto r = say("a", "hello");
  REQUIRE(r.ok());
  CHECK(r->seq == 1);
  CHECK(say("a", "again")->seq == 2);
  auto s = n->stats();
  CHECK(s.activations == 1);
  CHECK(s.live_actors == 1);
  CHECK(s.live_by_kind["tally"] == 1);
  auto j = inspect("a");
  CHECK(j["state"]["count"] == 2);
  CHECK(j["node"] == "node-1");
}

TEST_CASE_FIXTURE(fixture,
                  "an idle actor is passivated with its state saved and comes back with it") {
  REQUIRE(say("a", "one").ok());
  REQUIRE(say("b", "one").ok());
  clk.advance(4 * 60 * 1000);
  REQUIRE(say("b", "two").ok());
  clk.advance(2 * 60 * 1000);
  auto passivated = n->passivate_idle();
  REQUIRE(passivated.ok());
  CHECK(*passivated == 1);  // only "a" was idle for 5 minutes
  CHECK(n->stats().live_actors == 1);
  auto stored = inspect("a");
  CHECK(stored["live"] == false);
  CHECK(stored["state"]["count"] == 1);
  CHECK(n->inspect({test::tally, "never"}).err().code == errc::not_found);
  CHECK(n->inspect({"nope", "a"}).err().code == errc::unknown_kind);
  CHECK(say("a", "two")->seq == 2);
  CHECK(n->stats().activations == 3);
}

TEST_CASE_FIXTURE(fixture, "messages arriving while an actor passivates reach the next instance") {
  // Races deliveries against passivation: whatever the interleaving, every message is counted once.
  constexpr int total = 400;
  std::thread sender{[&] {
    for (int i = 0; i < total; ++i) {
      schemas::chat_message msg;
      msg.text = "tick";
      n->message_bus().deliver(make_envelope(schemas::address{test::tally, "hot"}, msg));
    }
  }};
  for (int i = 0; i < 50; ++i) {
    clk.advance(5 * 60 * 1000);
    REQUIRE(n->passivate_idle().ok());
  }
  sender.join();
  // A request is ordered after the one-way messages of this shard; its reply carries the count.
  auto last = say("hot", "last");
  REQUIRE(last.ok());
  CHECK(last->seq == total + 1);
}

TEST_CASE_FIXTURE(fixture, "a durable timer fires once, at its time, even for a passivated actor") {
  std::mutex m;
  std::vector<std::string> fired;
  n->message_bus().subscribe("tally.fired", [&](const std::string&, const schemas::envelope& env) {
    std::lock_guard<std::mutex> g{m};
    fired.push_back(open_envelope<schemas::conversation_event>(env)->reason);
  });
  REQUIRE(say("t", "arm wake 60000").ok());
  CHECK(*n->fire_due_timers() == 0);
  clk.advance(10 * 60 * 1000);
  REQUIRE(*n->passivate_idle() == 1);
  CHECK(n->stats().live_actors == 0);
  clk.advance(-1);  // no-op: the manual clock never goes back
  CHECK(*n->fire_due_timers() == 1);
  CHECK(*n->fire_due_timers() == 0);
  CHECK(inspect("t")["state"]["fired"] == "wake");
  CHECK(inspect("t")["pending_timers"].empty());
  REQUIRE(eventually([&] {
    std::lock_guard<std::mutex> g{m};
    return !fired.empty();
  }));
  std::lock_guard<std::mutex> g{m};
  REQUIRE(fired.size() == 1);
  CHECK(fired[0] == "wake:payload-of-wake");
}

TEST_CASE_FIXTURE(fixture,
                  "a re-armed timer fires only at its new time and a cancelled one never") {
  REQUIRE(say("t", "arm a 1000").ok());
  REQUIRE(say("t", "arm b 1000").ok());
  REQUIRE(say("t", "arm a 5000").ok());
  REQUIRE(say("t", "cancel b").ok());
  CHECK(inspect("t")["pending_timers"].size() == 1);
  clk.advance(2000);
  CHECK(*n->fire_due_timers() == 0);
  clk.advance(4000);
  CHECK(*n->fire_due_timers() == 1);
  CHECK(inspect("t")["state"]["fired"] == "a");
  CHECK(*n->timers().pending_count() == 0);
}

TEST_CASE_FIXTURE(fixture, "pending timers survive a node restart and fire exactly once after it") {
  REQUIRE(say("t", "arm later 30000").ok());
  REQUIRE(say("t", "two").ok());
  restart();
  CHECK(n->stats().activations == 0);
  clk.advance(31000);
  CHECK(*n->fire_due_timers() == 1);
  restart();
  clk.advance(60000);
  CHECK(*n->fire_due_timers() == 0);
  auto j = inspect("t");
  CHECK(j["state"]["count"] == 2);
  CHECK(j["state"]["fired"] == "later");
}

TEST_CASE_FIXTURE(fixture, "a firing redelivered after its owner applied it is not applied twice") {
  REQUIRE(say("t", "arm once 1000").ok());
  // Keep what the store holds before the firing, to play a crash between the owner's save and
  // its complete(): record and due entry come back after the firing was applied.
  std::string record_key = std::string{"timer:tally/t"} + '\x1f' + "once";
  auto raw = st->get(record_key);
  REQUIRE(raw.ok());
  REQUIRE(raw->has_value());
  auto due = st->sorted_set_range_by_score("timers:due", 0, clk.now_ms() + 5000, 10);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 1);
  clk.advance(2000);
  REQUIRE(*n->fire_due_timers() == 1);
  REQUIRE(st->put(record_key, **raw).ok());
  REQUIRE(st->sorted_set_add("timers:due", (*due)[0].member, (*due)[0].score).ok());
  CHECK(*n->fire_due_timers() == 0);
  CHECK(inspect("t")["state"]["fired"] == "once");
  CHECK(n->stats().timers_fired == 1);
  CHECK(n->stats().timers_stale == 1);
  CHECK(*n->timers().pending_count() == 0);
}

TEST_CASE_FIXTURE(fixture, "the same message id delivered twice is applied once") {
  CHECK(say("d", "x", "msg-1")->seq == 1);
  CHECK(say("d", "x", "msg-1")->seq == 0);  // answered as a duplicate
  CHECK(say("d", "x", "msg-2")->seq == 2);
  CHECK(n->stats().duplicates_dropped == 1);
  restart();
  CHECK(say("d", "x", "msg-2")->seq == 0);  // remembered across restarts
}

TEST_CASE_FIXTURE(fixture, "failures are values: unknown kinds, bad addresses, failing handlers") {
  schemas::chat_message msg;
  auto unknown = n->message_bus().request_sync(make_envelope(schemas::address{"nope", "k"}, msg),
                                               std::chrono::seconds(5));
  CHECK(unknown.err().code == errc::unknown_kind);
  auto bad = n->message_bus().request_sync(make_envelope(schemas::address{"tally", "a\nb"}, msg),
                                           std::chrono::seconds(5));
  CHECK(bad.err().code == errc::invalid_argument);
  CHECK(say("f", "fail").err().code == errc::invalid_argument);
  CHECK(say("f", "throw").err().code == errc::actor_failed);
  CHECK(say("f", "fine")->seq == 1);  // the actor survived both
  schemas::envelope wrong;
  wrong.to = {test::tally, "f"};
  wrong.type = "chat.message";
  wrong.payload.data = "\xc1 not msgpack";
  auto garbled = n->message_bus().request_sync(wrong, std::chrono::seconds(5));
  CHECK(garbled.err().code == errc::decode_malformed);
  CHECK(say("f", "still fine")->seq == 2);
}

TEST_CASE_FIXTURE(fixture, "drain saves every actor and refuses new work") {
  REQUIRE(say("a", "1").ok());
  REQUIRE(say("b", "1").ok());
  CHECK(n->drain() == 2);
  CHECK(n->draining());
  CHECK(n->stats().live_actors == 0);
  CHECK(say("a", "2").err().code == errc::shutting_down);
  CHECK(n->drain() == 2);  // idempotent
  restart();
  CHECK(say("a", "2")->seq == 2);
}

TEST_CASE_FIXTURE(fixture, "events reach subscribed actors and local handlers by pattern") {
  std::atomic<int> seen{0};
  n->message_bus().subscribe("tally.*",
                             [&](const std::string&, const schemas::envelope&) { ++seen; });
  n->message_bus().subscribe("other.>",
                             [&](const std::string&, const schemas::envelope&) { seen += 100; });
  n->message_bus().subscribe("tally.fired", schemas::address{test::tally, "listener"});
  REQUIRE(say("t", "arm x 10").ok());
  clk.advance(20);
  REQUIRE(*n->fire_due_timers() == 1);
  // Tally refuses the event's type (a handler error), but it was delivered and activated it.
  CHECK(eventually([&] { return n->inspect({test::tally, "listener"}).ok(); }));
  CHECK(eventually([&] { return seen.load() >= 1; }));
  REQUIRE(say("t", "sync").ok());
  CHECK(seen.load() == 1);  // "other.>" never matched
}
