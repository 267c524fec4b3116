// Campaign files as campaigners meet them: `switchboard check-config DIR` (exit 0 with a summary,
// or exit 3 with file:line:column and the key of every problem), and SIGHUP, which applies a valid
// new version to a running node and refuses an invalid one, keeping the running version.
#include <doctest/doctest.h>

#include <httplib.h>

#include <csignal>
#include <filesystem>
#include <fstream>
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
namespace fs = std::filesystem;

struct run_output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

run_output run(const sb::test::temp_dir& dir, const std::vector<std::string>& args) {
  static int runs = 0;
  const auto n = std::to_string(++runs);
  sb::test::process_options options;
  options.log_path = dir.file("stdout-" + n + ".txt");
  options.stderr_path = dir.file("stderr-" + n + ".txt");
  auto p = SB_REQUIRE_OK(process::spawn(sb::test::switchboard_binary(), args, options));
  auto code = SB_REQUIRE_OK(p.wait_for_exit(60s));
  return {code, sb::test::read_file(options.log_path), sb::test::read_file(options.stderr_path)};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Copies the shipped config/ folder into `dir`/config and returns its path.
std::string copy_config(const sb::test::temp_dir& dir) {
  auto to = dir.file("config");
  fs::copy(sb::test::source_dir() + "/config", to, fs::copy_options::recursive);
  return to;
}

void write(const std::string& path, const std::string& text) {
  std::ofstream{path} << text;
}

constexpr const char* instant_campaign = R"(id: instant-thanks
name: Instant thanks
on: conversation.product_inquiry
do:
  - coupon: { amount: 5, valid_for: 1h }
  - message: { template: "谢谢关注，{amount}元券：{code}" }
limits:
  per_person: 1
)";

}  // namespace

TEST_CASE("check-config accepts the shipped config folder and says what it found") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-check"));
  auto r = run(dir, {"check-config", sb::test::source_dir() + "/config"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(contains(r.out, "3 campaigns"));
  CHECK(contains(r.out, "2 experiments"));
  CHECK(contains(r.out, "products"));
}

TEST_CASE("check-config reports every broken file with its position and key, exit 3") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-check"));
  auto config = copy_config(dir);
  write(config + "/campaigns/broken.yaml", R"(id: broken
name: Broken
on: conversation.product_inquiry
wait: 30 minutes
when:
  - product.colour == red
do:
  - coupon: { amount: 10, valid_for: 72h, colour: red }
)");
  write(config + "/experiments.yaml", "experiments:\n  - id: x\n    surface: nowhere\n");
  auto r = run(dir, {"check-config", config});
  CHECK(r.exit_code == 3);
  CAPTURE(r.err);
  CHECK(contains(r.err, "broken.yaml:4:7: wait"));
  CHECK(contains(r.err, "broken.yaml:6:5: when[0]"));
  CHECK(contains(r.err, "colour"));
  CHECK(contains(r.err, "experiments.yaml:3:"));
  CHECK(r.out.empty());
}

TEST_CASE("check-config on a folder that does not exist is exit 3") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-check"));
  auto r = run(dir, {"check-config", dir.file("nowhere")});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.err, "nowhere"));
}

TEST_CASE("SIGHUP applies a valid new campaign and keeps the running one when the new is bad") {
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-hup"));
  auto config = copy_config(dir);
  const auto log = dir.file("node.log");
  std::vector<std::string> args{"node"};
  for (const std::string& set : std::vector<std::string>{
           "gateway.listen=127.0.0.1:0", "admin.token=t", "campaigns.dir=" + config + "/campaigns",
           "experiments.file=" + config + "/experiments.yaml", "scheduler.threads=2"}) {
    args.push_back("--set");
    args.push_back(set);
  }
  auto node = SB_REQUIRE_OK(process::spawn(sb::test::switchboard_binary(), args, log));
  auto port = SB_REQUIRE_OK(sb::test::wait_for_gateway(node, 15s));
  httplib::Client http{"127.0.0.1", port};
  http.set_bearer_token_auth("t");
  http.set_read_timeout(10s);
  auto ask = [&](const std::string& visitor) {
    json body{{"visitor_id", visitor}, {"text", "我想买一款降噪耳机"}, {"client_msg_id", "m1"}};
    auto r = http.Post("/v1/web/messages", body.dump(), "application/json");
    REQUIRE(r);
    CHECK(r->status == 200);
  };
  auto coupons_of = [&](const std::string& visitor) {
    auto r = http.Get("/v1/users/web:" + visitor + "/coupons");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body)["coupons"].size();
  };

  // Before: no campaign acts at once on an inquiry.
  ask("v-before");
  std::this_thread::sleep_for(500ms);
  CHECK(coupons_of("v-before") == 0);

  write(config + "/campaigns/instant-thanks.yaml", instant_campaign);
  ::kill(node.pid(), SIGHUP);
  REQUIRE(sb::test::poll_until(
      [&] { return contains(sb::test::read_file(log), "SIGHUP: reloaded"); }, 10s));
  ask("v-after");
  CHECK(sb::test::poll_until([&] { return coupons_of("v-after") == 1; }, 10s));

  // A broken edit is refused; the campaign that runs stays.
  write(config + "/campaigns/instant-thanks.yaml", std::string{instant_campaign} + "oops: 1\n");
  ::kill(node.pid(), SIGHUP);
  REQUIRE(sb::test::poll_until([&] { return contains(sb::test::read_file(log), "reload refused"); },
                               10s));
  CHECK(contains(sb::test::read_file(log), "instant-thanks.yaml:9:1: oops"));
  ask("v-later");
  CHECK(sb::test::poll_until([&] { return coupons_of("v-later") == 1; }, 10s));
  CHECK(node.is_running());
  CHECK(SB_REQUIRE_OK(node.terminate()) == 0);
}
