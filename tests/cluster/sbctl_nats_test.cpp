// `sbctl --nats` against a real two-node cluster: the real sbctl binary asks the members over
// NATS request/reply (runtime/gateway/nats_admin.cpp answers on each node) and follows events on
// sb.events.>. One cluster serves every test case of this file, in order; the drain comes last.
#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/internal/nats_client.hpp"
#include "schemas/subjects.hpp"
#include "tests/support/cluster_harness.hpp"
#include "tests/support/node_binary.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using sb::test::cluster_admin_token;
using sb::test::poll_until;
using sb::test::test_cluster;

// The cluster every test case shares, started by the first one that asks (and balanced).
test_cluster& cluster() {
  static std::optional<test_cluster> c;
  if (!c) {
    sb::test::cluster_options o;
    o.nodes = 2;
    c.emplace(SB_REQUIRE_OK(test_cluster::start(o)));
    REQUIRE_MESSAGE(poll_until([] { return c->balanced(); }, 30s, 200ms),
                    "the partitions were not divided; node-1 log:\n"
                        << c->log(0));
  }
  return *c;
}

struct run_result {
  int code = -1;
  std::string out;
  std::string err;
};

// Where sbctl's output goes; one pair of files per run.
const sb::test::temp_dir& output_dir() {
  static auto dir = sb::test::temp_dir::create("sb-sbctl-nats");
  REQUIRE(dir.ok());
  return *dir;
}

struct sbctl_run {
  sb::test::process proc;
  std::string out_path;
  std::string err_path;

  run_result wait(std::chrono::milliseconds timeout = 40s) {
    run_result r;
    auto code = proc.wait_for_exit(timeout);
    r.code = code ? *code : -1;
    r.out = sb::test::read_file(out_path);
    r.err = sb::test::read_file(err_path);
    return r;
  }
};

// Starts sbctl with `args`, without the SB_* defaults of the environment running the test.
sbctl_run start_sbctl(const std::vector<std::string>& args) {
  static int runs = 0;
  ++runs;
  sb::test::process_options po;
  po.log_path = output_dir().file("run-" + std::to_string(runs) + ".out");
  po.stderr_path = output_dir().file("run-" + std::to_string(runs) + ".err");
  po.env = {{"SB_NATS", ""}, {"SB_NODE", ""}, {"SB_ADMIN_TOKEN", ""}};
  auto p = SB_REQUIRE_OK(sb::test::process::spawn(sb::test::sbctl_binary(), args, po));
  return {std::move(p), po.log_path, po.stderr_path};
}

run_result sbctl(const std::vector<std::string>& args) {
  return start_sbctl(args).wait();
}

// `args` plus --nats and the admin token of the cluster.
std::vector<std::string> over_nats(std::vector<std::string> args) {
  args.insert(args.end(), {"--nats", cluster().nats().url(), "--token", cluster_admin_token});
  return args;
}

json parsed(const run_result& r) {
  auto j = json::parse(r.out, nullptr, false);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

// Sends `count` messages as web visitor `person` through node `via`'s gateway.
void chat(int via, const std::string& person, int count) {
  for (int k = 0; k < count; ++k) {
    json body{{"visitor_id", person},
              {"text", "你好，降噪耳机多少钱？"},
              {"client_msg_id", person + "-" + std::to_string(k)}};
    auto [status, answer] = SB_REQUIRE_OK(cluster().post(via, "/v1/web/messages", body));
    REQUIRE_MESSAGE((status == 200 || status == 202), answer.dump());
  }
}

}  // namespace

TEST_CASE("sbctl partitions over NATS gives every partition its owner's lease age") {
  auto r = sbctl(over_nats({"partitions", "--all", "--json"}));
  REQUIRE_MESSAGE(r.code == 0, r.err);
  auto body = parsed(r);
  const auto& owners = body["owners"];
  REQUIRE(owners.size() == static_cast<size_t>(cluster().options().partitions));
  for (const auto& o : owners) {
    const auto key = std::to_string(o["partition"].get<int64_t>());
    // Each owner answered for its own leases: every partition has an age, never negative.
    REQUIRE_MESSAGE(body["lease_ages"].contains(key), key);
    CHECK(body["lease_ages"][key].get<int64_t>() >= 0);
  }
  auto table = sbctl(over_nats({"partitions", "--all"}));
  REQUIRE_MESSAGE(table.code == 0, table.err);
  CHECK(table.out.find("lease age") != std::string::npos);
}

TEST_CASE("sbctl nodes over NATS lists both members with the partitions each holds") {
  auto r = sbctl(over_nats({"nodes", "--json"}));
  REQUIRE_MESSAGE(r.code == 0, r.err);
  auto rows = parsed(r)["nodes"];
  REQUIRE(rows.size() == 2);
  int64_t held = 0;
  for (int i = 0; i < 2; ++i) {
    const auto& n = rows[static_cast<size_t>(i)];
    CHECK(n["node_id"] == test_cluster::node_id(i));  // sorted by node id
    CHECK(n["state"] == "ready");
    CHECK(n["cluster"]["partitions_held"].get<int64_t>() > 0);
    CHECK(n.contains("mailbox_backlog"));
    held += n["cluster"]["partitions_held"].get<int64_t>();
  }
  CHECK(held == cluster().options().partitions);  // balanced: every partition held once

  auto table = sbctl(over_nats({"nodes"}));
  REQUIRE_MESSAGE(table.code == 0, table.err);
  CHECK(table.out.find("node-1") != std::string::npos);
  CHECK(table.out.find("node-2") != std::string::npos);
  std::istringstream lines{table.out};
  for (std::string line; std::getline(lines, line);) {
    size_t columns = 0;  // characters: the table holds no wide ones here
    for (char ch : line) {
      columns += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
    }
    CHECK_MESSAGE(columns <= 100, line);
  }
}

TEST_CASE("sbctl nodes over HTTP still reaches every member through the announced gateways") {
  auto r = sbctl({"nodes", "--node", "http://127.0.0.1:" + std::to_string(cluster().port(1)),
                  "--token", cluster_admin_token, "--json"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  auto rows = parsed(r)["nodes"];
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["node_id"] == "node-1");
  CHECK(rows[1]["node_id"] == "node-2");
}

TEST_CASE("sbctl actors over NATS merges both members' conversations, most messages first") {
  // 16 people, person p sending p % 4 + 1 messages; over 64 partitions the chance that all 16
  // conversations land on one of the two nodes is 2 * 2^-16.
  for (int p = 0; p < 16; ++p) {
    chat(p % 2, "sn-" + std::to_string(p), p % 4 + 1);
  }
  auto r = sbctl(over_nats(
      {"actors", "--kind", "conversation", "--top", "messages", "--limit", "100", "--json"}));
  REQUIRE_MESSAGE(r.code == 0, r.err);
  auto body = parsed(r);
  CHECK(body["top"] == "messages");
  CHECK(body["nodes"].size() == 2);
  CHECK(body["unanswered"].empty());
  std::set<std::string> nodes;
  std::set<std::string> people;
  int64_t previous = INT64_MAX;
  for (const auto& a : body["actors"]) {
    nodes.insert(a["node_id"].get<std::string>());
    people.insert(a["key"].get<std::string>());
    const auto handled = a["messages_handled"].get<int64_t>();
    CHECK(handled <= previous);  // ranked by messages handled, across both nodes
    previous = handled;
  }
  CHECK(nodes == std::set<std::string>{"node-1", "node-2"});
  CHECK(people.count("web:sn-3") == 1);
  REQUIRE_FALSE(body["actors"].empty());
  CHECK(body["actors"][0]["messages_handled"].get<int64_t>() >= 4);  // someone sent 4

  // --node with --nats names one member.
  auto only = sbctl(over_nats({"actors", "--kind", "conversation", "--node", "node-2", "--json"}));
  REQUIRE_MESSAGE(only.code == 0, only.err);
  auto only_body = parsed(only);
  REQUIRE_FALSE(only_body["actors"].empty());
  for (const auto& a : only_body["actors"]) {
    CHECK(a["node_id"] == "node-2");
  }
}

TEST_CASE("sbctl inspect over NATS finds a conversation that lives on the other node") {
  chat(0, "sn-inspect", 1);
  auto r = sbctl(over_nats(
      {"actors", "--kind", "conversation", "--node", "node-2", "--limit", "1", "--json"}));
  REQUIRE_MESSAGE(r.code == 0, r.err);
  auto on_node2 = parsed(r)["actors"];
  REQUIRE_FALSE(on_node2.empty());
  const auto key = on_node2[0]["key"].get<std::string>();

  // Asked through node-1, which does not run it.
  auto seen = sbctl(over_nats({"inspect", "conversation", key, "--node", "node-1", "--json"}));
  REQUIRE_MESSAGE(seen.code == 0, seen.err);
  auto state = parsed(seen);
  CHECK(state.contains("state"));
  // node-1 passed the question to the owner's gateway: the answer is the live actor, on node-2.
  CHECK(state["live"] == true);
  CHECK(state["node"] == "node-2");

  auto missing = sbctl(over_nats({"inspect", "no_such_kind", "x", "--json"}));
  CHECK(missing.code != 0);
}

TEST_CASE("a wrong token over NATS ends as over HTTP: exit 2 with the node's refusal") {
  auto r = sbctl({"nodes", "--nats", cluster().nats().url(), "--token", "wrong"});
  CHECK(r.code == 2);
  CHECK_MESSAGE(r.err.find("401") != std::string::npos, r.err);
  auto events = sbctl({"events", "--follow", "--nats", cluster().nats().url(), "--token", "wrong",
                       "--seconds", "1"});
  CHECK(events.code == 2);
}

TEST_CASE("a NATS URL where no server listens exits 4 naming the URL") {
  const int port = SB_REQUIRE_OK(sb::test::free_tcp_port());
  const auto url = "nats://127.0.0.1:" + std::to_string(port);
  auto r = sbctl({"nodes", "--nats", url, "--token", cluster_admin_token});
  CHECK(r.code == 4);
  CHECK_MESSAGE(r.err.find("no Switchboard node answers on " + url) != std::string::npos, r.err);
}

TEST_CASE("credentials in the URL are used and never printed; no node there exits 4") {
  sb::test::nats_server_options o;
  o.jetstream = false;
  o.user = "ops";
  o.password = "s3cret";
  auto empty = SB_REQUIRE_OK(sb::test::nats_server::start(o));
  const auto host = "127.0.0.1:" + std::to_string(empty.port());
  auto r = sbctl({"nodes", "--nats", "nats://ops:s3cret@" + host, "--token", "x"});
  CHECK(r.code == 4);
  // Connected (the credentials worked), but nobody answers on sb.admin.any.
  CHECK_MESSAGE(r.err.find("no Switchboard node answers on nats://ops:***@" + host +
                           ": is the cluster up?") != std::string::npos,
                r.err);
  CHECK(r.err.find("s3cret") == std::string::npos);
  auto refused = sbctl({"nodes", "--nats", "nats://ops:wrong@" + host, "--token", "x"});
  CHECK(refused.code == 4);
  CHECK(refused.err.find("wrong") == std::string::npos);
}

TEST_CASE("a node answers malformed admin requests over NATS with 400, never crashing") {
  auto c = SB_REQUIRE_OK(sb::nats::client::connect(cluster().nats().settings()));
  auto ask = [&](const std::string& subject, const std::string& data) {
    auto reply = SB_REQUIRE_OK(c->request(subject, data, 10s));
    return json::parse(reply);
  };
  auto bad_json = ask(sb::schemas::subjects::admin_any, "{not json");
  CHECK(bad_json["status"] == 400);
  CHECK(json::parse(bad_json["body"].get<std::string>())["error"]["code"] == "invalid_request");
  const std::string node2 = std::string{sb::schemas::subjects::admin_prefix} + "node-2";
  CHECK(ask(node2, R"({"method":"DELETE","path":"/v1/node"})")["status"] == 400);
  CHECK(ask(node2, R"({"method":"GET","path":"/metrics"})")["status"] == 400);
  CHECK(ask(node2, R"({"method":"GET","path":"/v1/events/stream"})")["status"] == 400);
  CHECK(ask(node2, R"({"method":"GET","path":"/v1/node"})")["status"] == 401);  // no token
  auto fine = ask(
      node2, json{{"method", "GET"}, {"path", "/v1/node"}, {"token", cluster_admin_token}}.dump());
  CHECK(fine["status"] == 200);
  CHECK(json::parse(fine["body"].get<std::string>())["nodes"][0]["node_id"] == "node-2");
  CHECK(cluster().running(0));
  CHECK(cluster().running(1));
}

TEST_CASE("sbctl events over NATS prints conversation.started as the HTTP stream does") {
  auto follow = start_sbctl(over_nats({"events", "--follow", "--type", "conversation.started",
                                       "--count", "1", "--seconds", "20", "--json"}));
  // Until sbctl has subscribed nothing tells us it listens: start conversations until it saw one.
  int sent = 0;
  bool done = poll_until(
      [&] {
        if (!follow.proc.is_running()) {
          return true;
        }
        chat(sent % 2, "sn-ev-" + std::to_string(sent), 1);
        ++sent;
        return false;
      },
      20s, 500ms);
  CHECK(done);
  auto r = follow.wait(5s);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  auto line = parsed(r);
  CHECK(line["topic"] == "conversation.started");
  CHECK(line["type"] == "conversation.event");
  CHECK(line["sent_at_ms"].get<int64_t>() > 0);
  CHECK(line["msg_id"].is_string());
  CHECK(line["event"]["person"].get<std::string>().rfind("sn-ev-", 0) == 0);
}

TEST_CASE("sbctl drain over NATS hands node-2's partitions to node-1") {
  auto unnamed = sbctl(over_nats({"drain"}));
  CHECK(unnamed.code == 2);
  CHECK(cluster().running(1));

  auto r = sbctl(over_nats({"drain", "node-2", "--json"}));
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(parsed(r)["node_id"] == "node-2");
  const auto owners_all_node1 = [] {
    auto j = cluster().get(0, "/v1/partitions?all=1");
    if (!j || !(*j)["owners"].is_array()) {
      return false;
    }
    for (const auto& o : (*j)["owners"]) {
      if (o["owner"] != "node-1") {
        return false;
      }
    }
    return (*j)["owners"].size() == static_cast<size_t>(cluster().options().partitions);
  };
  CHECK(poll_until(owners_all_node1, 15s, 200ms));
}
