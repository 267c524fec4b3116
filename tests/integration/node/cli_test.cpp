// The `switchboard` binary's command line: exit codes (0 ok, 1 run-time failure, 2 usage, 3 config
// or scenario refused), where refusals point (file:line:column, the --set argument), the demo, the
// JSON log format, and an unreachable Redis.
#include <doctest/doctest.h>

#include <chrono>
#include <sstream>
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

/// What a finished run of `switchboard` left.
struct run_output {
  int exit_code = -1;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

/// Runs `switchboard args...` in `working_dir` (empty: the test's) until it exits, for at most
/// 30 s (then the test fails and the process is killed), with stdout and stderr in files of `dir`.
run_output run(const sb::test::temp_dir& dir, const std::vector<std::string>& args,
               const std::string& working_dir = "") {
  static int runs = 0;
  const auto n = std::to_string(++runs);
  sb::test::process_options options;
  options.log_path = dir.file("stdout-" + n + ".txt");
  options.stderr_path = dir.file("stderr-" + n + ".txt");
  options.working_dir = working_dir;
  auto p = SB_REQUIRE_OK(process::spawn(sb::test::switchboard_binary(), args, options));
  auto code = p.wait_for_exit(30s);
  REQUIRE_MESSAGE(code.ok(),
                  "switchboard did not exit: " << code.err().to_string() << "\nstderr:\n"
                                               << sb::test::read_tail(options.stderr_path));
  return {*code, sb::test::read_file(options.log_path), sb::test::read_file(options.stderr_path)};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

// -- configuration refused
// ----------------------------------------------------------------------------

TEST_CASE("a config file with an unknown key is refused with exit code 3 naming its position") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-cli"));
  const auto file = dir.file("node.yaml");
  sb::test::write_file(file, "store:\n  kind: memory\n  redis:\n    prot: 6379\n");
  auto r = run(dir, {"node", "--config", file});
  CHECK(r.exit_code == 3);
  CHECK_MESSAGE(contains(r.err, file + ":4:5: store.redis.prot"), r.err);
  CHECK_MESSAGE(contains(r.err, "unknown key"), r.err);
}

TEST_CASE("a config file with a bad value is refused with exit code 3 naming its position") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-cli"));
  const auto file = dir.file("node.yaml");
  sb::test::write_file(file, "gateway:\n  threads: many\n");
  auto r = run(dir, {"node", "--config", file});
  CHECK(r.exit_code == 3);
  CHECK_MESSAGE(contains(r.err, file + ":2:12: gateway.threads"), r.err);
  CHECK_MESSAGE(contains(r.err, "many"), r.err);
}

TEST_CASE("an unknown --set key is refused with exit code 3 naming the argument") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-cli"));
  auto r = run(dir, {"node", "--set", "nope=1"});
  CHECK(r.exit_code == 3);
  CHECK_MESSAGE(contains(r.err, "--set nope=1"), r.err);

  auto bad_value = run(dir, {"node", "--set", "store.redis.port=99999"});
  CHECK(bad_value.exit_code == 3);
  CHECK_MESSAGE(contains(bad_value.err, "--set store.redis.port=99999"), bad_value.err);
}

TEST_CASE("an unknown command-line flag or a missing command is a usage error with exit code 2") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-cli"));
  auto flag = run(dir, {"node", "--bogus"});
  CHECK(flag.exit_code == 2);
  CHECK_MESSAGE(contains(flag.err, "--bogus"), flag.err);
  CHECK(run(dir, {}).exit_code == 2);
  CHECK(run(dir, {"teleport"}).exit_code == 2);
}

TEST_CASE("the shipped example config starts a node that stops cleanly on SIGTERM") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-cli"));
  auto p = SB_REQUIRE_OK(
      process::spawn(sb::test::switchboard_binary(),
                     {"node", "--config", sb::test::source_dir() + "/config/node.example.yaml",
                      "--set", "gateway.listen=127.0.0.1:0"},
                     dir.file("node.log")));
  CHECK(SB_REQUIRE_OK(sb::test::wait_for_gateway(p, 15s)) > 0);
  CHECK(SB_REQUIRE_OK(p.terminate(15s)) == 0);
  CHECK_MESSAGE(contains(sb::test::read_file(p.log_path()), "stopped cleanly"),
                sb::test::read_file(p.log_path()));
}

// -- the demo
// -----------------------------------------------------------------------------------------

TEST_CASE("the demo replays the shipped scenario, prints a summary and exits 0") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-cli"));
  auto r = run(dir, {"demo"}, sb::test::source_dir());
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK_MESSAGE(contains(r.out, "Summary"), r.out);
}

TEST_CASE("a bad scenario file is refused with exit code 3 naming its position") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-cli"));
  const auto file = dir.file("scenario.yaml");
  sb::test::write_file(file, "name: broken\nsteps:\n  - jump: 5m\n");
  auto r = run(dir, {"demo", "--scenario", file});
  CHECK(r.exit_code == 3);
  CHECK_MESSAGE(contains(r.err, file + ":3:5"), r.err);
  CHECK_MESSAGE(contains(r.err, "jump"), r.err);

  sb::test::write_file(file, "name: broken\nsteps: [\n");
  auto syntax = run(dir, {"demo", "--scenario", file});
  CHECK(syntax.exit_code == 3);
  CHECK_MESSAGE(contains(syntax.err, file + ":"), syntax.err);

  auto missing = run(dir, {"demo", "--scenario", dir.file("absent.yaml")});
  CHECK(missing.exit_code == 3);
  CHECK_MESSAGE(contains(missing.err, dir.file("absent.yaml")), missing.err);
}

// -- logging
// ------------------------------------------------------------------------------------------

TEST_CASE("--log-format json makes every log line of the node a JSON object") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-cli"));
  auto p =
      SB_REQUIRE_OK(process::spawn(sb::test::switchboard_binary(),
                                   {"node", "--log-format", "json", "--set",
                                    "gateway.listen=127.0.0.1:0", "--set", "node.id=json-node"},
                                   dir.file("node.log")));
  CHECK(SB_REQUIRE_OK(sb::test::wait_for_gateway(p, 15s)) > 0);
  CHECK(SB_REQUIRE_OK(p.terminate(15s)) == 0);

  std::istringstream lines{sb::test::read_file(p.log_path())};
  std::string line;
  int parsed = 0;
  bool saw_listening = false;
  bool saw_drained = false;
  while (std::getline(lines, line)) {
    CAPTURE(line);
    auto j = nlohmann::json::parse(line, nullptr, false);
    REQUIRE(j.is_object());
    ++parsed;
    for (const char* field : {"ts", "level", "node", "logger", "msg"}) {
      CHECK_MESSAGE((j.contains(field) && j[field].is_string()), field);
    }
    CHECK(j["node"] == "json-node");
    const auto msg = j.value("msg", "");
    saw_listening = saw_listening || (j["logger"] == "gateway" && contains(msg, "listening on"));
    saw_drained = saw_drained || (j["logger"] == "node" && contains(msg, "drained:"));
  }
  CHECK(parsed >= 4);
  CHECK(saw_listening);
  CHECK(saw_drained);
}

// -- run-time failure
// ---------------------------------------------------------------------------------

TEST_CASE("a node whose Redis is unreachable exits with code 1 and says why") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-cli"));
  const int port = SB_REQUIRE_OK(sb::test::free_tcp_port());  // nothing listens there
  auto r = run(dir, {"node", "--set", "store.kind=redis", "--set",
                     "store.redis.port=" + std::to_string(port), "--set",
                     "store.redis.timeout=500ms", "--set", "gateway.listen=127.0.0.1:0"});
  CHECK_MESSAGE(r.exit_code == 1, r.err);
  CHECK_MESSAGE(contains(r.err, "cannot start the node"), r.err);
  CHECK_MESSAGE(contains(r.err, "127.0.0.1:" + std::to_string(port)), r.err);
  CHECK_MESSAGE(contains(r.err, "Redis"), r.err);
  CHECK_FALSE(contains(r.err, "listening on"));
}
