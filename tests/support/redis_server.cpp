#include "tests/support/redis_server.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include "runtime/internal/redis_connection.hpp"
#include "tests/support/ports.hpp"

namespace sb::test {

result<redis_server> redis_server::start(redis_server_options options) {
  auto dir = temp_dir::create("sb-redis");
  if (!dir) {
    return dir.err();
  }
  redis_server server{std::move(*dir), std::move(options), 0};
  // free_tcp_port() can race with other processes, so a server that dies at start-up (address
  // in use) gets another port.
  error last{errc::internal, "redis-server was not started"};
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto port = free_tcp_port();
    if (!port) {
      return port.err();
    }
    server.port_ = *port;
    auto launched = server.launch();
    if (launched) {
      return server;
    }
    last = launched.err();
    if (server.is_running()) {
      break;  // it runs but does not answer: another port will not help
    }
  }
  return last;
}

redis_settings redis_server::settings() const {
  redis_settings out;
  out.host = "127.0.0.1";
  out.port = port_;
  out.password = options_.password;
  out.timeout_ms = 2000;
  return out;
}

result<void> redis_server::launch() {
  std::vector<std::string> args{"--port",
                                std::to_string(port_),
                                "--bind",
                                "127.0.0.1",
                                "--save",
                                "",
                                "--appendonly",
                                options_.append_only ? "yes" : "no",
                                "--dir",
                                dir_.path(),
                                "--protected-mode",
                                "no"};
  if (!options_.password.empty()) {
    args.insert(args.end(), {"--requirepass", options_.password});
  }
  const std::string log = dir_.file("redis.log");
  auto spawned = process::spawn("redis-server", args, log);
  if (!spawned) {
    return spawned.err();
  }
  process_.emplace(std::move(*spawned));

  // Ready means PING answers (also past AUTH and AOF loading). A bare connection, not a store:
  // a store would load its scripts and hide a store's own reloading after a restart.
  redis_settings probe = settings();
  probe.timeout_ms = 500;
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  auto pause = std::chrono::milliseconds{1};
  for (;;) {
    if (!process_->is_running()) {
      return error{errc::internal, "redis-server on port " + std::to_string(port_) +
                                       " exited during start-up; log:\n" + read_tail(log)};
    }
    if (auto conn = internal::redis_connection::connect(probe);
        conn && conn->command({"PING"}).ok()) {
      return {};
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      static_cast<void>(process_->kill());
      return error{errc::timeout, "redis-server on port " + std::to_string(port_) +
                                      " did not answer PING in time; log:\n" + read_tail(log)};
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds{20});
  }
}

result<void> redis_server::stop() {
  if (!process_) {
    return {};
  }
  auto code = process_->terminate();
  if (!code) {
    return code.err();
  }
  return {};
}

result<void> redis_server::restart() {
  if (auto stopped = stop(); !stopped) {
    return stopped;
  }
  return launch();
}

bool redis_server::is_running() {
  return process_ && process_->is_running();
}

}  // namespace sb::test
