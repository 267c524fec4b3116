// sbctl against a running `switchboard node`, as an operator uses it: send a message as a shopper,
// then look at the conversation, the campaigns, the experiments and the desk; tables by default,
// --json everywhere, and the documented exit codes for an unknown actor (5), an unreachable node
// (4) and bad arguments (2).
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/node_binary.hpp"
#include "tests/support/process.hpp"
#include "tests/support/require.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using sb::test::process;

struct run_output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

struct cluster_of_one {
  sb::test::temp_dir dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sbctl-node"));
  process node = SB_REQUIRE_OK(process::spawn(
      sb::test::switchboard_binary(),
      {"node", "--set", "gateway.listen=127.0.0.1:0", "--set", "admin.token=op-token", "--set",
       "channels.app.secret=app-secret", "--set", "scheduler.threads=2"},
      dir.file("node.log")));
  int port = SB_REQUIRE_OK(sb::test::wait_for_gateway(node, 15s));

  run_output sbctl(std::vector<std::string> args, bool with_node = true) {
    static int runs = 0;
    const auto n = std::to_string(++runs);
    if (with_node) {
      args.push_back("--node");
      args.push_back("http://127.0.0.1:" + std::to_string(port));
      args.push_back("--token");
      args.push_back("op-token");
    }
    sb::test::process_options options;
    options.log_path = dir.file("out-" + n + ".txt");
    options.stderr_path = dir.file("err-" + n + ".txt");
    auto p = SB_REQUIRE_OK(process::spawn(sb::test::sbctl_binary(), args, options));
    auto code = SB_REQUIRE_OK(p.wait_for_exit(60s));
    return {code, sb::test::read_file(options.log_path), sb::test::read_file(options.stderr_path)};
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("sbctl sends as a shopper and shows the conversation, campaigns and experiments") {
  cluster_of_one c;
  auto sent = c.sbctl({"send", "web", "v-42", "我想买一款降噪耳机"});
  REQUIRE_MESSAGE(sent.exit_code == 0, sent.err);
  CHECK(contains(sent.out, "web:v-42#1 seq 1"));
  CHECK(contains(sent.out, "bot: "));
  CHECK(contains(sent.out, "AL-ANC-PRO2"));
  auto app = c.sbctl({"send", "app", "u-7", "你好", "--app-secret", "app-secret"});
  CHECK_MESSAGE(app.exit_code == 0, app.err);

  auto transcript = c.sbctl({"transcript", "web:v-42#1"});
  CHECK(transcript.exit_code == 0);
  CHECK(contains(transcript.out, "1  person: 我想买一款降噪耳机"));

  auto inspect = c.sbctl({"inspect", "conversation", "web:v-42", "--json"});
  REQUIRE(inspect.exit_code == 0);
  auto state = json::parse(inspect.out);
  CHECK(state["kind"] == "conversation");
  CHECK(state["live"] == true);

  auto campaigns = c.sbctl({"campaigns"});
  CHECK(campaigns.exit_code == 0);
  CHECK(contains(campaigns.out, "consult-no-order-30m"));
  CHECK(contains(campaigns.out, "count left"));
  for (const auto& line : std::vector<std::string>{campaigns.out}) {
    CHECK(line.find('\n') <= 100);  // the table fits 100 columns
  }
  auto one = c.sbctl({"campaigns", "consult-no-order-30m", "--json"});
  REQUIRE(one.exit_code == 0);
  auto consult = json::parse(one.out);
  CHECK(consult["armed"] == 1);
  CHECK(consult["budget"]["count_left"] == 10000);

  auto experiments = c.sbctl({"experiments", "headphone-pitch"});
  CHECK(experiments.exit_code == 0);
  CHECK(contains(experiments.out, "CTR (95% CI)"));
  auto all = c.sbctl({"experiments", "--json"});
  REQUIRE(all.exit_code == 0);
  CHECK(json::parse(all.out)["experiments"].size() == 2);

  CHECK(c.sbctl({"handoffs"}).exit_code == 0);

  // What shoppers talked about: the inquiry's intent, the products shown and its words.
  auto topics = c.sbctl({"topics", "--since", "1h", "--json"});
  REQUIRE_MESSAGE(topics.exit_code == 0, topics.err);
  auto hot = json::parse(topics.out);
  CHECK(hot["messages"] == 2);
  CHECK(contains(hot["intents"].dump(), "product_inquiry"));
  CHECK(contains(hot["products"].dump(), "AL-ANC-PRO2"));
  CHECK(contains(hot["words"].dump(), "降噪耳机"));
  CHECK(c.sbctl({"topics", "--since", "soon"}).exit_code == 2);
}

TEST_CASE("sbctl nodes shows the node, and sbctl events follows what it publishes") {
  cluster_of_one c;
  auto nodes = c.sbctl({"nodes", "--json"});
  REQUIRE_MESSAGE(nodes.exit_code == 0, nodes.err);
  auto body = json::parse(nodes.out);
  REQUIRE(body["nodes"].size() == 1);
  CHECK(body["nodes"][0]["node_id"] == "node-1");
  CHECK(body["nodes"][0]["state"] == "ready");
  auto table = c.sbctl({"nodes"});
  CHECK(contains(table.out, "node-1  ready"));

  // A follower started before the message sees the conversation's events, in order.
  sb::test::process_options options;
  options.log_path = c.dir.file("events.txt");
  options.stderr_path = c.dir.file("events-err.txt");
  auto follower = SB_REQUIRE_OK(process::spawn(
      sb::test::sbctl_binary(),
      {"events", "--follow", "--type", "conversation.*", "--count", "3", "--json", "--node",
       "http://127.0.0.1:" + std::to_string(c.port), "--token", "op-token"},
      options));
  // The stream is subscribed once its first (keep-alive) line arrived or a second passed.
  std::this_thread::sleep_for(1500ms);
  REQUIRE(c.sbctl({"send", "web", "v-77", "我想买一款降噪耳机"}).exit_code == 0);
  auto code = SB_REQUIRE_OK(follower.wait_for_exit(30s));
  CHECK_MESSAGE(code == 0, sb::test::read_file(options.stderr_path));
  auto lines = sb::test::read_file(options.log_path);
  auto first = json::parse(lines.substr(0, lines.find('\n')), nullptr, false);
  REQUIRE_MESSAGE(first.is_object(), lines);
  CHECK(first["topic"] == "conversation.started");
  CHECK(first["event"]["user"] == "web:v-77");
  CHECK(contains(lines, "conversation.product_inquiry"));
  CHECK(c.sbctl({"events"}).exit_code == 2);  // --follow is required
}

TEST_CASE("sbctl exit codes: unknown actor 5, unreachable node 4, bad arguments 2, bad config 3") {
  cluster_of_one c;
  auto unknown = c.sbctl({"inspect", "user", "web:nobody"});
  CHECK(unknown.exit_code == 5);
  CHECK(contains(unknown.err, "never active"));
  CHECK(c.sbctl({"campaigns", "no-such-campaign"}).exit_code == 5);
  auto down = c.sbctl({"campaigns", "--node", "http://127.0.0.1:1"}, false);
  CHECK(down.exit_code == 4);
  CHECK(contains(down.err, "unreachable"));
  auto wrong_token = c.sbctl(
      {"campaigns", "--node", "http://127.0.0.1:" + std::to_string(c.port), "--token", "wrong"},
      false);
  CHECK(wrong_token.exit_code == 2);
  CHECK(contains(wrong_token.err, "401"));
  CHECK(c.sbctl({"send", "fax", "x", "hi"}).exit_code == 2);
  CHECK(c.sbctl({"inspect"}, false).exit_code == 2);
  CHECK(c.sbctl({"check-config", sb::test::source_dir() + "/config"}, false).exit_code == 0);
  CHECK(c.sbctl({"check-config", c.dir.file("nowhere")}, false).exit_code == 3);
}
