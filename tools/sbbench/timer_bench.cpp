// Durable timers at scale: arms N timers straight into a node's Redis store (as conversations
// would, one each), then watches the node's /metrics until it fired them all, and reports how
// fast it armed, how soon the first fired and how fast they fired.
#include <iostream>
#include <thread>

#include "runtime/bench/report.hpp"
#include "runtime/clock.hpp"
#include "runtime/store.hpp"
#include "runtime/timer_store.hpp"
#include "tools/sbbench/sbbench.hpp"

namespace sb::sbbench {

namespace {

using steady = std::chrono::steady_clock;

double seconds_since(steady::time_point t) {
  return std::chrono::duration<double>(steady::now() - t).count();
}

std::optional<double> fired_total(const timer_options& o) {
  auto text = fetch_metrics(o.node, o.admin_token);
  if (!text) {
    return std::nullopt;
  }
  return bench::prometheus_value(*text, "sb_timers_fired_total").value_or(0);
}

}  // namespace

result<timer_figures> run_timer_bench(const timer_options& o) {
  redis_settings rs;
  rs.host = o.redis_host;
  rs.port = o.redis_port;
  rs.password = o.redis_password;
  rs.key_prefix = o.key_prefix;
  auto st = make_redis_store(rs);
  if (!st) {
    return st.err();
  }
  timer_store timers{**st, static_cast<uint32_t>(o.partitions)};
  timer_figures f;
  f.count = o.count;
  const auto before = fired_total(o);
  if (!before) {
    return error{errc::not_found, "cannot read sb_timers_fired_total from " + o.node + "/metrics"};
  }
  const int64_t due = system_clock{}.now_ms() + o.due_in.count();
  const auto arming = steady::now();
  for (int64_t i = 0; i < o.count; ++i) {
    schemas::address owner{"conversation", "web:" + o.run_tag + "timer-" + std::to_string(i)};
    if (auto r = timers.arm(owner, "sbbench", due, ""); !r) {
      return r.err();
    }
  }
  f.arm_seconds = seconds_since(arming);
  // Wait for the due time, then watch the counter.
  while (system_clock{}.now_ms() < due) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto firing = steady::now();
  double last = *before;
  double first_at = -1;
  while (seconds_since(firing) < o.timeout.count() / 1000.0) {
    auto now = fired_total(o);
    if (now) {
      last = *now;
      if (first_at < 0 && last > *before) {
        first_at = seconds_since(firing);
      }
      if (last - *before >= static_cast<double>(o.count)) {
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  f.fired = static_cast<int64_t>(last - *before);
  f.fire_seconds = seconds_since(firing);
  f.first_fired_after_s = first_at;
  return f;
}

}  // namespace sb::sbbench
