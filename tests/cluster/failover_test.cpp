// Failover on a real cluster under traffic: one node is killed with SIGKILL, its partitions are
// served again by the survivors within 15 s (lease time 10 s), every accepted message is applied
// exactly once, the idle timers of every conversation fire once (one conversation.closed event
// each, seen on NATS itself), and when the node comes back the partitions rebalance with nothing
// lost.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/bus.hpp"
#include "runtime/codec.hpp"
#include "runtime/internal/nats_client.hpp"
#include "schemas/conversation.hpp"
#include "tests/support/cluster_harness.hpp"
#include "tests/support/cluster_traffic.hpp"
#include "tests/support/node_binary.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace std::chrono_literals;
using sb::test::poll_until;

constexpr int people = 150;

/// Counts conversation.closed events per conversation, straight from NATS.
struct closed_counter {
  std::mutex mutex;
  std::map<std::string, int> by_conversation;

  void on(sb::nats::message m) {
    auto env = sb::decode<sb::schemas::envelope>(std::string{m.data()});
    if (!env) {
      return;
    }
    auto ev = sb::open_envelope<sb::schemas::conversation_event>(*env);
    if (!ev) {
      return;
    }
    std::lock_guard<std::mutex> lock{mutex};
    ++by_conversation[ev->conversation_id];
  }
  std::map<std::string, int> snapshot() {
    std::lock_guard<std::mutex> lock{mutex};
    return by_conversation;
  }
};

}  // namespace

TEST_CASE(
    "a node killed under traffic: partitions served again within 15 s, nothing lost or "
    "doubled, timers fire once, and the node rejoins") {
  sb::test::cluster_options opts;
  opts.sets = {"conversation.session_idle=12s", "timers.poll_interval=100ms"};
  auto cluster = SB_REQUIRE_OK(sb::test::test_cluster::start(opts));
  REQUIRE(poll_until([&] { return cluster.balanced(); }, 30s, 200ms));

  auto watcher = SB_REQUIRE_OK(sb::nats::client::connect(cluster.nats().settings()));
  closed_counter closed;
  auto sub = SB_REQUIRE_OK(watcher->subscribe(
      "sb.events.conversation.closed", [&](sb::nats::message m) { closed.on(std::move(m)); }));

  sb::test::cluster_traffic traffic{cluster, people};
  traffic.start();
  std::this_thread::sleep_for(3s);

  const int victim = 2;
  cluster.kill_node(victim);
  traffic.node_down(victim);
  const auto killed_at = std::chrono::steady_clock::now();
  REQUIRE_MESSAGE(poll_until([&] { return cluster.balanced(); }, 30s, 100ms),
                  "the survivors did not take the partitions over; node-1 log:\n"
                      << cluster.log(0));
  const auto takeover = std::chrono::steady_clock::now() - killed_at;
  MESSAGE("partitions served again after "
          << std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count() << " ms");
  CHECK(takeover <= 15s);
  std::this_thread::sleep_for(2s);  // Traffic on the survivors alone.

  // The node comes back: it gets its share again while traffic flows.
  SB_REQUIRE_OK(cluster.start_node(victim));
  traffic.node_up(victim, cluster.port(victim));
  REQUIRE_MESSAGE(poll_until([&] { return cluster.balanced(); }, 30s, 200ms),
                  "no rebalance after the rejoin; its log:\n"
                      << cluster.log(victim));
  auto held = cluster.partitions_held();
  CHECK(held[victim]->size() >= 8);
  std::this_thread::sleep_for(2s);
  traffic.stop();
  MESSAGE(traffic.total_accepted()
          << " messages accepted, " << traffic.failed_sends() << " sends failed and were retried");
  CHECK(traffic.total_accepted() > people * 3);

  auto mismatches = sb::test::applied_mismatches(cluster, traffic, people, 0, 30s);
  CHECK_MESSAGE(mismatches.empty(), mismatches.size() << " conversations differ, first: "
                                                      << (mismatches.empty() ? "" : mismatches[0]));

  // Each conversation closes by its idle timer, once.
  auto all_closed = [&] {
    auto snap = closed.snapshot();
    return static_cast<int>(snap.size()) >= people;
  };
  CHECK_MESSAGE(poll_until(all_closed, 40s, 500ms),
                closed.snapshot().size() << " of " << people << " conversations closed");
  std::this_thread::sleep_for(2s);
  int doubled = 0;
  for (const auto& [conversation, n] : closed.snapshot()) {
    doubled += n > 1 ? 1 : 0;
  }
  CHECK(doubled == 0);
}
