#include <doctest/doctest.h>

#include <signal.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "tests/support/process.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using sb::test::process;

// Polls the log until it contains `text`, for at most five seconds.
bool log_contains(const process& p, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (sb::test::read_tail(p.log_path()).find(text) != std::string::npos) {
      return true;
    }
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

}  // namespace

TEST_CASE("a spawned program writes stdout and stderr to its log and returns its exit code") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create());
  auto p = SB_REQUIRE_OK(
      process::spawn("sh", {"-c", "echo hello; echo oops >&2; exit 3"}, dir.file("out.log")));
  CHECK(SB_REQUIRE_OK(p.wait_for_exit(5s)) == 3);
  CHECK_FALSE(p.is_running());
  const std::string log = sb::test::read_tail(dir.file("out.log"));
  CHECK(log.find("hello") != std::string::npos);
  CHECK(log.find("oops") != std::string::npos);
}

TEST_CASE("a spawned program with a stderr file writes stdout and stderr apart") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create());
  sb::test::process_options options;
  options.log_path = dir.file("out.log");
  options.stderr_path = dir.file("err.log");
  auto p = SB_REQUIRE_OK(process::spawn("sh", {"-c", "echo hello; echo oops >&2"}, options));
  CHECK(SB_REQUIRE_OK(p.wait_for_exit(5s)) == 0);
  CHECK(sb::test::read_tail(options.log_path) == "hello\n");
  CHECK(sb::test::read_tail(options.stderr_path) == "oops\n");
}

TEST_CASE("a spawned program gets the extra environment and the working directory") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create());
  sb::test::process_options options;
  options.log_path = dir.file("out.log");
  options.env = {{"SB_PROCESS_TEST", "forty two"}, {"HOME", "/nowhere"}};
  options.working_dir = dir.path();
  auto p = SB_REQUIRE_OK(
      process::spawn("sh", {"-c", "echo \"$SB_PROCESS_TEST|$HOME|$(pwd)\""}, options));
  CHECK(SB_REQUIRE_OK(p.wait_for_exit(5s)) == 0);
  CHECK(sb::test::read_tail(options.log_path) == "forty two|/nowhere|" + dir.path() + "\n");
}

TEST_CASE("a program that does not exist fails to spawn with not_found") {
  auto p = process::spawn("sb-no-such-program", {}, "");
  CHECK(sb::test::code_of(p) == sb::errc::not_found);
}

TEST_CASE("terminate stops a running program with SIGTERM") {
  auto p = SB_REQUIRE_OK(process::spawn("sleep", {"30"}, ""));
  CHECK(p.is_running());
  CHECK(SB_REQUIRE_OK(p.terminate(5s)) == 128 + SIGTERM);
  CHECK_FALSE(p.is_running());
}

TEST_CASE("terminate falls back to SIGKILL when the program ignores SIGTERM") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create());
  auto p = SB_REQUIRE_OK(process::spawn(
      "sh", {"-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"}, dir.file("log")));
  REQUIRE(log_contains(p, "ready"));
  CHECK(SB_REQUIRE_OK(p.terminate(200ms)) == 128 + SIGKILL);
}

TEST_CASE("wait_for_exit times out while the program still runs") {
  auto p = SB_REQUIRE_OK(process::spawn("sleep", {"30"}, ""));
  CHECK(sb::test::code_of(p.wait_for_exit(50ms)) == sb::errc::timeout);
  CHECK(SB_REQUIRE_OK(p.kill()) == 128 + SIGKILL);
}

TEST_CASE("destroying a process object kills and reaps the program") {
  int pid = -1;
  {
    auto p = SB_REQUIRE_OK(process::spawn("sleep", {"30"}, ""));
    pid = p.pid();
    process moved = std::move(p);
    CHECK(moved.pid() == pid);
    CHECK(moved.is_running());
  }
  CHECK(::kill(pid, 0) == -1);
  CHECK(errno == ESRCH);
}
