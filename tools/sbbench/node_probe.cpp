// Looking at the node from outside: health, /metrics, and its memory through /proc.
#include <httplib.h>
#include <sys/resource.h>

#include <fstream>
#include <iterator>

#include "tools/sbbench/sbbench.hpp"

namespace sb::sbbench {

namespace {

httplib::Client client_for(const std::string& node, std::chrono::milliseconds timeout) {
  httplib::Client c{node};
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
  const auto us = timeout.count() % 1000 * 1000;
  c.set_connection_timeout(s, us);
  c.set_read_timeout(s, us);
  return c;
}

}  // namespace

result<void> check_node(const std::string& node, std::chrono::milliseconds timeout) {
  auto c = client_for(node, timeout);
  if (!c.is_valid()) {
    return error{errc::invalid_argument, "'" + node + "' is not a URL like http://HOST:PORT"};
  }
  auto res = c.Get("/healthz");
  if (!res) {
    return error{errc::not_found,
                 "node " + node + " unreachable: " + httplib::to_string(res.error())};
  }
  if (res->status != 200) {
    return error{errc::not_found,
                 "node " + node + " answers /healthz with " + std::to_string(res->status)};
  }
  return {};
}

result<std::string> fetch_metrics(const std::string& node, const std::string& admin_token) {
  auto c = client_for(node, std::chrono::milliseconds{30000});
  httplib::Headers headers;
  if (!admin_token.empty()) {
    headers.emplace("Authorization", "Bearer " + admin_token);
  }
  auto res = c.Get("/metrics", headers);
  if (!res || res->status != 200) {
    return error{errc::not_found, "GET " + node + "/metrics failed"};
  }
  return res->body;
}

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

result<int64_t> read_rss(int pid) {
  const auto path = "/proc/" + std::to_string(pid) + "/status";
  std::ifstream in{path};
  if (!in) {
    return error{errc::not_found, "cannot read " + path + " (is the node local?)"};
  }
  std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  auto rss = bench::parse_vmrss(text);
  if (!rss) {
    return error{errc::not_found, path + " has no VmRSS line"};
  }
  return *rss;
}

std::optional<int64_t> live_conversations(const std::string& metrics_text) {
  auto v = bench::prometheus_value(metrics_text, "sb_actors_live_by_kind{kind=\"conversation\"}");
  if (!v) {
    v = bench::prometheus_value(metrics_text, "sb_actors_live");
  }
  if (!v) {
    return std::nullopt;
  }
  return static_cast<int64_t>(*v);
}

}  // namespace sb::sbbench
