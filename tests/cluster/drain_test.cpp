// Graceful hand-over and a NATS restart on a real cluster under traffic. A node stopped with
// SIGTERM hands its partitions over before it exits: the others serve them at once and no
// message is delivered to a second owner (the redelivery counters stay 0). A restarted
// nats-server: the nodes reconnect by themselves and nothing accepted is lost.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/support/cluster_harness.hpp"
#include "tests/support/cluster_traffic.hpp"
#include "tests/support/node_binary.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace std::chrono_literals;
using sb::test::poll_until;

constexpr int people = 120;

}  // namespace

TEST_CASE("SIGTERM drains a node under traffic: no message is redelivered to the next owner") {
  auto cluster = SB_REQUIRE_OK(sb::test::test_cluster::start());
  REQUIRE(poll_until([&] { return cluster.balanced(); }, 30s, 200ms));
  sb::test::cluster_traffic traffic{cluster, people};
  traffic.start();
  std::this_thread::sleep_for(3s);

  const int leaving = 1;
  traffic.node_down(leaving);  // A load balancer takes it out of rotation first.
  const auto asked = std::chrono::steady_clock::now();
  CHECK(SB_REQUIRE_OK(cluster.stop_node(leaving)) == 0);
  CHECK_MESSAGE(cluster.log(leaving).find("handing over") != std::string::npos,
                cluster.log(leaving));
  REQUIRE(poll_until([&] { return cluster.balanced(); }, 10s, 100ms));
  const auto handover = std::chrono::steady_clock::now() - asked;
  MESSAGE("drained and taken over in "
          << std::chrono::duration_cast<std::chrono::milliseconds>(handover).count() << " ms");
  CHECK(handover < 10s);  // Well under the lease time: nothing waited for a lease to expire.
  std::this_thread::sleep_for(2s);
  traffic.stop();

  auto mismatches = sb::test::applied_mismatches(cluster, traffic, people, 0, 30s);
  CHECK_MESSAGE(mismatches.empty(), mismatches.size() << " conversations differ, first: "
                                                      << (mismatches.empty() ? "" : mismatches[0]));
  CHECK(cluster.metric_sum("sb_intake_redelivered_total") == 0);
  CHECK(cluster.metric_sum("sb_intake_retried_total") == 0);
}

TEST_CASE("nats-server restarted under traffic: nodes reconnect and nothing accepted is lost") {
  auto cluster = SB_REQUIRE_OK(sb::test::test_cluster::start());
  REQUIRE(poll_until([&] { return cluster.balanced(); }, 30s, 200ms));
  sb::test::cluster_traffic traffic{cluster, people};
  traffic.start();
  std::this_thread::sleep_for(2s);

  SB_REQUIRE_OK(cluster.nats().restart());
  std::this_thread::sleep_for(1s);
  CHECK(poll_until([&] { return cluster.balanced(); }, 20s, 200ms));
  const int before = traffic.total_accepted();
  std::this_thread::sleep_for(3s);
  CHECK(traffic.total_accepted() > before);  // Serving again.
  traffic.stop();

  CHECK(cluster.metric_sum("sb_nats_reconnects_total") >= 3);
  auto mismatches = sb::test::applied_mismatches(cluster, traffic, people, 0, 30s);
  CHECK_MESSAGE(mismatches.empty(), mismatches.size() << " conversations differ, first: "
                                                      << (mismatches.empty() ? "" : mismatches[0]));
}
