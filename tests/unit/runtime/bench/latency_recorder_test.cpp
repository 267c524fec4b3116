// Exact percentiles of reply latencies (runtime/bench/latency_recorder.hpp), checked by hand
// against the nearest-rank definition: the p-th percentile of n sorted samples is the
// ceil(p/100 * n)-th smallest.
#include "runtime/bench/latency_recorder.hpp"

#include <doctest/doctest.h>

using sb::bench::latency_recorder;

TEST_CASE("percentiles of four samples are the nearest-rank ones, whatever the order recorded") {
  latency_recorder r;
  for (int64_t v : {40, 10, 30, 20}) {
    r.record(v);
  }
  // n = 4: p25 -> ceil(1.00) = 1st = 10; p26 -> ceil(1.04) = 2nd = 20; p50 -> ceil(2) = 2nd = 20;
  // p51 -> ceil(2.04) = 3rd = 30; p99 -> ceil(3.96) = 4th = 40; p100 -> 4th = 40.
  CHECK(r.percentile(25) == 10);
  CHECK(r.percentile(26) == 20);
  CHECK(r.percentile(50) == 20);
  CHECK(r.percentile(51) == 30);
  CHECK(r.percentile(99) == 40);
  CHECK(r.percentile(100) == 40);
}

TEST_CASE("p50, p99 and p99.9 of the samples 1 to 1000 are 500, 990 and 999") {
  latency_recorder r;
  for (int64_t v = 1000; v >= 1; --v) {
    r.record(v);
  }
  // n = 1000: p50 -> 500th; p99 -> 990th; p99.9 -> ceil(999.0) = 999th (not 1000th, which a
  // floating-point 999.0000000001 would give); mean = (1 + 1000) / 2 = 500.5.
  auto s = r.summary();
  CHECK(s.count == 1000);
  CHECK(s.p50_us == 500);
  CHECK(s.p99_us == 990);
  CHECK(s.p999_us == 999);
  CHECK(s.max_us == 1000);
  CHECK(s.mean_us == doctest::Approx(500.5));
}

TEST_CASE("one slow reply in a thousand shows in the maximum but not in p99.9") {
  latency_recorder r;
  for (int i = 0; i < 999; ++i) {
    r.record(1000);
  }
  r.record(50000);
  // p99.9 -> 999th of 1000 = 1000; mean = (999 * 1000 + 50000) / 1000 = 1049.
  auto s = r.summary();
  CHECK(s.p999_us == 1000);
  CHECK(s.max_us == 50000);
  CHECK(s.mean_us == doctest::Approx(1049.0));
  // With one more slow reply, the 999th of 1001 samples... n = 1001: ceil(0.999 * 1001) =
  // ceil(999.999) = 1000th = 50000.
  r.record(60000);
  CHECK(r.percentile(99.9) == 50000);
}

TEST_CASE("merged recorders answer over the samples of both") {
  latency_recorder a;
  latency_recorder b;
  a.record(5);
  a.record(1);
  b.record(3);
  b.record(-7);  // a clock step backwards counts as 0
  a.merge(b);
  // Sorted: 0, 1, 3, 5; p50 -> 2nd = 1; p75 -> 3rd = 3.
  CHECK(a.count() == 4);
  CHECK(a.percentile(50) == 1);
  CHECK(a.percentile(75) == 3);
  CHECK(a.percentile(1) == 0);
}

TEST_CASE("an empty recorder or a percentile outside (0, 100] answers nothing") {
  latency_recorder r;
  CHECK_FALSE(r.percentile(50).has_value());
  CHECK(r.summary().count == 0);
  CHECK(r.summary().p99_us == 0);
  r.record(10);
  CHECK_FALSE(r.percentile(0).has_value());
  CHECK_FALSE(r.percentile(100.5).has_value());
  CHECK(r.percentile(0.1) == 10);
}
