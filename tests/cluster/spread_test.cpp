// Placement across a real three-node cluster: every partition has exactly one owner, 1,000
// people's conversations are spread over the nodes with each live on exactly one of them, and
// every message sent to any node's gateway gets its reply, whichever node runs the conversation.
#include <doctest/doctest.h>

#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/cluster_harness.hpp"
#include "tests/support/node_binary.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

constexpr int people = 1000;

}  // namespace

TEST_CASE("1,000 people over three nodes: each conversation lives on one node, every reply comes") {
  auto cluster = SB_REQUIRE_OK(sb::test::test_cluster::start());
  REQUIRE_MESSAGE(sb::test::poll_until([&] { return cluster.balanced(); }, 30s, 200ms),
                  "the partitions were not divided; node-1 log:\n"
                      << cluster.log(0));
  auto held = cluster.partitions_held();
  for (int i = 0; i < cluster.size(); ++i) {
    // Rendezvous hashing of 64 partitions over 3 nodes: about 21 each.
    CHECK(held[static_cast<size_t>(i)]->size() >= 8);
  }

  // Four shoppers' threads, each person sending to the gateway of node (person % 3).
  std::atomic<int> answered{0};
  std::atomic<int> with_reply{0};
  std::vector<std::string> failures;
  std::mutex failures_mutex;
  std::vector<std::thread> shoppers;
  for (int t = 0; t < 4; ++t) {
    shoppers.emplace_back([&, t] {
      std::vector<std::unique_ptr<httplib::Client>> clients;
      for (int i = 0; i < cluster.size(); ++i) {
        clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", cluster.port(i)));
        clients.back()->set_read_timeout(10s);
      }
      for (int p = t; p < people; p += 4) {
        json body{{"visitor_id", "v-" + std::to_string(p)},
                  {"text", "你好，降噪耳机多少钱？"},
                  {"client_msg_id", "m-" + std::to_string(p)}};
        auto res = clients[static_cast<size_t>(p % cluster.size())]->Post(
            "/v1/web/messages", body.dump(), "application/json");
        if (!res || res->status != 200) {
          std::lock_guard<std::mutex> lock{failures_mutex};
          failures.push_back("v-" + std::to_string(p) + ": " +
                             (res ? std::to_string(res->status) + " " + res->body
                                  : httplib::to_string(res.error())));
          continue;
        }
        ++answered;
        auto j = json::parse(res->body, nullptr, false);
        if (j.is_object() && j["replies"].is_array() && !j["replies"].empty()) {
          ++with_reply;
        }
      }
    });
  }
  for (auto& s : shoppers) {
    s.join();
  }
  CHECK_MESSAGE(failures.empty(), failures.size() << " failed, first: "
                                                  << (failures.empty() ? "" : failures.front()));
  CHECK(answered == people);
  CHECK(with_reply == people);

  // Each conversation is live on exactly one node, and it is the node holding its partition.
  std::map<std::string, int> live_on;
  int duplicates = 0;
  for (int i = 0; i < cluster.size(); ++i) {
    auto j = SB_REQUIRE_OK(cluster.get(i, "/v1/actors?kind=conversation&limit=100000"));
    CHECK(j["total"].get<int>() > 0);  // Spread: every node runs some.
    for (const auto& a : j["actors"]) {
      if (!live_on.emplace(a["key"].get<std::string>(), i).second) {
        ++duplicates;
      }
    }
  }
  CHECK(duplicates == 0);
  CHECK(live_on.size() == people);
  // The cluster's metrics: each node reports its share, promtool accepts them without a warning.
  CHECK(cluster.metric_sum("sb_cluster_partitions_held") == cluster.options().partitions);
  CHECK(cluster.metric_sum("sb_cluster_members") == 3 * 3);
  CHECK(cluster.metric_sum("sb_nats_connected") == 3);
  {
    httplib::Client http{"127.0.0.1", cluster.port(0)};
    auto res = http.Get("/metrics");
    REQUIRE(res);
    auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-cluster-metrics"));
    sb::test::write_file(dir.file("metrics.txt"), res->body);
    const auto out = dir.file("promtool.txt");
    const int code = std::system(
        ("promtool check metrics < '" + dir.file("metrics.txt") + "' > '" + out + "' 2>&1")
            .c_str());
    CHECK_MESSAGE(code == 0, sb::test::read_file(out));
    CHECK_MESSAGE(sb::test::read_file(out).empty(), sb::test::read_file(out));
  }
  // sbctl nodes, asked one node, shows every member (each announced its gateway).
  {
    auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-cluster-sbctl"));
    const auto out = dir.file("nodes.json");
    const int code =
        std::system((sb::test::sbctl_binary() +
                     " nodes --json --node http://127.0.0.1:" + std::to_string(cluster.port(1)) +
                     " --token " + sb::test::cluster_admin_token + " > '" + out + "' 2>&1")
                        .c_str());
    CHECK(code == 0);
    auto nodes = json::parse(sb::test::read_file(out), nullptr, false);
    REQUIRE_MESSAGE(nodes.is_object(), sb::test::read_file(out));
    std::set<std::string> ids;
    int held = 0;
    for (const auto& n : nodes["nodes"]) {
      ids.insert(n.value("node_id", std::string{}));
      held += n["cluster"].value("partitions_held", 0);
    }
    CHECK(ids == std::set<std::string>{"node-1", "node-2", "node-3"});
    CHECK(held == cluster.options().partitions);
  }
  // Nothing was given back or delivered twice in a stable cluster.
  CHECK(cluster.metric_sum("sb_intake_redelivered_total") == 0);
  CHECK(cluster.metric_sum("sb_intake_rejected_total") == 0);
}
