#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "runtime/store.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/store_contract.hpp"

namespace {

using namespace std::chrono_literals;
using sb::test::code_of;

// One server for the contract tests; each fixture gets its own key prefix on it, so every
// subcase starts from an empty store without restarting anything.
sb::test::redis_server& shared_server() {
  static auto server = sb::test::redis_server::start();
  if (!server) {
    FAIL("cannot start redis-server: " << server.err().to_string());
  }
  return *server;
}

std::unique_ptr<sb::store> connect(const sb::redis_settings& settings) {
  return SB_REQUIRE_OK(sb::make_redis_store(settings));
}

// A redis store with a key prefix of its own. TTLs run on real time, so advance() sleeps; the
// contract only calls it between polls of a condition, with a deadline.
struct redis_fixture {
  static constexpr bool exact_time = false;
  static constexpr int64_t short_ttl = 150;

  std::unique_ptr<sb::store> instance;

  redis_fixture() {
    static std::atomic<int> next_id{0};
    auto settings = shared_server().settings();
    settings.key_prefix = "contract" + std::to_string(next_id.fetch_add(1)) + ":";
    instance = connect(settings);
  }

  sb::store& store() { return *instance; }
  void advance(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds{ms}); }
};

}  // namespace

// -- the shared contract
// -----------------------------------------------------------------------------

TEST_CASE("the redis store keeps plain values as the store contract says") {
  redis_fixture f;
  sb::test::check_plain_values(f);
}

TEST_CASE("the redis store compares and sets as the store contract says") {
  redis_fixture f;
  sb::test::check_compare_and_set(f);
}

TEST_CASE("the redis store expires values as the store contract says") {
  redis_fixture f;
  sb::test::check_expiry(f);
}

TEST_CASE("the redis store orders sorted sets as the store contract says") {
  redis_fixture f;
  sb::test::check_sorted_sets(f);
}

TEST_CASE("the redis store is binary-safe") {
  redis_fixture f;
  sb::test::check_binary_safety(f);
}

TEST_CASE("the redis store loses no update under concurrent callers") {
  redis_fixture f;
  sb::test::check_concurrency(f);
}

TEST_CASE("the redis store fences writes as the store contract says") {
  redis_fixture f;
  sb::test::check_fences(f);
}

TEST_CASE("the redis store claims all or nothing as the store contract says") {
  redis_fixture f;
  sb::test::check_claims(f);
}

TEST_CASE("the redis store keeps racing claims exactly-once and within budget") {
  redis_fixture f;
  sb::test::check_claim_concurrency(f);
}

// -- keys
// ----------------------------------------------------------------------------------------------

TEST_CASE("two redis stores with different key prefixes do not see each other's keys") {
  auto settings = shared_server().settings();
  settings.key_prefix = "iso-a:";
  auto a = connect(settings);
  settings.key_prefix = "iso-b:";
  auto b = connect(settings);
  settings.key_prefix = "";
  auto raw = connect(settings);

  SB_REQUIRE_OK(a->put("k", "from a"));
  SB_REQUIRE_OK(a->sorted_set_add("z", "m", 1));
  CHECK(SB_REQUIRE_OK(b->get("k")) == std::nullopt);
  CHECK(SB_REQUIRE_OK(b->sorted_set_size("z")) == 0);
  CHECK(SB_REQUIRE_OK(b->put_if_absent("k", "from b")));
  CHECK(SB_REQUIRE_OK(a->get("k")) == sb::test::opt_string{"from a"});
  // The prefix is literally prepended to the Redis key.
  CHECK(SB_REQUIRE_OK(raw->get("iso-a:k")) == sb::test::opt_string{"from a"});
  CHECK(SB_REQUIRE_OK(raw->sorted_set_size("iso-a:z")) == 1);
}

TEST_CASE("redis stores on different databases do not see each other's keys") {
  auto settings = shared_server().settings();
  settings.key_prefix = "db-test:";
  auto db0 = connect(settings);
  settings.db = 1;
  auto db1 = connect(settings);
  SB_REQUIRE_OK(db0->put("k", "zero"));
  CHECK(SB_REQUIRE_OK(db1->get("k")) == std::nullopt);
}

TEST_CASE("reading a sorted set as a plain value is a protocol error, not a crash") {
  redis_fixture f;
  SB_REQUIRE_OK(f.store().sorted_set_add("z", "m", 1));
  CHECK(code_of(f.store().get("z")) == sb::errc::store_protocol);
  CHECK(code_of(f.store().compare_and_set("z", std::nullopt, sb::test::opt_string{"x"})) ==
        sb::errc::store_protocol);
  SB_REQUIRE_OK(f.store().ping());
}

TEST_CASE("a claim onto keys of the wrong type fails before writing anything") {
  redis_fixture f;
  auto& s = f.store();
  SB_REQUIRE_OK(s.sorted_set_add("zset", "m", 1));
  SB_REQUIRE_OK(s.put("plain", "x"));
  // A counter that is a sorted set: GET fails inside the script, before any write.
  auto req = sb::test::claim_of("once", "v", {{"n", 1, -1}, {"zset", 1, -1}});
  CHECK(code_of(s.claim(req)) == sb::errc::store_protocol);
  // A sorted set to add to that is a plain value: the script checks its type before writing.
  req = sb::test::claim_of("once", "v", {{"n", 1, -1}});
  req.puts = {{"p", "y"}};
  req.index_adds = {{"plain", {"m", 1}}};
  CHECK(code_of(s.claim(req)) == sb::errc::store_protocol);
  CHECK(SB_REQUIRE_OK(s.get("once")) == std::nullopt);
  CHECK(SB_REQUIRE_OK(s.get("n")) == std::nullopt);
  CHECK(SB_REQUIRE_OK(s.get("p")) == std::nullopt);
  CHECK(SB_REQUIRE_OK(s.get("plain")) == sb::test::opt_string{"x"});
  // A once_key that is a sorted set cannot be read as a claim.
  CHECK(code_of(s.claim(sb::test::claim_of("zset", "v", {}))) == sb::errc::store_protocol);
}

TEST_CASE("the redis store names itself redis") {
  redis_fixture f;
  CHECK(f.store().kind() == "redis");
}

// -- connecting
// --------------------------------------------------------------------------------------

TEST_CASE("a redis store where nothing listens fails with store_unavailable") {
  sb::redis_settings settings;
  settings.port = SB_REQUIRE_OK(sb::test::free_tcp_port());
  auto store = sb::make_redis_store(settings);
  CHECK(code_of(store) == sb::errc::store_unavailable);
}

TEST_CASE("redis settings without a pool or a timeout are an invalid argument") {
  auto settings = shared_server().settings();
  settings.pool_size = 0;
  CHECK(code_of(sb::make_redis_store(settings)) == sb::errc::invalid_argument);
  settings.pool_size = 1;
  settings.timeout_ms = 0;
  CHECK(code_of(sb::make_redis_store(settings)) == sb::errc::invalid_argument);
}

TEST_CASE("a redis store authenticates with the password and refuses a wrong one cleanly") {
  sb::test::redis_server_options options;
  options.password = "s3cret pass";
  auto server = SB_REQUIRE_OK(sb::test::redis_server::start(options));

  auto settings = server.settings();
  auto store = connect(settings);
  SB_REQUIRE_OK(store->put("k", "v"));
  CHECK(SB_REQUIRE_OK(store->get("k")) == sb::test::opt_string{"v"});

  settings.password = "wrong";
  CHECK(code_of(sb::make_redis_store(settings)) == sb::errc::store_unavailable);
  settings.password.clear();
  CHECK(code_of(sb::make_redis_store(settings)) == sb::errc::store_unavailable);
}

// -- restarts
// ------------------------------------------------------------------------------------------

TEST_CASE("a restarted redis server is reconnected to on the next call") {
  sb::test::redis_server_options options;
  options.append_only = true;
  auto server = SB_REQUIRE_OK(sb::test::redis_server::start(options));
  auto settings = server.settings();
  settings.pool_size = 3;
  auto store = connect(settings);
  SB_REQUIRE_OK(store->put("k", "before"));
  SB_REQUIRE_OK(store->sorted_set_add("z", "m", 7));

  SB_REQUIRE_OK(server.restart());

  // The first call after the restart succeeds: the dead connection is replaced transparently.
  CHECK(SB_REQUIRE_OK(store->get("k")) == sb::test::opt_string{"before"});
  // The restarted server has forgotten the compare-and-set script.
  CHECK(SB_REQUIRE_OK(
      store->compare_and_set("k", sb::test::opt_string{"before"}, sb::test::opt_string{"after"})));
  CHECK(SB_REQUIRE_OK(store->get("k")) == sb::test::opt_string{"after"});
  // ... and the claim script.
  auto claimed = SB_REQUIRE_OK(store->claim(sb::test::claim_of("once", "v", {{"n", 1, 5}})));
  CHECK(claimed.status == sb::claim_status::claimed);
  CHECK(SB_REQUIRE_OK(store->get("n")) == sb::test::opt_string{"1"});
  // ... and the fence script.
  CHECK(SB_REQUIRE_OK(store->raise_fence("fence", 2)));
  CHECK(SB_REQUIRE_OK(store->put_fenced("state", "v", "fence", 2)));
  CHECK(SB_REQUIRE_OK(store->get("state")) == sb::test::opt_string{"v"});

  // Every pooled connection died with the old server; busy threads reach all of them.
  SB_REQUIRE_OK(server.restart());
  std::atomic<int> failures{0};
  sb::test::run_together(2 * settings.pool_size, [&](int) {
    for (int i = 0; i < 20; ++i) {
      failures.fetch_add(store->sorted_set_size("z").ok() ? 0 : 1);
    }
  });
  CHECK(failures.load() == 0);
}

TEST_CASE("a redis store whose server is down answers store_unavailable until it is back") {
  sb::test::redis_server_options options;
  options.append_only = true;
  auto server = SB_REQUIRE_OK(sb::test::redis_server::start(options));
  auto store = connect(server.settings());
  SB_REQUIRE_OK(store->put("k", "v"));

  SB_REQUIRE_OK(server.stop());
  CHECK(code_of(store->get("k")) == sb::errc::store_unavailable);
  CHECK(code_of(store->put("k", "w")) == sb::errc::store_unavailable);
  CHECK(code_of(store->ping()) == sb::errc::store_unavailable);

  SB_REQUIRE_OK(server.restart());
  CHECK(SB_REQUIRE_OK(store->get("k")) == sb::test::opt_string{"v"});
}
