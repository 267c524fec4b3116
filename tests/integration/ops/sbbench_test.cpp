// `sbbench` against a real node binary: a short run over all three channels with the node's
// secrets answers everything without errors and reports in JSON; exit codes of a node that is not
// there (1) and of bad usage (2).
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/node_binary.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/process.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using sb::test::process;

struct run_output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

run_output sbbench(const sb::test::temp_dir& dir, const std::vector<std::string>& args) {
  static int runs = 0;
  const auto n = std::to_string(++runs);
  sb::test::process_options options;
  options.log_path = dir.file("stdout-" + n + ".txt");
  options.stderr_path = dir.file("stderr-" + n + ".txt");
  auto p = SB_REQUIRE_OK(process::spawn(sb::test::sbbench_binary(), args, options));
  auto code = SB_REQUIRE_OK(p.wait_for_exit(60s));
  return {code, sb::test::read_file(options.log_path), sb::test::read_file(options.stderr_path)};
}

}  // namespace

TEST_CASE("sbbench drives web, app and WeChat shoppers through a node without errors") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sbbench"));
  sb::test::process_options node_opts;
  node_opts.log_path = dir.file("node.log");
  node_opts.working_dir = sb::test::source_dir();
  auto node = SB_REQUIRE_OK(
      process::spawn(sb::test::switchboard_binary(),
                     {"node", "--set", "gateway.listen=127.0.0.1:0", "--set",
                      "channels.app.secret=app-s3cret", "--set", "channels.wechat.token=wx-token",
                      "--set", "events.token=ev-token", "--set", "admin.token=adm",
                      // A thread per kept-open client connection (README, limits).
                      "--set", "gateway.threads=32"},
                     node_opts));
  const int port = SB_REQUIRE_OK(sb::test::wait_for_gateway(node, 15s));
  const auto url = "http://127.0.0.1:" + std::to_string(port);

  auto r = sbbench(dir, {"--node",         url,
                         "--people",       "20",
                         "--rate",         "50",
                         "--duration",     "3",
                         "--mix",          "1:1:1",
                         "--seed",         "7",
                         "--app-secret",   "app-s3cret",
                         "--wechat-token", "wx-token",
                         "--events-token", "ev-token",
                         "--admin-token",  "adm",
                         "--node-pid",     std::to_string(node.pid()),
                         "--json"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_MESSAGE(j.is_object(), r.out);
  INFO(r.out);
  CHECK(j["answered"].get<int>() > 0);
  CHECK(j["error_count"] == 0);
  CHECK(j["errors"].empty());
  // 50 messages/s for 3 s is 150 ticks; a tick waits while all 20 people wait for replies, so
  // allow a slow machine to fall behind, but not to a standstill.
  CHECK(j["sent"].get<int>() >= 75);
  CHECK(j["sent"].get<int>() <= 150);
  CHECK(j["answered"].get<int>() + j["silent"].get<int>() + j["pending"].get<int>() ==
        j["sent"].get<int>());
  for (const char* ch : {"web", "app", "wechat"}) {
    CHECK_MESSAGE(j["sent_by_channel"][ch].get<int>() > 0, ch);
  }
  CHECK(j["events_sent"] == j["events_ok"]);
  CHECK(j["sustained_per_s"].get<double>() > 0);
  for (const char* f : {"count", "p50", "p99", "p99_9", "max", "mean"}) {
    CHECK_MESSAGE(j["latency_ms"].contains(f), f);
  }
  CHECK(j["latency_ms"]["p50"].get<double>() <= j["latency_ms"]["p99"].get<double>());
  CHECK(j["latency_ms"]["p99"].get<double>() <= j["latency_ms"]["p99_9"].get<double>());
  CHECK(j["memory"]["rss_after_bytes"].get<int64_t>() > 0);
  CHECK(j["memory"]["live_conversations"].get<int64_t>() > 0);

  auto table = sbbench(
      dir, {"--node", url, "--people", "2", "--rate", "10", "--duration", "1", "--mix", "1:0:0"});
  CHECK_MESSAGE(table.exit_code == 0, table.err);
  CHECK(table.out.find("latency p50/p99/p99.9") != std::string::npos);
  CHECK(SB_REQUIRE_OK(node.terminate(15s)) == 0);
}

TEST_CASE("sbbench exits 1 when the node is unreachable and 2 on bad usage") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sbbench"));
  const int port = SB_REQUIRE_OK(sb::test::free_tcp_port());
  const auto url = "http://127.0.0.1:" + std::to_string(port);
  auto down = sbbench(dir, {"--node", url, "--duration", "1", "--mix", "1:0:0"});
  CHECK(down.exit_code == 1);
  CHECK_MESSAGE(down.err.find("unreachable") != std::string::npos, down.err);

  auto no_secret = sbbench(dir, {"--node", url, "--mix", "1:1:0"});
  CHECK(no_secret.exit_code == 2);
  CHECK_MESSAGE(no_secret.err.find("--app-secret") != std::string::npos, no_secret.err);
  CHECK(sbbench(dir, {"--node", url, "--mix", "0:0:0"}).exit_code == 2);
  CHECK(sbbench(dir, {"--node", url, "--bogus"}).exit_code == 2);
  CHECK(sbbench(dir, {}).exit_code == 2);
}

TEST_CASE("sbbench --idle-conversations opens conversations on its own node and passivates them") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sbbench"));
  // Memory store, default config files (relative to the source tree, CTest's working folder).
  auto r =
      sbbench(dir, {"--idle-conversations", "300", "--set", "actors.idle_passivate=30d", "--json"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["conversations"] == 300);
  CHECK(j["failed"] == 0);
  CHECK(j["store"] == "memory");
  // One batch: after it the clock moved past actors.user_idle_passivate and the sweep passivated
  // the 300 people's user actors, not their conversations.
  CHECK(j["users_passivated"] == 300);
  CHECK(j["live_by_kind"]["conversation"] == 300);
  CHECK_FALSE(j["live_by_kind"].contains("user"));
  CHECK(j["passivated"].get<int64_t>() >= 300);
  CHECK(j["rss_live_bytes"].get<int64_t>() > j["rss_start_bytes"].get<int64_t>());
  if (!j["heap_live_bytes"].is_null()) {  // null under ASan, whose allocator glibc cannot count
    CHECK(j["heap_live_bytes"].get<int64_t>() > j["heap_start_bytes"].get<int64_t>());
  }

  // A config the node refuses is a usage error, with the node's own message.
  auto bad = sbbench(dir, {"--idle-conversations", "10", "--set", "actors.idle_passivat=1m"});
  CHECK(bad.exit_code == 2);
  CHECK_MESSAGE(bad.err.find("unknown key actors.idle_passivat") != std::string::npos, bad.err);
  // Six batches move the clock 6 minutes: the default actors.idle_passivate (5m) would passivate
  // the first conversations before they are counted.
  auto clock_too_short = sbbench(dir, {"--idle-conversations", "60", "--idle-batch", "10"});
  CHECK(clock_too_short.exit_code == 2);
  CHECK_MESSAGE(clock_too_short.err.find("actors.idle_passivate") != std::string::npos,
                clock_too_short.err);
}

TEST_CASE("sbbench --sink measures the load tool against a server that answers at once") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sbbench"));
  auto r = sbbench(dir, {"--sink", "--people", "50", "--rate", "400", "--duration", "1", "--mix",
                         "6:2:2", "--json"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["sent"].get<int64_t>() > 300);  // 400/s for 1 s, open loop
  CHECK(j["error_count"] == 0);
  CHECK(j["answered"] == j["sent"]);  // the sink answers every message with a reply
  CHECK(j["load_cpu_s"].get<double>() > 0.0);
  CHECK(sbbench(dir, {"--sink", "--node", "http://127.0.0.1:1"}).exit_code == 2);
}
