// The operators' promise: every node serves /metrics that `promtool check metrics` accepts without
// a warning, with the families the dashboards and alerts use, and the alert rules of
// config/prometheus/ pass `promtool check rules` and their unit tests. promtool (Debian's
// `prometheus` package) is required: these tests fail, not skip, without it.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/bus.hpp"
#include "runtime/metrics.hpp"
#include "runtime/store.hpp"
#include "schemas/conversation.hpp"
#include "schemas/marketing.hpp"
#include "schemas/subjects.hpp"
#include "tests/support/gateway_harness.hpp"
#include "tests/support/node_binary.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using sb::test::json;

struct run_outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line (promtool reads metrics from stdin) and returns its exit code and
// output. The test fails if promtool is not installed: the shell then exits 127.
run_outcome run_shell(const sb::test::temp_dir& dir, const std::string& command_line) {
  const auto log = dir.file("promtool.log");
  sb::test::write_file(log, "");
  auto p = SB_REQUIRE_OK(sb::test::process::spawn("/bin/sh", {"-c", command_line}, log));
  auto code = SB_REQUIRE_OK(p.wait_for_exit(60s));
  return run_outcome{code, sb::test::read_file(log)};
}

// Returns the promtool command, failing the test if it is absent.
std::string promtool() {
  const std::string path = "/usr/bin/promtool";
  REQUIRE_MESSAGE(!sb::test::read_file(path).empty(),
                  path << " is missing: install Debian's `prometheus` package");
  return path;
}

bool has_family(const std::string& text, const std::string& name, const std::string& type) {
  return text.find("# TYPE " + name + " " + type + "\n") != std::string::npos;
}

// Returns the body of GET /metrics.
std::string scrape(sb::test::gateway_node& f) {
  auto res = f.http->Get("/metrics");
  REQUIRE(sb::test::answered(res).status == 200);
  return res->body;
}

// Returns how much `series` grew since the scrape `before` (a missing series counts 0). The
// process registry is shared by every test of this binary, hence differences.
double growth(const std::string& before, const std::string& after, const std::string& series) {
  return sb::test::metric_value(after, series).value_or(0) -
         sb::test::metric_value(before, series).value_or(0);
}

// Polls /metrics until `series` grew by `at_least` since `before` (events are counted on a bus
// thread) and returns the growth.
double wait_for_growth(sb::test::gateway_node& f, const std::string& before,
                       const std::string& series, double at_least) {
  double grown = 0;
  for (int i = 0; i < 200; ++i) {
    grown = growth(before, scrape(f), series);
    if (grown >= at_least) {
      break;
    }
    std::this_thread::sleep_for(25ms);
  }
  return grown;
}

}  // namespace

TEST_CASE("a node's /metrics after traffic passes promtool check metrics without a warning") {
  const auto tool = promtool();
  sb::test::gateway_node f;
  const auto before = scrape(f);
  // Web chat: a product question (recommendations shown) and a request for a human (hand-off).
  CHECK(sb::test::answered(f.web_say("v-ops-1", "我想买一款降噪耳机", "m-1")).status == 200);
  CHECK(sb::test::answered(f.web_say("v-ops-2", "我要人工客服", "m-2")).status == 200);
  CHECK(sb::test::answered(f.web_say("v-ops-2", "我要人工客服", "m-2")).status == 200);  // repeat
  sb::test::ok_json(f.event({{"type", "recommendation.clicked"},
                             {"event_id", "click-1"},
                             {"user", "web:v-ops-1"},
                             {"sku", "SKU-1"}}));
  // Coupon and churn events as the campaign and conversation actors publish them; a repeated
  // message id (a campaign retrying a firing) is counted once.
  sb::schemas::coupon_record coupon;
  coupon.code = "AAAA-BBBB-CCCC-DDDD";
  coupon.campaign = "ops-test";
  coupon.user = "web:v-ops-1";
  auto issued = sb::make_envelope(sb::schemas::address{}, coupon);
  f.n->message_bus().publish(sb::schemas::topics::coupon_issued, issued);
  f.n->message_bus().publish(sb::schemas::topics::coupon_issued, issued);
  // One topic's events reach a handler in order: once this one is counted, so are both above.
  coupon.campaign = "ops-test-last";
  f.n->message_bus().publish(sb::schemas::topics::coupon_issued,
                             sb::make_envelope(sb::schemas::address{}, coupon));
  sb::schemas::conversation_event churn;
  churn.event = sb::schemas::topics::churn_high_risk;
  churn.channel = "web";
  churn.person = "v-ops-1";
  f.n->message_bus().publish(sb::schemas::topics::churn_high_risk,
                             sb::make_envelope(sb::schemas::address{}, churn));

  CHECK(wait_for_growth(f, before, R"(sb_coupons_issued_total{campaign="ops-test-last"})", 1) == 1);
  // The second coupon.issued had the same message id: counted once.
  CHECK(growth(before, scrape(f), R"(sb_coupons_issued_total{campaign="ops-test"})") == 1);
  CHECK(wait_for_growth(f, before, R"(sb_churn_alerts_total{channel="web"})", 1) == 1);
  CHECK(wait_for_growth(f, before, R"(sb_recommendations_clicked_total{channel="web"})", 1) == 1);
  CHECK(wait_for_growth(f, before, R"(sb_recommendations_shown_total{channel="web"})", 1) >= 1);
  CHECK(wait_for_growth(f, before, R"(sb_handoffs_requested_total{channel="web"})", 1) == 1);

  const std::string text = scrape(f);
  for (const auto& [name, type] : std::vector<std::pair<std::string, std::string>>{
           {"sb_intake_messages_total", "counter"},
           {"sb_reply_latency_seconds", "histogram"},
           {"sb_actors_live_by_kind", "gauge"},
           {"sb_actor_activations_total", "counter"},
           {"sb_actor_passivations_total", "counter"},
           {"sb_timers_pending", "gauge"},
           {"sb_timers_fired_total", "counter"},
           {"sb_coupons_issued_total", "counter"},
           {"sb_handoffs_waiting", "gauge"},
           {"sb_handoffs_requested_total", "counter"},
           {"sb_churn_alerts_total", "counter"},
           {"sb_recommendations_shown_total", "counter"},
           {"sb_recommendations_clicked_total", "counter"},
           {"sb_campaign_coupons_issued", "gauge"},
       }) {
    CHECK_MESSAGE(has_family(text, name, type), name << " (" << type << ") missing");
  }
  // The old names without _total are gone.
  CHECK(text.find("sb_actor_activations ") == std::string::npos);
  CHECK(text.find("sb_timers_fired ") == std::string::npos);
  // Intake: two accepted messages and one duplicate (hand-computed from the three posts).
  CHECK(growth(before, text, R"(sb_intake_messages_total{channel="web",outcome="accepted"})") == 2);
  CHECK(growth(before, text, R"(sb_intake_messages_total{channel="web",outcome="duplicate"})") ==
        1);
  // Three replies measured: the duplicate's too (it is answered from the conversation's record).
  CHECK(growth(before, text, R"(sb_reply_latency_seconds_count{channel="web"})") == 3);
  // No person's id in any label.
  CHECK(text.find("v-ops-") == std::string::npos);

  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-prom"));
  const auto file = dir.file("metrics.txt");
  sb::test::write_file(file, text);
  auto checked = run_shell(dir, tool + " check metrics < '" + file + "'");
  CHECK_MESSAGE(checked.exit_code == 0, checked.output);
  // promtool prints lint problems (and nothing else) on success too.
  CHECK_MESSAGE(checked.output.empty(), checked.output);
}

TEST_CASE("promtool check metrics reports a counter without _total, so the check above can fail") {
  const auto tool = promtool();
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-prom"));
  const auto file = dir.file("bad.txt");
  sb::test::write_file(file, "# HELP sb_things Things.\n# TYPE sb_things counter\nsb_things 1\n");
  auto checked = run_shell(dir, tool + " check metrics < '" + file + "'");
  CHECK(checked.output.find("_total") != std::string::npos);
}

TEST_CASE("the alert rules of config/prometheus pass promtool check rules and their unit tests") {
  const auto tool = promtool();
  auto dir = SB_REQUIRE_OK(sb::test::temp_dir::create("sb-prom"));
  const auto conf = sb::test::source_dir() + "/config/prometheus/";
  auto rules = run_shell(dir, tool + " check rules '" + conf + "alerts.yml'");
  CHECK_MESSAGE(rules.exit_code == 0, rules.output);
  CHECK_MESSAGE(rules.output.find("SUCCESS: 5 rules found") != std::string::npos, rules.output);
  auto tests = run_shell(dir, tool + " test rules '" + conf + "alerts_test.yml'");
  CHECK_MESSAGE(tests.exit_code == 0, tests.output);
  CHECK_MESSAGE(tests.output.find("SUCCESS") != std::string::npos, tests.output);
  auto config = run_shell(dir, tool + " check config '" + conf + "prometheus.yml'");
  CHECK_MESSAGE(config.exit_code == 0, config.output);
}

TEST_CASE("redis commands are timed by command and failed ones counted") {
  auto& reg = sb::metrics::registry::global();
  auto server = SB_REQUIRE_OK(sb::test::redis_server::start());
  auto settings = server.settings();
  settings.key_prefix = "prom-test:";
  auto st = SB_REQUIRE_OK(sb::make_redis_store(settings));
  const auto before = reg.render();
  SB_REQUIRE_OK(st->put("k", "v"));
  SB_REQUIRE_OK(st->get("k"));
  SB_REQUIRE_OK(st->get("k"));
  auto middle = reg.render();
  CHECK(growth(before, middle, R"(sb_redis_command_duration_seconds_count{command="SET"})") == 1);
  CHECK(growth(before, middle, R"(sb_redis_command_duration_seconds_count{command="GET"})") == 2);
  CHECK(growth(before, middle, R"(sb_redis_errors_total{command="GET"})") == 0);
  SB_REQUIRE_OK(server.stop());
  CHECK_FALSE(st->get("k").ok());
  auto after = reg.render();
  CHECK(growth(middle, after, R"(sb_redis_errors_total{command="GET"})") == 1);
  CHECK(growth(middle, after, R"(sb_redis_command_duration_seconds_count{command="GET"})") == 1);
}
