#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "runtime/internal/nats_client.hpp"
#include "runtime/result.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sb::test {

/// How to start a test nats-server.
struct nats_server_options {
  /// Runs JetStream (`-js`) with its store in `dir()/js`, which survives stop() and restart().
  bool jetstream = true;
  /// User and password authentication (`--user`/`--pass`); empty means none.
  std::string user;
  std::string password;
  /// Token authentication (`--auth`); empty means none.
  std::string token;
  /// How long start() and restart() wait for the server to report itself healthy.
  std::chrono::milliseconds start_timeout{10'000};
};

/// A nats-server on free ports of 127.0.0.1 (client and monitoring) with its own temporary
/// directory, for tests. The server log is `dir()/nats.log`.
///
/// Lifetime: move-only; the destructor kills the server and removes its directory. Not
/// thread-safe: one thread drives it (clients under test may be used from any thread).
class nats_server {
 public:
  /// Starts a server and waits until its monitoring port answers `/healthz` with 200 (which
  /// also means JetStream is ready); retries on other ports if the chosen ones were taken
  /// meanwhile. Fails with the tail of the server log in the message.
  static result<nats_server> start(nats_server_options options = {});

  /// Returns the client port (the same across restarts).
  [[nodiscard]] int port() const noexcept { return port_; }
  /// Returns "nats://127.0.0.1:<port>".
  [[nodiscard]] std::string url() const;
  /// Returns the HTTP monitoring port (`/varz`, `/connz`, `/jsz`, `/healthz`).
  [[nodiscard]] int monitor_port() const noexcept { return monitor_port_; }
  /// Returns the server's directory (the same across restarts).
  [[nodiscard]] const std::string& dir() const noexcept { return dir_.path(); }
  /// Returns client settings that reach this server: servers = {url()}, the credentials of the
  /// options, and a short connect timeout.
  [[nodiscard]] nats::settings settings() const;

  /// Stops the server with SIGTERM (then SIGKILL after 5 s) and waits for it to exit.
  result<void> stop();
  /// Kills the server with SIGKILL (a crash) and reaps it.
  result<void> kill();
  /// Stops the server if it runs, then starts it again on the same ports and directory (so
  /// JetStream data survives) and waits until it is healthy.
  result<void> restart();
  /// Returns true while the server process runs.
  bool is_running();

 private:
  nats_server(temp_dir dir, nats_server_options options)
      : dir_(std::move(dir)), options_(std::move(options)) {}

  // Spawns nats-server on port_/monitor_port_ and waits for /healthz.
  result<void> launch();

  temp_dir dir_;
  nats_server_options options_;
  int port_ = 0;
  int monitor_port_ = 0;
  std::optional<process> process_;
};

}  // namespace sb::test
