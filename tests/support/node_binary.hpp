#pragma once

// Helpers for tests that run the `switchboard` binary or talk to a node's HTTP gateway: where the
// binary and the sources are (CTest passes SB_BIN_DIR and SB_SOURCE_DIR), the gateway port a node
// announced in its log, polling a condition with a deadline, and reading Prometheus text.

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "runtime/result.hpp"
#include "tests/support/process.hpp"

namespace sb::test {

/// Returns the value of the environment variable `name`; fails the test (REQUIRE level) if unset.
inline std::string required_env(const char* name) {
  const char* value = std::getenv(name);
  REQUIRE_MESSAGE(value != nullptr,
                  name << " is not set (CTest sets it; set it by hand otherwise)");
  return value;
}

/// Returns the path of the `switchboard` binary of this build ($SB_BIN_DIR/switchboard).
inline std::string switchboard_binary() {
  return required_env("SB_BIN_DIR") + "/switchboard";
}

/// Returns the path of the `sbctl` binary of this build ($SB_BIN_DIR/sbctl).
inline std::string sbctl_binary() {
  return required_env("SB_BIN_DIR") + "/sbctl";
}

/// Returns the path of the `sbbench` load tool of this build ($SB_BIN_DIR/sbbench).
inline std::string sbbench_binary() {
  return required_env("SB_BIN_DIR") + "/sbbench";
}

/// Returns the source tree ($SB_SOURCE_DIR).
inline std::string source_dir() {
  return required_env("SB_SOURCE_DIR");
}

/// Returns the whole content of the file at `path` (empty if unreadable).
inline std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

/// Writes `text` to the file at `path`, replacing it.
inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out << text;
  REQUIRE_MESSAGE(out.good(), "cannot write " << path);
}

/// Calls `condition` until it returns true or `timeout` passed (then once more); returns its
/// last answer. Waits `interval` between calls.
template <class F>
bool poll_until(F&& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds{20}) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(interval);
  }
  return condition();
}

/// Waits until the node running as `p` announces its gateway in its log ("listening on
/// http://HOST:PORT") and returns PORT. errc::internal if the process exits first,
/// errc::timeout after `timeout`; both with the tail of the log.
inline result<int> wait_for_gateway(process& p, std::chrono::milliseconds timeout) {
  static const std::string marker = "listening on http://127.0.0.1:";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::string log = read_file(p.log_path());
    if (auto at = log.find(marker); at != std::string::npos) {
      return std::atoi(log.c_str() + at + marker.size());
    }
    if (!p.is_running()) {
      return error{errc::internal,
                   "the node exited before its gateway listened; log:\n" + read_tail(p.log_path())};
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return error{errc::timeout, "the node announced no gateway in " +
                                      std::to_string(timeout.count()) + " ms; log:\n" +
                                      read_tail(p.log_path())};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

/// Returns the value of one series in Prometheus text, e.g. `sb_timers_fired_total` or
/// `sb_decode_errors_total{reason="decode_malformed",type="chat.message"}` (labels as rendered:
/// sorted by name); std::nullopt if the series is absent.
inline std::optional<double> metric_value(const std::string& text, const std::string& series) {
  std::istringstream lines{text};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

}  // namespace sb::test
