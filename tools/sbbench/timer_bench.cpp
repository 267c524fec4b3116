// Durable timers at scale: arms N timers straight into a node's Redis store (as conversations
// would, one each), then watches the store's due sets empty as the node fires them (a fired timer
// is removed by its owner after it saved), and reports how fast it armed, how soon the first
// fired and how fast they fired. The node's /metrics shows the same in sb_timers_fired_total.
#include <iostream>
#include <thread>

#include <algorithm>

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
  auto before = timers.pending_count();
  if (!before) {
    return before.err();
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
  const int64_t armed_total = *before + o.count;
  int64_t fired = 0;
  double first_at = -1;
  while (seconds_since(firing) < static_cast<double>(o.timeout.count()) / 1000.0) {
    if (auto pending = timers.pending_count()) {
      fired = armed_total - *pending;
      if (first_at < 0 && fired > 0) {
        first_at = seconds_since(firing);
      }
      if (fired >= o.count) {
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  f.fired = std::min(fired, o.count);
  f.fire_seconds = seconds_since(firing);
  f.first_fired_after_s = first_at;
  return f;
}

}  // namespace sb::sbbench
