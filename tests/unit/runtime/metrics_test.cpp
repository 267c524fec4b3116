#include "runtime/metrics.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <thread>
#include <vector>

namespace m = sb::metrics;

TEST_CASE("asking twice for the same series returns the same object") {
  auto reg = m::make_registry();
  auto& a = reg->get_counter("sb_messages_total", "Messages.", {{"channel", "web"}, {"kind", "x"}});
  auto& b = reg->get_counter("sb_messages_total", "Messages.", {{"kind", "x"}, {"channel", "web"}});
  auto& other = reg->get_counter("sb_messages_total", "Messages.", {{"channel", "sms"}});
  CHECK(&a == &b);
  CHECK(&a != &other);
  CHECK(&reg->get_gauge("sb_open", "Open.") == &reg->get_gauge("sb_open", "Open."));
  auto& h = reg->get_histogram("sb_latency_seconds", "Latency.", m::default_latency_buckets());
  CHECK(&h == &reg->get_histogram("sb_latency_seconds", "Latency.", {1, 2}));
  CHECK(&m::registry::global() == &m::registry::global());
}

TEST_CASE("label values and help text are escaped in the rendered text") {
  auto reg = m::make_registry();
  reg->get_gauge("sb_weird", "Back\\slash and\nnewline \"quoted\".", {{"v", "a\"b\\c\nd"}}).set(1);
  CHECK(reg->render() ==
        "# HELP sb_weird Back\\\\slash and\\nnewline \"quoted\".\n"
        "# TYPE sb_weird gauge\n"
        "sb_weird{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST_CASE("histogram buckets are cumulative and end with +Inf") {
  auto reg = m::make_registry();
  auto& h = reg->get_histogram("sb_wait_seconds", "Wait.", {1, 2, 5}, {{"q", "a"}});
  for (double v : {0.5, 1.0, 3.0, 7.0})
    h.observe(v);
  CHECK(h.count() == 4);
  CHECK(h.sum() == 11.5);
  CHECK(reg->render() ==
        "# HELP sb_wait_seconds Wait.\n"
        "# TYPE sb_wait_seconds histogram\n"
        "sb_wait_seconds_bucket{q=\"a\",le=\"1\"} 2\n"
        "sb_wait_seconds_bucket{q=\"a\",le=\"2\"} 2\n"
        "sb_wait_seconds_bucket{q=\"a\",le=\"5\"} 3\n"
        "sb_wait_seconds_bucket{q=\"a\",le=\"+Inf\"} 4\n"
        "sb_wait_seconds_sum{q=\"a\"} 11.5\n"
        "sb_wait_seconds_count{q=\"a\"} 4\n");
}

TEST_CASE("a small registry renders exactly the expected text") {
  auto reg = m::make_registry();
  // Registered out of order to show that families and series are sorted.
  reg->get_gauge("sb_queue_depth", "Queued messages.", {{"queue", "b"}}).set(1e6);
  reg->get_gauge("sb_queue_depth", "Queued messages.", {{"queue", "a"}}).set(0.1);
  auto& req = reg->get_counter("sb_requests_total", "Requests served.",
                               {{"outcome", "ok"}, {"channel", "web"}});
  req.inc();
  req.inc(2);
  reg->get_gauge("sb_ratio", "A third.").set(1.0 / 3);
  auto& h = reg->get_histogram("sb_handle_seconds", "Handling time.", {0.005, 0.25});
  h.observe(0.001);
  h.observe(0.3);
  CHECK(reg->render() ==
        "# HELP sb_handle_seconds Handling time.\n"
        "# TYPE sb_handle_seconds histogram\n"
        "sb_handle_seconds_bucket{le=\"0.005\"} 1\n"
        "sb_handle_seconds_bucket{le=\"0.25\"} 1\n"
        "sb_handle_seconds_bucket{le=\"+Inf\"} 2\n"
        "sb_handle_seconds_sum 0.301\n"
        "sb_handle_seconds_count 2\n"
        "# HELP sb_queue_depth Queued messages.\n"
        "# TYPE sb_queue_depth gauge\n"
        "sb_queue_depth{queue=\"a\"} 0.1\n"
        "sb_queue_depth{queue=\"b\"} 1000000\n"
        "# HELP sb_ratio A third.\n"
        "# TYPE sb_ratio gauge\n"
        "sb_ratio 0.3333333333333333\n"
        "# HELP sb_requests_total Requests served.\n"
        "# TYPE sb_requests_total counter\n"
        "sb_requests_total{channel=\"web\",outcome=\"ok\"} 3\n");
}

TEST_CASE("integral values print without exponent and fractions in the shortest exact form") {
  auto reg = m::make_registry();
  auto render_value = [&reg](double v) {
    reg->get_gauge("sb_value", "Value.").set(v);
    auto text = reg->render();
    auto start = text.rfind(' ') + 1;
    return text.substr(start, text.size() - start - 1);
  };
  constexpr double inf = std::numeric_limits<double>::infinity();
  CHECK(render_value(3) == "3");
  CHECK(render_value(-0.0) == "0");
  CHECK(render_value(-42) == "-42");
  CHECK(render_value(1e20) == "100000000000000000000");
  CHECK(render_value(1e300) == "1e+300");
  CHECK(render_value(0.1) == "0.1");
  CHECK(render_value(2.5e-7) == "2.5e-07");
  CHECK(render_value(inf) == "+Inf");
  CHECK(render_value(-inf) == "-Inf");
  CHECK(render_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}

TEST_CASE("an empty registry renders nothing") {
  CHECK(m::make_registry()->render().empty());
}

TEST_CASE("increments from 8 threads sum exactly") {
  auto reg = m::make_registry();
  constexpr int threads = 8;
  constexpr int per_thread = 20000;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&reg] {
      // Looked up inside the thread to exercise concurrent registration as well.
      auto& c = reg->get_counter("sb_hits_total", "Hits.");
      auto& g = reg->get_gauge("sb_level", "Level.");
      auto& h = reg->get_histogram("sb_size_bytes", "Sizes.", {10, 100});
      for (int i = 0; i < per_thread; ++i) {
        c.inc();
        g.add(i % 2 == 0 ? 2 : -1);
        h.observe(50);
      }
    });
  for (auto& w : workers)
    w.join();
  constexpr double total = threads * per_thread;
  CHECK(reg->get_counter("sb_hits_total", "Hits.").value() == total);
  CHECK(reg->get_gauge("sb_level", "Level.").value() == total / 2);
  auto& h = reg->get_histogram("sb_size_bytes", "Sizes.", {10, 100});
  CHECK(h.count() == total);
  CHECK(h.sum() == total * 50);
}

TEST_CASE("the default latency buckets span 1 ms to 10 s in increasing order") {
  const auto& b = m::default_latency_buckets();
  REQUIRE(b.size() >= 2);
  CHECK(b.front() == 0.001);
  CHECK(b.back() == 10);
  for (size_t i = 1; i < b.size(); ++i)
    CHECK(b[i - 1] < b[i]);
  CHECK(&b == &m::default_latency_buckets());
}
