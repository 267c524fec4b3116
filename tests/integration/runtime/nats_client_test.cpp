#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "runtime/internal/nats_client.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace std::chrono_literals;
using sb::errc;
using sb::test::code_of;

// One JetStream server for the tests that do not restart or configure it; each test uses its own
// subjects, streams and buckets on it.
sb::test::nats_server& shared_server() {
  static auto server = sb::test::nats_server::start();
  if (!server) {
    FAIL("cannot start nats-server: " << server.err().to_string());
  }
  return *server;
}

std::unique_ptr<sb::nats::client> connect(const sb::nats::settings& settings) {
  return SB_REQUIRE_OK(sb::nats::client::connect(settings));
}

// Polls `done` every 5 ms until it holds or `timeout` passed; returns its last value.
template <class Pred>
bool wait_until(Pred done, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return done();
    }
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// What a handler saw of one message.
struct seen {
  std::string subject;
  std::string data;
  uint64_t sequence = 0;
  uint64_t deliveries = 0;
};

// Collects what handlers saw (they run on NATS threads) and, optionally, the messages themselves.
class collector {
 public:
  void add(const sb::nats::message& m) {
    std::lock_guard<std::mutex> lock{mu_};
    seen_.push_back(seen{std::string{m.subject()}, std::string{m.data()}, m.stream_sequence(),
                         m.delivery_count()});
  }
  void keep(sb::nats::message m) {
    std::lock_guard<std::mutex> lock{mu_};
    kept_.push_back(std::move(m));
  }
  size_t size() {
    std::lock_guard<std::mutex> lock{mu_};
    return seen_.size();
  }
  std::vector<seen> snapshot() {
    std::lock_guard<std::mutex> lock{mu_};
    return seen_;
  }
  std::vector<sb::nats::message> take_kept() {
    std::lock_guard<std::mutex> lock{mu_};
    return std::move(kept_);
  }

 private:
  std::mutex mu_;
  std::vector<seen> seen_;
  std::vector<sb::nats::message> kept_;
};

sb::nats::stream_config memory_stream(std::string name, std::string subject) {
  sb::nats::stream_config cfg;
  cfg.name = std::move(name);
  cfg.subjects = {std::move(subject)};
  cfg.memory_storage = true;
  return cfg;
}

}  // namespace

// -- core NATS
// -------------------------------------------------------------------------------------

TEST_CASE("a core message reaches its subscriber and a request nobody serves is not_found") {
  auto c = connect(shared_server().settings());
  collector got;
  auto sub = SB_REQUIRE_OK(c->subscribe("core.t1.>", [&](sb::nats::message m) { got.add(m); }));
  auto echo = SB_REQUIRE_OK(c->subscribe("svc.echo", [&](sb::nats::message m) {
    CHECK(c->publish(m.reply(), "echo:" + std::string{m.data()}).ok());
  }));
  SB_REQUIRE_OK(c->flush(2s));

  SB_REQUIRE_OK(c->publish("core.t1.a", "hello"));
  REQUIRE(wait_until([&] { return got.size() == 1; }));
  CHECK(got.snapshot()[0].subject == "core.t1.a");
  CHECK(got.snapshot()[0].data == "hello");

  CHECK(SB_REQUIRE_OK(c->request("svc.echo", "x", 2s)) == "echo:x");
  CHECK(code_of(c->request("svc.nobody", "x", 1s)) == errc::not_found);

  const auto st = c->stats();
  CHECK(st.connected);
  CHECK(st.in_msgs >= 2);   // "hello" and the echo reply
  CHECK(st.out_msgs >= 3);  // "hello", the request and the echo reply
  CHECK(st.reconnects == 0);
  CHECK(c->new_inbox().rfind("_INBOX.", 0) == 0);
}

TEST_CASE("headers and the reply subject survive a round trip and a core message cannot be acked") {
  auto c = connect(shared_server().settings());
  collector got;
  auto sub =
      SB_REQUIRE_OK(c->subscribe("hdr.t", [&](sb::nats::message m) { got.keep(std::move(m)); }));
  SB_REQUIRE_OK(c->flush(2s));
  SB_REQUIRE_OK(c->publish("hdr.t", "body", "my.reply", {{"Trace-Id", "abc"}, {"Sb-Kind", "k"}}));
  std::vector<sb::nats::message> kept;
  REQUIRE(wait_until([&] {
    auto more = got.take_kept();
    std::move(more.begin(), more.end(), std::back_inserter(kept));
    return !kept.empty();
  }));
  const auto& m = kept[0];
  CHECK(m.data() == "body");
  CHECK(m.reply() == "my.reply");
  CHECK(m.header("Trace-Id") == std::optional<std::string>{"abc"});
  CHECK(m.header("Sb-Kind") == std::optional<std::string>{"k"});
  CHECK(m.header("Missing") == std::nullopt);
  CHECK(m.stream_sequence() == 0);
  CHECK(m.delivery_count() == 0);
  CHECK(code_of(kept[0].ack()) == errc::invalid_argument);
}

TEST_CASE("destroying a subscription waits until its running handler returned") {
  for (int threads : {0, 2}) {  // own delivery thread, shared delivery pool
    CAPTURE(threads);
    auto settings = shared_server().settings();
    settings.delivery_threads = threads;
    auto c = connect(settings);
    std::atomic<bool> started{false};
    std::atomic<bool> finished{false};
    auto sub = SB_REQUIRE_OK(c->subscribe("slow.t", [&](sb::nats::message) {
      started = true;
      std::this_thread::sleep_for(300ms);
      finished = true;
    }));
    SB_REQUIRE_OK(c->flush(2s));
    SB_REQUIRE_OK(c->publish("slow.t", "x"));
    REQUIRE(wait_until([&] { return started.load(); }));
    sub.reset();
    CHECK(finished.load());
  }
}

TEST_CASE("a handler may destroy its own subscription") {
  auto c = connect(shared_server().settings());
  std::mutex mu;
  std::unique_ptr<sb::nats::subscription> sub;
  std::atomic<int> calls{0};
  std::atomic<bool> destroyed{false};
  {
    std::lock_guard<std::mutex> lock{mu};
    sub = SB_REQUIRE_OK(c->subscribe("self.t", [&](sb::nats::message) {
      ++calls;
      std::lock_guard<std::mutex> inner{mu};
      sub.reset();
      destroyed = true;
    }));
  }
  SB_REQUIRE_OK(c->flush(2s));
  SB_REQUIRE_OK(c->publish("self.t", "1"));
  SB_REQUIRE_OK(c->publish("self.t", "2"));
  REQUIRE(wait_until([&] { return destroyed.load(); }));
  std::this_thread::sleep_for(50ms);
  CHECK(calls.load() == 1);  // the second message came after the unsubscribe
}

// -- JetStream
// -------------------------------------------------------------------------------------

TEST_CASE("a JetStream publish with a repeated message id is a duplicate with the same sequence") {
  auto c = connect(shared_server().settings());
  auto cfg = memory_stream("DEDUP", "dedup.>");
  SB_REQUIRE_OK(c->ensure_stream(cfg));
  SB_REQUIRE_OK(c->ensure_stream(cfg));  // the same config again: nothing to do
  cfg.max_age = 1h;
  SB_REQUIRE_OK(c->ensure_stream(cfg));  // another config: updated

  const auto first = SB_REQUIRE_OK(c->js_publish("dedup.a", "one", "id-1"));
  const auto again = SB_REQUIRE_OK(c->js_publish("dedup.a", "one again", "id-1"));
  const auto second = SB_REQUIRE_OK(c->js_publish("dedup.a", "two", "id-2", {{"K", "v"}}));
  const auto no_id = SB_REQUIRE_OK(c->js_publish("dedup.a", "three", ""));
  CHECK(first.sequence == 1);
  CHECK_FALSE(first.duplicate);
  CHECK(again.sequence == 1);
  CHECK(again.duplicate);
  CHECK(second.sequence == 2);
  CHECK_FALSE(second.duplicate);
  CHECK(no_id.sequence == 3);
  CHECK(code_of(c->js_publish("nostream.a", "x", "")) == errc::not_found);
}

TEST_CASE("every asynchronous publish calls its callback exactly once, also past max pending") {
  auto settings = shared_server().settings();
  settings.max_pending_publishes = 16;  // 200 publishes stall on it many times
  auto c = connect(settings);
  SB_REQUIRE_OK(c->ensure_stream(memory_stream("ASYNC", "async.>")));

  constexpr int n = 200;
  std::mutex mu;
  std::vector<int> calls(n, 0);
  std::vector<uint64_t> sequences;
  for (int i = 0; i < n; ++i) {
    c->js_publish_async("async.x", "payload", "m-" + std::to_string(i), {},
                        [&, i](sb::result<sb::nats::publish_ack> r) {
                          std::lock_guard<std::mutex> lock{mu};
                          ++calls[static_cast<size_t>(i)];
                          if (r) {
                            sequences.push_back(r->sequence);
                          }
                        });
  }
  SB_REQUIRE_OK(c->js_publish_async_complete(5s));
  std::atomic<int> failures{0};
  std::atomic<errc> failure_code{errc::ok};
  c->js_publish_async("nostream.b", "x", "", {}, [&](sb::result<sb::nats::publish_ack> r) {
    failure_code = code_of(r);
    ++failures;
  });
  REQUIRE(wait_until([&] { return failures.load() == 1; }));
  CHECK(failure_code.load() != errc::ok);

  std::lock_guard<std::mutex> lock{mu};
  CHECK(std::all_of(calls.begin(), calls.end(), [](int k) { return k == 1; }));
  std::sort(sequences.begin(), sequences.end());
  REQUIRE(sequences.size() == n);
  CHECK(sequences.front() == 1);
  CHECK(sequences.back() == n);  // sorted, n of them, from 1 to n: every sequence once
  CHECK(std::adjacent_find(sequences.begin(), sequences.end()) == sequences.end());
  std::this_thread::sleep_for(50ms);
  CHECK(failures.load() == 1);
}

TEST_CASE("a second client resumes a durable consumer where the first one stopped") {
  auto a = connect(shared_server().settings());
  SB_REQUIRE_OK(a->ensure_stream(memory_stream("RESUME", "resume.>")));
  for (int i = 1; i <= 20; ++i) {
    SB_REQUIRE_OK(a->js_publish("resume.m", std::to_string(i), ""));
  }
  sb::nats::consumer_config cfg;
  cfg.stream = "RESUME";
  cfg.durable = "worker";
  cfg.filter_subject = "resume.>";
  cfg.ack_wait = 500ms;
  cfg.max_ack_pending = 5;

  // The first subscriber acks 1..5 and holds 6..10 unacked; max_ack_pending = 5 keeps 11..20
  // on the server.
  collector got_a;
  auto sub_a = SB_REQUIRE_OK(a->js_subscribe(cfg, [&](sb::nats::message m) {
    got_a.add(m);
    if (m.stream_sequence() <= 5) {
      CHECK(m.ack().ok());
      CHECK(m.ack().ok());  // a second ack is ignored
    } else {
      got_a.keep(std::move(m));
    }
  }));
  REQUIRE(wait_until([&] { return got_a.size() == 10; }));
  std::this_thread::sleep_for(100ms);
  CHECK(got_a.size() == 10);

  auto b = connect(shared_server().settings());
  collector got_b;
  auto handler_b = [&](sb::nats::message m) {
    got_b.add(m);
    CHECK(m.ack().ok());
  };
  CHECK(code_of(b->js_subscribe(cfg, handler_b)) == errc::bus_unavailable);  // a is bound

  sub_a.reset();
  auto held = got_a.take_kept();
  REQUIRE(held.size() == 5);
  CHECK(code_of(held[0].ack()) == errc::bus_unavailable);  // its subscription is gone
  held.clear();

  auto sub_b = SB_REQUIRE_OK(b->js_subscribe(cfg, handler_b));
  REQUIRE(wait_until([&] { return got_b.size() >= 15; }));
  std::map<uint64_t, uint64_t> deliveries;  // stream sequence -> delivery count
  for (const auto& s : got_b.snapshot()) {
    deliveries[s.sequence] = s.deliveries;
  }
  CHECK(deliveries.size() == 15);
  CHECK(deliveries.begin()->first == 6);  // 1..5 were acked by a
  CHECK(deliveries.rbegin()->first == 20);
  for (uint64_t seq = 6; seq <= 10; ++seq) {
    CHECK(deliveries[seq] == 2);  // delivered to a, redelivered after the ack wait
  }
  for (uint64_t seq = 11; seq <= 20; ++seq) {
    CHECK(deliveries[seq] == 1);
  }
  REQUIRE(wait_until([&] {
    auto st = b->consumer_info("RESUME", "worker");
    return st && st->ack_floor_stream_seq == 20 && st->num_ack_pending == 0;
  }));
  auto st = SB_REQUIRE_OK(b->consumer_info("RESUME", "worker"));
  CHECK(st.num_pending == 0);
  CHECK(st.delivered_stream_seq == 20);
  CHECK(st.push_bound);

  sub_b.reset();
  CHECK(wait_until([&] {
    auto info = b->consumer_info("RESUME", "worker");
    return info && !info->push_bound;
  }));
  SB_REQUIRE_OK(b->delete_consumer("RESUME", "worker"));
  CHECK(code_of(b->consumer_info("RESUME", "worker")) == errc::not_found);
  SB_REQUIRE_OK(b->delete_consumer("RESUME", "worker"));  // gone already: still ok
}

TEST_CASE("unacked messages of a vanished client are redelivered to the next one after ack_wait") {
  auto setup = connect(shared_server().settings());
  SB_REQUIRE_OK(setup->ensure_stream(memory_stream("VANISH", "vanish.>")));
  for (int i = 1; i <= 3; ++i) {
    SB_REQUIRE_OK(setup->js_publish("vanish.m", std::to_string(i), ""));
  }
  sb::nats::consumer_config cfg;
  cfg.stream = "VANISH";
  cfg.durable = "v";
  cfg.filter_subject = "vanish.>";
  cfg.ack_wait = 500ms;

  auto a = connect(shared_server().settings());
  collector got_a;
  auto sub_a = SB_REQUIRE_OK(a->js_subscribe(cfg, [&](sb::nats::message m) {
    got_a.add(m);
    got_a.keep(std::move(m));  // never acked
  }));
  REQUIRE(wait_until([&] { return got_a.size() == 3; }));
  const auto delivered_to_a = std::chrono::steady_clock::now();
  // The connection goes first, without unsubscribing, as when the process is killed.
  a.reset();
  sub_a.reset();
  got_a.take_kept().clear();

  auto b = connect(shared_server().settings());
  collector got_b;
  std::atomic<int64_t> first_ms{-1};
  auto sub_b = SB_REQUIRE_OK(b->js_subscribe(cfg, [&](sb::nats::message m) {
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - delivered_to_a);
    int64_t unset = -1;
    first_ms.compare_exchange_strong(unset, waited.count());
    got_b.add(m);
    CHECK(m.ack().ok());
  }));
  REQUIRE(wait_until([&] { return got_b.size() == 3; }));
  CHECK(first_ms.load() >= 400);  // not before the ack wait of 500 ms (100 ms of timer slack)
  for (const auto& s : got_b.snapshot()) {
    CHECK(s.deliveries == 2);
  }
  CHECK(wait_until([&] {
    auto st = b->consumer_info("VANISH", "v");
    return st && st->num_ack_pending == 0 && st->ack_floor_stream_seq == 3;
  }));
}

TEST_CASE("draining a JetStream subscription runs the pending messages and keeps the durable") {
  auto c = connect(shared_server().settings());
  SB_REQUIRE_OK(c->ensure_stream(memory_stream("DRAIN", "drain.>")));
  for (int i = 1; i <= 5; ++i) {
    SB_REQUIRE_OK(c->js_publish("drain.m", std::to_string(i), ""));
  }
  sb::nats::consumer_config cfg;
  cfg.stream = "DRAIN";
  cfg.durable = "d";
  collector got;
  auto sub = SB_REQUIRE_OK(c->js_subscribe(cfg, [&](sb::nats::message m) {
    got.add(m);
    CHECK(m.ack().ok());
  }));
  REQUIRE(wait_until([&] { return got.size() == 5; }));
  SB_REQUIRE_OK(sub->drain(2s));
  SB_REQUIRE_OK(sub->drain(2s));  // nothing left to do
  CHECK(sub->dropped() == 0);
  sub.reset();
  // NATS.c deletes a durable that js_Subscribe created when it is drained; ours must stay.
  auto st = SB_REQUIRE_OK(c->consumer_info("DRAIN", "d"));
  CHECK(st.ack_floor_stream_seq == 5);

  // Bound again with another ack wait (the consumer is updated), it goes on after message 5.
  cfg.ack_wait = 2s;
  sub = SB_REQUIRE_OK(c->js_subscribe(cfg, [&](sb::nats::message m) {
    got.add(m);
    CHECK(m.ack().ok());
  }));
  SB_REQUIRE_OK(c->js_publish("drain.m", "6", ""));
  REQUIRE(wait_until([&] { return got.size() == 6; }));
  CHECK(got.snapshot().back().sequence == 6);
}

// -- key-value
// -------------------------------------------------------------------------------------

TEST_CASE("a key-value bucket creates, updates, reads, erases and lists keys") {
  auto c = connect(shared_server().settings());
  auto kv = SB_REQUIRE_OK(c->key_value("kvtest", 0ms));
  CHECK(SB_REQUIRE_OK(kv->keys()).empty());
  CHECK(SB_REQUIRE_OK(kv->get("a")) == std::nullopt);

  const auto r1 = SB_REQUIRE_OK(kv->create("a", "1"));
  REQUIRE(r1.has_value());
  CHECK(SB_REQUIRE_OK(kv->create("a", "2")) == std::nullopt);  // a live value exists
  auto e = SB_REQUIRE_OK(kv->get("a"));
  REQUIRE(e.has_value());
  CHECK(e->value == "1");
  CHECK(e->revision == *r1);

  const auto r2 = SB_REQUIRE_OK(kv->update("a", "3", *r1));
  REQUIRE(r2.has_value());
  CHECK(*r2 > *r1);
  CHECK(SB_REQUIRE_OK(kv->update("a", "4", *r1)) == std::nullopt);  // stale revision
  CHECK(SB_REQUIRE_OK(kv->get("a"))->value == "3");

  const auto rb = SB_REQUIRE_OK(kv->put("b", "x"));
  CHECK(rb > *r2);
  CHECK(SB_REQUIRE_OK(kv->keys()) == std::vector<std::string>{"a", "b"});

  SB_REQUIRE_OK(kv->erase("a"));
  CHECK(SB_REQUIRE_OK(kv->get("a")) == std::nullopt);
  CHECK(SB_REQUIRE_OK(kv->keys()) == std::vector<std::string>{"b"});
  const auto r3 = SB_REQUIRE_OK(kv->create("a", "5"));  // past the delete marker
  REQUIRE(r3.has_value());
  CHECK(SB_REQUIRE_OK(kv->create("a", "6")) == std::nullopt);

  CHECK(code_of(kv->update("a", "7", 0)) == errc::invalid_argument);
  CHECK(code_of(kv->create("bad key", "x")) == errc::invalid_argument);

  auto other = connect(shared_server().settings());
  auto same = SB_REQUIRE_OK(other->key_value("kvtest", 0ms));  // opens the existing bucket
  CHECK(SB_REQUIRE_OK(same->get("a"))->value == "5");
  CHECK(SB_REQUIRE_OK(same->get("a"))->revision == *r3);
}

TEST_CASE("a key-value create succeeds again once the bucket's TTL expired the key") {
  auto c = connect(shared_server().settings());
  auto kv = SB_REQUIRE_OK(c->key_value("kvttl", 1s));
  const auto held = SB_REQUIRE_OK(kv->create("lease", "node-1"));
  REQUIRE(held.has_value());
  CHECK(SB_REQUIRE_OK(kv->create("lease", "node-2")) == std::nullopt);

  std::this_thread::sleep_for(1200ms);
  std::optional<uint64_t> taken;
  REQUIRE(wait_until(
      [&] {
        taken = SB_REQUIRE_OK(kv->create("lease", "node-2"));
        return taken.has_value();
      },
      4s));
  CHECK(*taken > *held);  // revisions only grow: a fencing token
  CHECK(SB_REQUIRE_OK(kv->update("lease", "node-1", *held)) == std::nullopt);  // the old owner
  CHECK(SB_REQUIRE_OK(kv->get("lease"))->value == "node-2");
}

// -- connection
// ------------------------------------------------------------------------------------

TEST_CASE("user and password authentication refuses a wrong password") {
  sb::test::nats_server_options options;
  options.jetstream = false;
  options.user = "alice";
  options.password = "s3cret";
  auto server = SB_REQUIRE_OK(sb::test::nats_server::start(options));

  auto wrong = server.settings();
  wrong.password = "guess";
  CHECK(code_of(sb::nats::client::connect(wrong)) == errc::bus_unavailable);
  auto none = server.settings();
  none.user.clear();
  none.password.clear();
  CHECK(code_of(sb::nats::client::connect(none)) == errc::bus_unavailable);
  auto half = server.settings();
  half.password.clear();
  CHECK(code_of(sb::nats::client::connect(half)) == errc::invalid_argument);

  auto c = connect(server.settings());
  SB_REQUIRE_OK(c->publish("auth.t", "x"));
  SB_REQUIRE_OK(c->flush(2s));
}

TEST_CASE("after a server restart the client reconnects, keeps its subscription and its streams") {
  auto server = SB_REQUIRE_OK(sb::test::nats_server::start());
  auto c = connect(server.settings());
  std::mutex mu;
  std::vector<bool> changes;
  c->on_connection_change([&](bool up) {
    std::lock_guard<std::mutex> lock{mu};
    changes.push_back(up);
  });
  sb::nats::stream_config cfg;
  cfg.name = "KEEP";
  cfg.subjects = {"keep.>"};  // file storage: survives the restart
  SB_REQUIRE_OK(c->ensure_stream(cfg));
  for (int i = 1; i <= 3; ++i) {
    SB_REQUIRE_OK(c->js_publish("keep.m", std::to_string(i), "k-" + std::to_string(i)));
  }
  collector got;
  auto sub = SB_REQUIRE_OK(c->subscribe("live.>", [&](sb::nats::message m) { got.add(m); }));
  SB_REQUIRE_OK(c->flush(2s));

  SB_REQUIRE_OK(server.restart());
  REQUIRE(wait_until([&] { return c->stats().connected && c->stats().reconnects >= 1; }, 10s));
  CHECK(c->stats().disconnects >= 1);

  SB_REQUIRE_OK(c->publish("live.after", "still here"));
  REQUIRE(wait_until([&] { return got.size() == 1; }));
  CHECK(got.snapshot()[0].data == "still here");

  const auto dup = SB_REQUIRE_OK(c->js_publish("keep.m", "3 again", "k-3"));
  CHECK(dup.duplicate);  // the dedup window survived too
  CHECK(dup.sequence == 3);
  CHECK(SB_REQUIRE_OK(c->js_publish("keep.m", "4", "k-4")).sequence == 4);

  std::lock_guard<std::mutex> lock{mu};
  REQUIRE(changes.size() >= 2);
  CHECK(changes.front() == false);
  CHECK(changes.back() == true);
}
