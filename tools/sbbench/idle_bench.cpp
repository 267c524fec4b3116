// `sbbench --idle-conversations N`: the memory a node pays for live, idle conversations. Runs an
// embedded node inside this process (the node's own engine and actor kinds, the config given
// with --config/--set), opens N conversations with one shopper message each, and reads this
// process's resident set size before, while they are live, and after they are passivated.
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "runtime/bench/shopper_generator.hpp"
#include "runtime/bus.hpp"
#include "runtime/clock.hpp"
#include "runtime/node.hpp"
#include "schemas/conversation.hpp"
#include "tools/sbbench/sbbench.hpp"

namespace sb::sbbench {

namespace {

// Gives freed heap back to the kernel so that RSS shows what is still in use.
int64_t settled_rss() {
  malloc_trim(0);
  auto rss = read_rss(static_cast<int>(getpid()));
  return rss ? *rss : 0;
}

// Bytes the process's heap has handed out and not taken back (glibc's count, every arena).
int64_t heap_in_use() {
  return static_cast<int64_t>(mallinfo2().uordblks);
}

// Waits until the node has handled everything the conversations sent on (their user actors):
// three readings of messages_handled in a row, 50 ms apart, that do not change.
void wait_until_quiet(node& n) {
  int64_t last = -1;
  int same = 0;
  while (same < 3) {
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
    const auto handled = n.stats().messages_handled;
    same = handled == last ? same + 1 : 0;
    last = handled;
  }
}

// The first message of each shopper: the generator's opening line in the shopper's language.
std::vector<std::string> opening_lines(uint64_t seed) {
  bench::generator_options g;
  g.seed = seed;
  bench::shopper_generator gen{g};
  std::vector<std::string> lines;
  while (lines.size() < 64) {
    auto script = gen.next();
    if (!script.steps.empty() && script.steps.front().kind == bench::step_kind::message) {
      lines.push_back(script.steps.front().text);
    }
  }
  return lines;
}

}  // namespace

result<idle_figures> run_idle_bench(const idle_options& options) {
  auto cfg = load_node_config(config_sources{options.config_file, options.sets, false, {}});
  if (!cfg) {
    return cfg.err();
  }
  if (cfg->bus_kind != "inproc") {
    return error{errc::invalid_argument,
                 "--idle-conversations runs an embedded node: bus.kind must be inproc"};
  }
  const int64_t batch = std::max<int64_t>(1, options.batch);
  const int64_t batches = (options.count + batch - 1) / batch;
  const auto user_idle = cfg->actors_user_idle_passivate.count();
  const bool users_sweep = user_idle < cfg->actors_idle_passivate.count();
  // The run moves its clock by user_idle after each batch; no conversation may reach its own
  // idle time meanwhile, or it would passivate and not be counted as live.
  if (users_sweep && batches * user_idle >= cfg->actors_idle_passivate.count()) {
    return error{
        errc::invalid_argument,
        "the run spans " + std::to_string(batches) + " batches of " + std::to_string(user_idle) +
            " ms on the node clock: set "
            "actors.idle_passivate longer than that (e.g. --set actors.idle_passivate=30d)"};
  }
  // A clock of our own, moved past actors.user_idle_passivate after each batch: conversations
  // arrive over time and their profiles (user actors) passivate sooner than they do, as on a
  // running node whose sweep runs every actors.sweep_interval.
  manual_clock clk{std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count()};
  node_start_options start;
  start.self_ticking = false;  // Nothing passivates but this run's sweeps.
  start.node_clock = &clk;
  auto n = node::start(*cfg, std::move(start));
  if (!n) {
    return n.err();
  }
  idle_figures f;
  f.store_kind = cfg->store_kind;
  f.rss_start_bytes = settled_rss();
  f.heap_start_bytes = heap_in_use();
  const auto lines = opening_lines(options.seed);
  std::atomic<int64_t> failed{0};
  const auto started = std::chrono::steady_clock::now();
  for (int64_t first = 0; first < options.count; first += batch) {
    const int64_t end = std::min(options.count, first + batch);
    std::atomic<int64_t> next{first};
    std::vector<std::thread> workers;
    for (int t = 0; t < std::max(1, options.threads); ++t) {
      workers.emplace_back([&] {
        for (auto i = next++; i < end; i = next++) {
          schemas::chat_message msg;
          msg.channel = "web";
          msg.person = options.run_tag + std::to_string(i);
          msg.text = lines[static_cast<size_t>(i) % lines.size()];
          msg.client_msg_id = msg.person + "-1";
          msg.sent_at_ms = clk.now_ms();
          auto env = make_envelope(schemas::address{"conversation", "web:" + msg.person}, msg,
                                   msg.sent_at_ms);
          if (!(*n)->message_bus().request_sync(std::move(env), std::chrono::seconds{30})) {
            ++failed;
          }
        }
      });
    }
    for (auto& w : workers) {
      w.join();
    }
    wait_until_quiet(**n);
    if (users_sweep) {
      clk.advance(user_idle);
      auto swept = (*n)->passivate_idle();
      if (!swept) {
        return swept.err();
      }
      f.users_passivated += *swept;
    }
  }
  f.open_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  f.conversations = options.count;
  f.failed = failed.load();
  auto stats = (*n)->stats();
  f.live_actors = stats.live_actors;
  f.live_by_kind = stats.live_by_kind;
  f.rss_live_bytes = settled_rss();
  f.heap_live_bytes = heap_in_use();
  f.passivated = (*n)->drain();
  f.rss_passivated_bytes = settled_rss();
  return f;
}

}  // namespace sb::sbbench
