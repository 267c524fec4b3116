// The report of a load run (runtime/bench/report.hpp) as JSON and as a table of at most 100
// columns, and the two readers of the node's figures (/proc VmRSS, Prometheus text).
#include "runtime/bench/report.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include <nlohmann/json.hpp>

using namespace sb::bench;

namespace {

bench_report sample() {
  bench_report r;
  r.node = "http://127.0.0.1:8080";
  r.people = 20;
  r.target_rate = 50;
  r.duration_s = 3;
  r.mix = "1:1:1";
  r.seed = 7;
  r.sent = 150;
  r.answered = 140;
  r.silent = 6;
  r.pending = 1;
  r.errors = {{"http_500", 2}, {"timeout", 1}};
  r.sent_by_channel = {{"app", 50}, {"web", 50}, {"wechat", 50}};
  r.events_sent = 20;
  r.events_ok = 19;
  r.elapsed_s = 3.1;
  r.sustained_per_s = 146 / 3.1;
  r.latency = {146, 12345, 45000, 78901, 80000, 14000.5};
  return r;
}

// Returns the length in characters (UTF-8 code points) of the longest line of `text`.
size_t widest_line(const std::string& text) {
  std::istringstream in{text};
  std::string line;
  size_t widest = 0;
  while (std::getline(in, line)) {
    size_t chars = 0;
    for (char c : line) {
      chars += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
    }
    widest = std::max(widest, chars);
  }
  return widest;
}

}  // namespace

TEST_CASE("the JSON report has every figure, latencies in milliseconds") {
  auto r = sample();
  r.memory = memory_figures{100 << 20, 110 << 20, 0, 1000, 10485.76};
  r.baseline = baseline_figures{"nats://127.0.0.1:4222", 1000000, 146 / 3.1 / 1e6};
  auto j = nlohmann::json::parse(to_json(r));
  CHECK(j["sent"] == 150);
  CHECK(j["answered"] == 140);
  CHECK(j["silent"] == 6);
  CHECK(j["pending"] == 1);
  CHECK(j["errors"]["http_500"] == 2);
  CHECK(j["errors"]["timeout"] == 1);
  CHECK(j["error_count"] == 3);  // 2 + 1
  CHECK(j["sent_by_channel"]["wechat"] == 50);
  CHECK(j["events_ok"] == 19);
  CHECK(j["mix"] == "1:1:1");
  CHECK(j["seed"] == 7);
  // 12345 us = 12.345 ms; 78901 us = 78.901 ms; mean 14000.5 us = 14.0005 ms.
  CHECK(j["latency_ms"]["p50"].get<double>() == doctest::Approx(12.345));
  CHECK(j["latency_ms"]["p99"].get<double>() == doctest::Approx(45.0));
  CHECK(j["latency_ms"]["p99_9"].get<double>() == doctest::Approx(78.901));
  CHECK(j["latency_ms"]["mean"].get<double>() == doctest::Approx(14.0005));
  CHECK(j["latency_ms"]["count"] == 146);
  CHECK(j["sustained_per_s"].get<double>() == doctest::Approx(47.096774));  // 146 / 3.1
  CHECK(j["memory"]["rss_after_bytes"] == 110 << 20);
  CHECK(j["memory"]["live_conversations"] == 1000);
  CHECK(j["memory"]["live_before"] == 0);
  CHECK(j["baseline"]["messages_per_s"] == 1000000.0);
}

TEST_CASE("the load tool's own CPU is reported per message and as the rate one core drives") {
  auto r = sample();
  r.load_cpu_s = 0.03;  // 0.03 s over 150 messages = 200 us each; 1e6 / 200 = 5000 a second
  auto j = nlohmann::json::parse(to_json(r));
  CHECK(j["load_cpu_s"].get<double>() == doctest::Approx(0.03));
  CHECK(j["load_cpu_us_per_message"].get<double>() == doctest::Approx(200.0));
  CHECK(to_table(r).find("0.03 s, 200 us a message: one core drives 5000 messages/s") !=
        std::string::npos);
  CHECK(to_table(sample()).find("sbbench CPU") == std::string::npos);  // not measured: no line
}

TEST_CASE("the JSON report leaves out memory and baseline when they were not measured") {
  auto j = nlohmann::json::parse(to_json(sample()));
  CHECK_FALSE(j.contains("memory"));
  CHECK_FALSE(j.contains("baseline"));
}

TEST_CASE("the table shows every figure within 100 columns, wrapping a long list of errors") {
  auto r = sample();
  for (int s = 400; s < 440; ++s) {
    r.errors[status_error_kind(s)] = s;
  }
  r.memory = memory_figures{100 << 20, 110 << 20, 0, 1000, 10485.76};
  auto text = to_table(r);
  CHECK(widest_line(text) <= 100);
  CHECK(text.find("http_439 439") != std::string::npos);
  CHECK(text.find("12.35 / 45.00 / 78.90 ms") != std::string::npos);
  CHECK(text.find("sent                    150 (app 50, web 50, wechat 50)") != std::string::npos);
  // 10485.76 bytes = 10.24 KiB, shown with one decimal.
  CHECK(text.find("10.2 KiB each") != std::string::npos);
  r.baseline = baseline_figures{"nats://127.0.0.1:4222", 1000000, 50.0 / 1e6};
  // 1 / (50 / 1e6) = 20000; the line is wrapped at a space, never inside a number.
  text = to_table(r);
  CHECK(widest_line(text) <= 100);
  CHECK(text.find("1/20000 of it") != std::string::npos);
  CHECK(text.find("1000000 messages/s pub/sub") != std::string::npos);
  CHECK(text.find("before 100.0 MiB, after 110.0 MiB, 1000 live conversations (0 before)") !=
        std::string::npos);
}

TEST_CASE("VmRSS is read from /proc status text in bytes") {
  const char* status = "Name:\tswitchboard\nVmPeak:\t  99999 kB\nVmRSS:\t   12345 kB\nThreads: 9\n";
  CHECK(parse_vmrss(status) == int64_t{12345} * 1024);  // 12641280
  CHECK_FALSE(parse_vmrss("Name:\tx\n").has_value());
}

TEST_CASE("a Prometheus series is found by its exact name and labels") {
  const char* text =
      "# TYPE sb_actors_live gauge\nsb_actors_live 42\n"
      "sb_actors_live_by_kind{kind=\"conversation\"} 17\nsb_actors_live_by_kind{kind=\"user\"} "
      "20\n";
  CHECK(prometheus_value(text, "sb_actors_live") == 42.0);
  CHECK(prometheus_value(text, "sb_actors_live_by_kind{kind=\"conversation\"}") == 17.0);
  CHECK_FALSE(prometheus_value(text, "sb_actors").has_value());
  CHECK(status_error_kind(503) == "http_503");
}
