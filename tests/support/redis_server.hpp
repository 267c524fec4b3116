#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "runtime/result.hpp"
#include "runtime/store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sb::test {

/// How to start a test redis-server.
struct redis_server_options {
  /// Turns on the append-only file, so that data survives stop() and restart().
  bool append_only = false;
  /// Sets `--requirepass`; empty means no password.
  std::string password;
  /// How long start() and restart() wait for PING to answer.
  std::chrono::milliseconds start_timeout{10'000};
};

/// A redis-server on a free port of 127.0.0.1 with its own temporary data directory, for tests.
/// Persistence is off unless `append_only` is set; the server log is `dir()/redis.log`.
///
/// Lifetime: move-only; the destructor stops the server and removes its directory. Not
/// thread-safe: one thread drives it (the store under test may be used from any thread).
class redis_server {
 public:
  /// Starts a server and waits until PING answers; retries on another port if the chosen one was
  /// taken meanwhile. Fails with the tail of the server log in the message.
  static result<redis_server> start(redis_server_options options = {});

  /// Returns the TCP port (the same across restarts).
  [[nodiscard]] int port() const noexcept { return port_; }
  /// Returns the data directory (the same across restarts).
  [[nodiscard]] const std::string& dir() const noexcept { return dir_.path(); }
  /// Returns store settings that reach this server (host, port, password, a short timeout).
  [[nodiscard]] redis_settings settings() const;

  /// Stops the server with SIGTERM (then SIGKILL after 5 s) and waits for it to exit.
  result<void> stop();
  /// Stops the server if it runs, then starts it again on the same port and directory and waits
  /// until PING answers.
  result<void> restart();
  /// Returns true while the server process runs.
  bool is_running();

 private:
  redis_server(temp_dir dir, redis_server_options options, int port)
      : dir_(std::move(dir)), options_(std::move(options)), port_(port) {}

  // Spawns redis-server on port_ and waits for PING.
  result<void> launch();

  temp_dir dir_;
  redis_server_options options_;
  int port_ = 0;
  std::optional<process> process_;
};

}  // namespace sb::test
