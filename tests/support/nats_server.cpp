#include "tests/support/nats_server.hpp"

#include <httplib.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "tests/support/ports.hpp"

namespace sb::test {

namespace {

// Returns true if GET /healthz on the monitoring port answers 200, which nats-server 2.9 does
// only once it accepts clients and, with -js, JetStream is ready.
bool healthy(int monitor_port) {
  httplib::Client http{"127.0.0.1", monitor_port};
  http.set_connection_timeout(std::chrono::milliseconds{200});
  http.set_read_timeout(std::chrono::milliseconds{500});
  auto res = http.Get("/healthz");
  return res && res->status == 200;
}

}  // namespace

result<nats_server> nats_server::start(nats_server_options options) {
  auto dir = temp_dir::create("sb-nats");
  if (!dir) {
    return dir.err();
  }
  nats_server server{std::move(*dir), std::move(options)};
  // free_tcp_port() can race with other processes, so a server that dies at start-up (address
  // in use) gets other ports.
  error last{errc::internal, "nats-server was not started"};
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto port = free_tcp_port();
    auto monitor = free_tcp_port();
    if (!port) {
      return port.err();
    }
    if (!monitor) {
      return monitor.err();
    }
    if (*port == *monitor) {
      continue;
    }
    server.port_ = *port;
    server.monitor_port_ = *monitor;
    auto launched = server.launch();
    if (launched) {
      return server;
    }
    last = launched.err();
    if (server.is_running()) {
      break;  // it runs but is not healthy: other ports will not help
    }
  }
  return last;
}

std::string nats_server::url() const {
  return "nats://127.0.0.1:" + std::to_string(port_);
}

nats::settings nats_server::settings() const {
  nats::settings out;
  out.servers = {url()};
  out.name = "sb-test";
  out.user = options_.user;
  out.password = options_.password;
  out.token = options_.token;
  out.connect_timeout = std::chrono::milliseconds{1000};
  return out;
}

result<void> nats_server::launch() {
  std::vector<std::string> args{
      "-a", "127.0.0.1", "-p", std::to_string(port_), "-m", std::to_string(monitor_port_)};
  if (options_.jetstream) {
    args.insert(args.end(), {"-js", "-sd", dir_.file("js")});
  }
  if (!options_.user.empty()) {
    args.insert(args.end(), {"--user", options_.user, "--pass", options_.password});
  }
  if (!options_.token.empty()) {
    args.insert(args.end(), {"--auth", options_.token});
  }
  const std::string log = dir_.file("nats.log");
  auto spawned = process::spawn("nats-server", args, log);
  if (!spawned) {
    return spawned.err();
  }
  process_.emplace(std::move(*spawned));

  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  auto pause = std::chrono::milliseconds{2};
  for (;;) {
    if (!process_->is_running()) {
      return error{errc::internal, "nats-server on port " + std::to_string(port_) +
                                       " exited during start-up; log:\n" + read_tail(log)};
    }
    if (healthy(monitor_port_)) {
      return {};
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      static_cast<void>(process_->kill());
      return error{errc::timeout, "nats-server on port " + std::to_string(port_) +
                                      " did not become healthy in time; log:\n" + read_tail(log)};
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds{50});
  }
}

result<void> nats_server::stop() {
  if (!process_ || !process_->is_running()) {
    return {};
  }
  auto code = process_->terminate(std::chrono::seconds{5});
  if (!code) {
    return code.err();
  }
  return {};
}

result<void> nats_server::kill() {
  if (!process_ || !process_->is_running()) {
    return {};
  }
  auto code = process_->kill();
  if (!code) {
    return code.err();
  }
  return {};
}

result<void> nats_server::restart() {
  if (auto stopped = stop(); !stopped) {
    return stopped;
  }
  return launch();
}

bool nats_server::is_running() {
  return process_ && process_->is_running();
}

}  // namespace sb::test
