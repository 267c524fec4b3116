#pragma once

// A real cluster for tests: nats-server (JetStream) and redis-server on free loopback ports, and
// N `switchboard node` processes joined over them, each with its own gateway. Nodes can be
// killed (SIGKILL), stopped (SIGTERM) and started again; the servers can be restarted.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/result.hpp"
#include "tests/support/nats_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace sb::test {

/// How to run the test cluster.
struct cluster_options {
  int nodes = 3;
  int partitions = 64;
  std::string lease_time = "10s";
  std::string renew_interval = "500ms";
  /// Extra `--set KEY=VALUE` for every node.
  std::vector<std::string> sets;
};

/// The admin token every node of a test cluster accepts.
inline constexpr const char* cluster_admin_token = "cluster-test-token";

/// Lifetime: move-only; the destructor kills the nodes, then the servers, and removes the
/// directory. Not thread-safe except the HTTP helpers (get/post), which any thread may call.
class test_cluster {
 public:
  /// Starts the servers and every node, and waits until each node's gateway answers.
  static result<test_cluster> start(cluster_options options = {});

  [[nodiscard]] int size() const noexcept { return static_cast<int>(nodes_.size()); }
  /// The gateway port of node `i` (changes when it is started again).
  [[nodiscard]] int port(int i) const { return nodes_.at(static_cast<size_t>(i)).port; }
  [[nodiscard]] bool running(int i);
  [[nodiscard]] nats_server& nats() noexcept { return nats_; }
  [[nodiscard]] redis_server& redis() noexcept { return redis_; }
  [[nodiscard]] const cluster_options& options() const noexcept { return options_; }
  /// The node id of node `i` ("node-1" for i = 0).
  [[nodiscard]] static std::string node_id(int i) { return "node-" + std::to_string(i + 1); }

  /// Starts node `i` (again), waiting for its gateway.
  result<void> start_node(int i);
  /// Kills node `i` with SIGKILL.
  void kill_node(int i);
  /// Stops node `i` with SIGTERM and returns its exit code.
  result<int> stop_node(int i, std::chrono::milliseconds timeout = std::chrono::seconds(60));
  /// The log of node `i`'s current (or last) run.
  [[nodiscard]] std::string log(int i) const;

  /// GET `path` on node `i` with the admin token; the JSON body of a 200, else an error.
  result<nlohmann::json> get(int i, const std::string& path) const;
  /// POST `body` to `path` on node `i` with the admin token; returns (status, JSON body).
  result<std::pair<int, nlohmann::json>> post(int i, const std::string& path,
                                              const nlohmann::json& body) const;

  /// The partitions held by each running node (from /v1/partitions); absent for stopped nodes.
  std::vector<std::optional<std::vector<int>>> partitions_held();
  /// True when every running node holds exactly its rendezvous share of the partitions among the
  /// running nodes: every partition is held once and no hand-over is under way.
  bool balanced();
  /// The sum of a /metrics series over the running nodes.
  double metric_sum(const std::string& series);

 private:
  struct node_proc {
    std::optional<process> proc;
    int port = 0;
    int runs = 0;
  };
  test_cluster(temp_dir dir, nats_server nats, redis_server redis, cluster_options options)
      : dir_(std::move(dir)),
        nats_(std::move(nats)),
        redis_(std::move(redis)),
        options_(std::move(options)) {}

  temp_dir dir_;
  nats_server nats_;
  redis_server redis_;
  cluster_options options_;
  std::vector<node_proc> nodes_;
};

}  // namespace sb::test
