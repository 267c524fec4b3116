// Ranking live actors gathered from several nodes (runtime/actor_ranking.cpp), as `sbctl actors`
// merges the members' answers to GET /v1/actors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/actor_ranking.hpp"

namespace {

using json = nlohmann::json;
using sb::actor_order;

json actor(const std::string& key, int64_t activated, int64_t last_active, int64_t messages,
           int64_t mailbox) {
  return {{"kind", "conversation"},       {"key", key},
          {"activated_at_ms", activated}, {"last_active_ms", last_active},
          {"messages_handled", messages}, {"mailbox_depth", mailbox}};
}

json answer(const std::string& node, int64_t total, std::vector<json> actors) {
  return {{"node_id", node}, {"total", total}, {"top", "recent"}, {"actors", std::move(actors)}};
}

std::vector<std::string> keys(const json& merged) {
  std::vector<std::string> out;
  for (const auto& a : merged["actors"]) {
    out.push_back(a["node_id"].get<std::string>() + "/" + a["key"].get<std::string>());
  }
  return out;
}

// Two nodes; the numbers are chosen so that each order gives a different ranking.
//   key  node    activated  last active  messages  mailbox
//   a    node-1  1000       5000         5         0
//   b    node-1  3000       9000         2         4
//   c    node-2  2000       7000         9         1
//   d    node-2  500        6000         1         4
std::vector<json> two_nodes() {
  return {answer("node-1", 10, {actor("a", 1000, 5000, 5, 0), actor("b", 3000, 9000, 2, 4)}),
          answer("node-2", 7, {actor("c", 2000, 7000, 9, 1), actor("d", 500, 6000, 1, 4)})};
}

}  // namespace

TEST_CASE("merged lists rank by messages across nodes and tag each actor with its node") {
  auto merged = sb::merge_actor_lists(two_nodes(), actor_order::messages, 3);
  // messages: c 9 > a 5 > b 2 > d 1; cut to 3.
  CHECK(keys(merged) == std::vector<std::string>{"node-2/c", "node-1/a", "node-1/b"});
  CHECK(merged["top"] == "messages");
  CHECK(merged["total"] == 17);  // 10 + 7 live, not the 4 listed
  REQUIRE(merged["nodes"].size() == 2);
  CHECK(merged["nodes"][1] == json{{"node_id", "node-2"}, {"total", 7}});
}

TEST_CASE("age ranks the earliest activated first") {
  auto merged = sb::merge_actor_lists(two_nodes(), actor_order::age, 10);
  // activated: d 500 < a 1000 < c 2000 < b 3000.
  CHECK(keys(merged) == std::vector<std::string>{"node-2/d", "node-1/a", "node-2/c", "node-1/b"});
}

TEST_CASE("mailbox ranks the longest mailbox first, ties going to the most recently active") {
  auto merged = sb::merge_actor_lists(two_nodes(), actor_order::mailbox, 10);
  // mailbox: b 4 = d 4 (b last active 9000 > d 6000), then c 1, then a 0.
  CHECK(keys(merged) == std::vector<std::string>{"node-1/b", "node-2/d", "node-2/c", "node-1/a"});
}

TEST_CASE("recent ranks the most recently active first") {
  auto merged = sb::merge_actor_lists(two_nodes(), actor_order::recent, 2);
  // last active: b 9000 > c 7000 > d 6000 > a 5000; cut to 2.
  CHECK(keys(merged) == std::vector<std::string>{"node-1/b", "node-2/c"});
}

TEST_CASE("full ties are ordered by node, kind and key, whatever order the nodes answered in") {
  std::vector<json> answers{answer("node-2", 1, {actor("x", 1, 1, 1, 1)}),
                            answer("node-1", 2, {actor("y", 1, 1, 1, 1), actor("x", 1, 1, 1, 1)})};
  auto merged = sb::merge_actor_lists(answers, actor_order::messages, 10);
  CHECK(keys(merged) == std::vector<std::string>{"node-1/x", "node-1/y", "node-2/x"});
}

TEST_CASE("answers that are not objects or list no actors add nothing but their totals") {
  std::vector<json> answers{json::array(), json{{"node_id", "node-3"}, {"total", 4}},
                            answer("node-1", 1, {actor("a", 1, 2, 3, 0), json{"not an actor"}})};
  auto merged = sb::merge_actor_lists(answers, actor_order::recent, 10);
  CHECK(keys(merged) == std::vector<std::string>{"node-1/a"});
  CHECK(merged["total"] == 5);  // 4 + 1
  CHECK(merged["nodes"].size() == 2);
}

TEST_CASE("the four order names are known and nothing else") {
  CHECK(sb::actor_order_of("recent") == actor_order::recent);
  CHECK(sb::actor_order_of("mailbox") == actor_order::mailbox);
  CHECK(sb::actor_order_of("age") == actor_order::age);
  CHECK(sb::actor_order_of("messages") == actor_order::messages);
  CHECK_FALSE(sb::actor_order_of("oldest").has_value());
  CHECK(sb::to_string(actor_order::age) == "age");
}
