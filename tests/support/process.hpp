#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "runtime/result.hpp"

namespace sb::test {

/// How to start a child process.
struct process_options {
  /// File that receives the child's stdout and stderr (appended, created if missing); empty
  /// sends both to /dev/null.
  std::string log_path;
  /// File that receives the child's stderr alone (appended, created if missing); empty sends
  /// stderr wherever stdout goes.
  std::string stderr_path;
  /// Environment variables set in the child on top of (or replacing) the parent's environment.
  std::vector<std::pair<std::string, std::string>> env;
  /// Working directory of the child; empty keeps the parent's.
  std::string working_dir;
};

/// A child process started by a test (redis-server, nats-server, the node binary), with stdin
/// from /dev/null and stdout/stderr in a log file.
///
/// Lifetime: move-only; the destructor kills the child (SIGKILL) and reaps it if it still runs.
/// The child also gets SIGKILL when the thread that spawned it exits (PR_SET_PDEATHSIG), so a
/// crashed test leaves no servers behind: spawn from the test's main thread.
/// Not thread-safe: one thread drives a process object.
class process {
 public:
  /// Starts `program` (searched in PATH unless it contains a '/') with `args` (not including
  /// argv[0]). Fails with errc::not_found if it cannot be executed, errc::internal if fork fails.
  static result<process> spawn(const std::string& program, const std::vector<std::string>& args,
                               const process_options& options);
  /// Same as above with only a log file.
  static result<process> spawn(const std::string& program, const std::vector<std::string>& args,
                               const std::string& log_path);

  process(process&& other) noexcept;
  process& operator=(process&& other) noexcept;
  process(const process&) = delete;
  process& operator=(const process&) = delete;
  ~process();

  /// Returns the child's pid (-1 once it was reaped).
  [[nodiscard]] int pid() const noexcept { return pid_; }

  /// Returns true while the child has not exited (reaps it if it has).
  bool is_running();

  /// Waits up to `timeout` for the child to exit and returns its exit code (128 + signal number
  /// if a signal ended it), or errc::timeout while it is still running.
  result<int> wait_for_exit(std::chrono::milliseconds timeout);

  /// Sends SIGTERM, waits up to `grace`, then sends SIGKILL; returns the exit code.
  result<int> terminate(std::chrono::milliseconds grace = std::chrono::seconds{5});

  /// Sends SIGKILL and reaps the child; returns its exit code.
  result<int> kill();

  /// Returns the log file given at spawn (empty if none).
  [[nodiscard]] const std::string& log_path() const noexcept { return log_path_; }

 private:
  process(int pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}

  // Reaps the child if it has exited; returns true if it has (exit_code_ is then set).
  bool try_reap();

  int pid_ = -1;
  int exit_code_ = -1;
  std::string log_path_;
};

/// Returns the last `max_bytes` of the file at `path` (empty if unreadable), for failure messages.
std::string read_tail(const std::string& path, size_t max_bytes = 4096);

}  // namespace sb::test
