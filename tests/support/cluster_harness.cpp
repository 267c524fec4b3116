#include "tests/support/cluster_harness.hpp"

#include <httplib.h>

#include <algorithm>
#include <thread>

#include "runtime/cluster/partitioning.hpp"
#include "tests/support/node_binary.hpp"

namespace sb::test {

namespace {

std::string log_name(int i, int run) {
  return "node-" + std::to_string(i + 1) + ".run-" + std::to_string(run) + ".log";
}

}  // namespace

result<test_cluster> test_cluster::start(cluster_options options) {
  auto dir = temp_dir::create("sb-cluster");
  if (!dir) {
    return dir.err();
  }
  auto nats = nats_server::start();
  if (!nats) {
    return nats.err();
  }
  redis_server_options ro;
  ro.append_only = true;
  auto redis = redis_server::start(ro);
  if (!redis) {
    return redis.err();
  }
  test_cluster c{std::move(*dir), std::move(*nats), std::move(*redis), std::move(options)};
  c.nodes_.resize(static_cast<size_t>(c.options_.nodes));
  for (int i = 0; i < c.options_.nodes; ++i) {
    if (auto r = c.start_node(i); !r) {
      return r.err();
    }
  }
  return c;
}

bool test_cluster::running(int i) {
  auto& n = nodes_.at(static_cast<size_t>(i));
  return n.proc && n.proc->is_running();
}

result<void> test_cluster::start_node(int i) {
  auto& n = nodes_.at(static_cast<size_t>(i));
  if (n.proc && n.proc->is_running()) {
    return error{errc::invalid_argument, node_id(i) + " already runs"};
  }
  ++n.runs;
  std::vector<std::string> args{"node"};
  std::vector<std::string> sets{
      "node.id=" + node_id(i),
      "gateway.listen=127.0.0.1:0",
      "bus.kind=nats",
      "nats.servers=" + nats_.url(),
      "store.kind=redis",
      "store.redis.port=" + std::to_string(redis_.port()),
      std::string{"admin.token="} + cluster_admin_token,
      "events.token=cluster-events",
      "cluster.partitions=" + std::to_string(options_.partitions),
      "cluster.lease_time=" + options_.lease_time,
      "cluster.renew_interval=" + options_.renew_interval,
      "scheduler.threads=2",
      "actors.registry_shards=2",
      "gateway.threads=16",
  };
  sets.insert(sets.end(), options_.sets.begin(), options_.sets.end());
  for (auto& s : sets) {
    args.push_back("--set");
    args.push_back(std::move(s));
  }
  process_options po;
  po.log_path = dir_.file(log_name(i, n.runs));
  po.working_dir = source_dir();
  auto p = process::spawn(switchboard_binary(), args, po);
  if (!p) {
    return p.err();
  }
  n.proc.emplace(std::move(*p));
  auto port = wait_for_gateway(*n.proc, std::chrono::seconds(30));
  if (!port) {
    return port.err();
  }
  n.port = *port;
  return {};
}

void test_cluster::kill_node(int i) {
  auto& n = nodes_.at(static_cast<size_t>(i));
  if (n.proc) {
    (void)n.proc->kill();
  }
}

result<int> test_cluster::stop_node(int i, std::chrono::milliseconds timeout) {
  auto& n = nodes_.at(static_cast<size_t>(i));
  if (!n.proc) {
    return error{errc::invalid_argument, node_id(i) + " never ran"};
  }
  return n.proc->terminate(timeout);
}

std::string test_cluster::log(int i) const {
  const auto& n = nodes_.at(static_cast<size_t>(i));
  return read_file(dir_.file(log_name(i, n.runs)));
}

result<nlohmann::json> test_cluster::get(int i, const std::string& path) const {
  httplib::Client http{"127.0.0.1", port(i)};
  http.set_bearer_token_auth(cluster_admin_token);
  http.set_connection_timeout(std::chrono::seconds(2));
  http.set_read_timeout(std::chrono::seconds(10));
  auto res = http.Get(path);
  if (!res) {
    return error{errc::bus_unavailable, node_id(i) + ": " + httplib::to_string(res.error())};
  }
  if (res->status != 200) {
    return error{errc::internal, node_id(i) + " GET " + path + ": " + std::to_string(res->status) +
                                     " " + res->body};
  }
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  if (j.is_discarded()) {
    return error{errc::decode_malformed, "not JSON: " + res->body};
  }
  return j;
}

result<std::pair<int, nlohmann::json>> test_cluster::post(int i, const std::string& path,
                                                          const nlohmann::json& body) const {
  httplib::Client http{"127.0.0.1", port(i)};
  http.set_bearer_token_auth(cluster_admin_token);
  http.set_connection_timeout(std::chrono::seconds(2));
  http.set_read_timeout(std::chrono::seconds(10));
  auto res = http.Post(path, body.dump(), "application/json");
  if (!res) {
    return error{errc::bus_unavailable, node_id(i) + ": " + httplib::to_string(res.error())};
  }
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  return std::make_pair(res->status, j.is_discarded() ? nlohmann::json{} : j);
}

std::vector<std::optional<std::vector<int>>> test_cluster::partitions_held() {
  std::vector<std::optional<std::vector<int>>> out(nodes_.size());
  for (int i = 0; i < size(); ++i) {
    if (!running(i)) {
      continue;
    }
    auto j = get(i, "/v1/partitions");
    if (!j) {
      continue;
    }
    std::vector<int> held;
    for (const auto& l : (*j)["leases"]) {
      held.push_back(l["partition"].get<int>());
    }
    std::sort(held.begin(), held.end());
    out[static_cast<size_t>(i)] = std::move(held);
  }
  return out;
}

bool test_cluster::balanced() {
  std::vector<std::string> members;
  for (int i = 0; i < size(); ++i) {
    if (running(i)) {
      members.push_back(node_id(i));
    }
  }
  auto held = partitions_held();
  for (int i = 0; i < size(); ++i) {
    if (!running(i)) {
      continue;
    }
    const auto& h = held[static_cast<size_t>(i)];
    if (!h) {
      return false;
    }
    // Settled: every node holds exactly its rendezvous share among the running nodes (so no
    // hand-over is still under way).
    std::vector<int> share;
    for (auto p :
         cluster::partitions_of(node_id(i), members, static_cast<uint32_t>(options_.partitions))) {
      share.push_back(static_cast<int>(p));
    }
    if (*h != share) {
      return false;
    }
  }
  return true;
}

double test_cluster::metric_sum(const std::string& series) {
  double total = 0;
  for (int i = 0; i < size(); ++i) {
    if (!running(i)) {
      continue;
    }
    httplib::Client http{"127.0.0.1", port(i)};
    http.set_bearer_token_auth(cluster_admin_token);
    http.set_read_timeout(std::chrono::seconds(10));
    auto res = http.Get("/metrics");
    if (res && res->status == 200) {
      total += metric_value(res->body, series).value_or(0);
    }
  }
  return total;
}

}  // namespace sb::test
