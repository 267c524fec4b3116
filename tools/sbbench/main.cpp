// sbbench: the load tool. Drives simulated shoppers through a node's real HTTP path (web, signed
// app, signed WeChat, business events) and reports rate, latency percentiles and errors; thin
// over runtime/bench/ (the shoppers, percentiles, report) and the parts in this folder.
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "tools/sbbench/sbbench.hpp"

namespace {

using namespace sb::sbbench;

struct cli_options {
  load_options load;
  std::string mix_text = "1:1:1";
  std::string admin_token;
  int node_pid = 0;
  std::string baseline;
  std::string nats_url;
  std::string via = "http";
  timer_options timers;
  idle_options idle;
  int partitions = 256;
  bool json = false;
  bool sink = false;
};

// Returns a short tag that differs between runs started in different seconds, so that persons,
// message ids and event ids of two runs against one node never collide.
std::string run_tag() {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  std::string tag;
  for (auto v = static_cast<uint64_t>(s); v > 0; v /= 36) {
    tag.insert(tag.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36]);
  }
  return "sbb" + tag + "-";
}

// Checks what CLI11 cannot; returns the problem or an empty string.
std::string usage_problem(cli_options& o) {
  auto mix = sb::bench::parse_mix(o.mix_text);
  if (!mix) {
    return "--mix: " + mix.err().message;
  }
  o.load.mix = *mix;
  if (o.idle.count > 0) {
    return "";  // An embedded node of its own: nothing else is needed.
  }
  if (o.sink) {
    // The sink checks no signature; any secret will do.
    o.load.app_secret = o.load.app_secret.empty() ? "sink" : o.load.app_secret;
    o.load.wechat_token = o.load.wechat_token.empty() ? "sink" : o.load.wechat_token;
    o.load.events_token = o.load.events_token.empty() ? "sink" : o.load.events_token;
    if (!o.load.node.empty() || o.via != "http") {
      return "--sink drives its own server: leave out --node and --via";
    }
  }
  const bool shoppers_over_http = o.via == "http" && o.timers.count == 0;
  if (shoppers_over_http && o.load.mix.app > 0 && o.load.app_secret.empty()) {
    return "--mix sends app traffic: give the node's channels.app.secret as --app-secret";
  }
  if (shoppers_over_http && o.load.mix.wechat > 0 && o.load.wechat_token.empty()) {
    return "--mix sends WeChat traffic: give channels.wechat.token as --wechat-token";
  }
  if (!o.baseline.empty() && o.baseline != "nats" && o.baseline != "jetstream") {
    return "--baseline: 'nats' or 'jetstream'";
  }
  if (o.via != "http" && o.via != "nats") {
    return "--via: 'http' (the gateway) or 'nats' (the JetStream intake)";
  }
  if (o.timers.count > 0 && o.load.node.empty()) {
    return "--arm-timers needs --node URL (the node that fires them)";
  }
  if (o.via == "http" && o.load.node.empty() && !o.sink) {
    return "--node URL is required (or --via nats --nats URL)";
  }
  if ((o.via == "nats" || !o.baseline.empty()) && o.nats_url.empty()) {
    return "--via nats and --baseline need --nats URL (nothing is started)";
  }
  return "";
}

// Adds the node's memory figures (--node-pid) to the report; warns on stderr if it cannot.
void add_memory(const cli_options& o, int64_t rss_before, std::optional<int64_t> live_before,
                sb::bench::bench_report& r) {
  auto after = read_rss(o.node_pid);
  if (!after) {
    std::cerr << "sbbench: " << after.err().message << "\n";
    return;
  }
  sb::bench::memory_figures m;
  m.rss_before_bytes = rss_before;
  m.rss_after_bytes = *after;
  m.live_before = live_before;
  if (auto text = fetch_metrics(o.load.node, o.admin_token)) {
    m.live_conversations = live_conversations(*text);
    // Only the conversations this run added are paid for by the growth of RSS.
    const auto added = m.live_conversations.value_or(0) - live_before.value_or(0);
    if (live_before && added > 0) {
      m.bytes_per_conversation =
          static_cast<double>(*after - rss_before) / static_cast<double>(added);
    }
  }
  r.memory = m;
}

// Measures the baseline asked for and compares the report's sustained rate with it.
void add_baseline(const cli_options& o, double seconds, sb::bench::bench_report& report) {
  if (o.baseline.empty()) {
    return;
  }
  auto rate = o.baseline == "nats" ? nats_baseline(o.nats_url, seconds, 256)
                                   : jetstream_baseline(o.nats_url, seconds, 300, false);
  if (!rate) {
    std::cerr << "sbbench: " << o.baseline << " baseline failed: " << rate.err().message << "\n";
    return;
  }
  report.baseline = sb::bench::baseline_figures{o.nats_url + " (" + o.baseline + ")", *rate,
                                                *rate > 0 ? report.sustained_per_s / *rate : 0.0};
}

int run_timers(cli_options& o) {
  o.timers.node = o.load.node;
  o.timers.partitions = o.partitions;
  o.timers.run_tag = o.load.run_tag;
  auto f = run_timer_bench(o.timers);
  if (!f) {
    std::cerr << "sbbench: " << f.err().message << "\n";
    return exit_failed;
  }
  const double rate = f->fire_seconds > 0 ? static_cast<double>(f->fired) / f->fire_seconds : 0;
  if (o.json) {
    std::cout << nlohmann::json{{"timers", f->count},
                                {"fired", f->fired},
                                {"arm_seconds", f->arm_seconds},
                                {"fire_seconds", f->fire_seconds},
                                {"fired_per_s", rate},
                                {"first_fired_after_s", f->first_fired_after_s}}
                     .dump()
              << "\n";
  } else {
    std::cout << "timers                  " << f->count << " armed in " << f->arm_seconds << " s\n"
              << "fired                   " << f->fired << " in " << f->fire_seconds
              << " s after the due time: " << rate << " timers/s\n"
              << "first firing            " << f->first_fired_after_s << " s after the due time\n";
  }
  return f->fired >= f->count ? exit_ok : exit_failed;
}

int run_idle(cli_options& o) {
  o.idle.seed = o.load.seed;
  o.idle.run_tag = o.load.run_tag;
  auto f = run_idle_bench(o.idle);
  if (!f) {
    std::cerr << "sbbench: " << f.err().message << "\n";
    // A config the node refuses is a bad command line; anything else failed while running.
    const auto code = f.err().code;
    const bool refused = code == sb::errc::invalid_argument || code == sb::errc::config_syntax ||
                         code == sb::errc::config_unknown_key ||
                         code == sb::errc::config_bad_value || code == sb::errc::config_io;
    return refused ? exit_usage : exit_failed;
  }
  const auto n = std::max<int64_t>(1, f->conversations);
  const double live_per = static_cast<double>(f->rss_live_bytes - f->rss_start_bytes) / n;
  // glibc's count; 0 under a sanitizer's allocator, which mallinfo2 does not see.
  const bool heap_known = f->heap_live_bytes > 0;
  const double heap_per = static_cast<double>(f->heap_live_bytes - f->heap_start_bytes) / n;
  const double kept_per = static_cast<double>(f->rss_passivated_bytes - f->rss_start_bytes) / n;
  if (o.json) {
    const auto or_null = [heap_known](auto v) { return heap_known ? nlohmann::json(v) : nullptr; };
    std::cout << nlohmann::json{{"conversations", f->conversations},
                                {"failed", f->failed},
                                {"open_seconds", f->open_seconds},
                                {"store", f->store_kind},
                                {"users_passivated", f->users_passivated},
                                {"live_actors", f->live_actors},
                                {"live_by_kind", f->live_by_kind},
                                {"passivated", f->passivated},
                                {"rss_start_bytes", f->rss_start_bytes},
                                {"rss_live_bytes", f->rss_live_bytes},
                                {"rss_passivated_bytes", f->rss_passivated_bytes},
                                {"heap_start_bytes", or_null(f->heap_start_bytes)},
                                {"heap_live_bytes", or_null(f->heap_live_bytes)},
                                {"heap_bytes_per_live_conversation", or_null(heap_per)},
                                {"bytes_per_live_conversation", live_per},
                                {"bytes_per_passivated_conversation", kept_per}}
                     .dump()
              << "\n";
  } else {
    auto mib = [](int64_t b) { return std::to_string(b / (1024 * 1024)) + " MiB"; };
    std::cout << "conversations           " << f->conversations << " opened in " << f->open_seconds
              << " s, " << f->failed << " failed\n"
              << "user actors passivated  " << f->users_passivated
              << " (actors.user_idle_passivate)\n"
              << "live actors at the end  " << f->live_actors << " (";
    for (const auto& [kind, count] : f->live_by_kind) {
      std::cout << kind << " " << count << " ";
    }
    std::cout << ")\n"
              << "RSS started             " << mib(f->rss_start_bytes) << "\n"
              << "RSS all live, idle      " << mib(f->rss_live_bytes) << ": "
              << static_cast<int64_t>(live_per) << " bytes per conversation"
              << (heap_known ? " (" + std::to_string(static_cast<int64_t>(heap_per)) +
                                   " of them allocated heap)"
                             : std::string{})
              << "\n"
              << "RSS all passivated      " << mib(f->rss_passivated_bytes) << ": "
              << static_cast<int64_t>(kept_per)
              << " bytes per conversation (store: " << f->store_kind << ")\n";
  }
  return f->failed == 0 ? exit_ok : exit_failed;
}

int run_via_nats(const cli_options& o) {
  nats_intake_options n;
  n.url = o.nats_url;
  n.partitions = o.partitions;
  n.people = o.load.people;
  n.rate = o.load.rate;
  n.duration_s = o.load.duration_s;
  n.seed = o.load.seed;
  n.run_tag = o.load.run_tag;
  const double cpu_before = process_cpu_seconds();
  auto report = run_nats_intake(n);
  report.load_cpu_s = process_cpu_seconds() - cpu_before;
  add_baseline(o, o.load.duration_s, report);
  std::cout << (o.json ? sb::bench::to_json(report) : sb::bench::to_table(report));
  if (report.answered == 0) {
    std::cerr << "sbbench: no reply came back from the intake (is a cluster consuming it?)\n";
    return exit_failed;
  }
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sbbench: drive simulated shoppers through a Switchboard node's HTTP gateway"};
  app.set_version_flag("--version", std::string{"sbbench "} + SB_VERSION);
  cli_options o;
  auto& l = o.load;
  app.add_option("--node", l.node, "Base URL of the node, e.g. http://127.0.0.1:8080");
  app.add_option("--via", o.via,
                 "http: through the gateway (default); nats: straight into the cluster's "
                 "JetStream intake at --nats");
  app.add_option("--partitions", o.partitions, "The cluster's cluster.partitions (--via nats)")
      ->check(CLI::Range(1, 65536));
  app.add_option("--people", l.people, "Simulated people writing at once")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--rate", l.rate, "Chat messages per second (open loop)")
      ->check(CLI::Range(0.001, 1e6));
  app.add_option("--duration", l.duration_s, "Seconds to send for")->check(CLI::Range(0.001, 1e6));
  app.add_option("--mix", o.mix_text, "Channel weights web:app:wechat, e.g. 6:2:2");
  app.add_option("--seed", l.seed, "Seed of the shoppers (same seed, same conversations)");
  app.add_option("--threads", l.threads, "HTTP workers (default: min(people, 64))")
      ->check(CLI::Range(1, 4096));
  app.add_option("--app-secret", l.app_secret, "The node's channels.app.secret");
  app.add_option("--wechat-token", l.wechat_token, "The node's channels.wechat.token");
  app.add_option("--events-token", l.events_token,
                 "The node's events.token (without it no business events are sent)");
  app.add_option("--admin-token", o.admin_token, "The node's admin.token, sent with GET /metrics");
  app.add_option("--node-pid", o.node_pid,
                 "Pid of a local node: report its RSS before and after, per live conversation")
      ->check(CLI::Range(1, 1 << 30));
  app.add_option("--baseline", o.baseline,
                 "Also measure a baseline on the same server: nats (core publish/subscribe) or "
                 "jetstream (async publishes to a file stream)");
  app.add_option("--nats", o.nats_url, "NATS URL for --via nats and --baseline");
  app.add_option("--arm-timers", o.timers.count,
                 "Instead of shoppers: arm this many durable timers in the node's Redis and "
                 "time their firing")
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  app.add_option("--redis-port", o.timers.redis_port, "Redis of --arm-timers (host 127.0.0.1)");
  app.add_option("--timer-due-in", o.timers.due_in,
                 "--arm-timers: due this long after the start (ms)");
  bool no_keep_alive = false;
  app.add_option("--idle-conversations", o.idle.count,
                 "Open N idle conversations on an embedded node in this process and report its "
                 "memory per live and per passivated conversation")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  app.add_option("--idle-batch", o.idle.batch,
                 "Conversations opened between two sweeps of idle user actors (--idle-...)")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  app.add_option("--config", o.idle.config_file, "Config file of the embedded node (--idle-...)");
  app.add_option("--set", o.idle.sets, "KEY=VALUE override for the embedded node (--idle-...)");
  app.add_flag("--sink", o.sink,
               "Drive an HTTP sink inside sbbench that answers at once, to measure sbbench's own "
               "ceiling (no --node)");
  app.add_flag("--no-keep-alive", no_keep_alive,
               "Open a connection per request instead of keeping one per worker");
  app.add_flag("--json", o.json, "Print the report as JSON");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }
  if (auto problem = usage_problem(o); !problem.empty()) {
    std::cerr << "sbbench: " << problem << "\n";
    return exit_usage;
  }
  l.run_tag = run_tag();
  l.keep_alive = !no_keep_alive;
  if (o.idle.count > 0) {
    return run_idle(o);
  }
  if (o.via == "nats") {
    return run_via_nats(o);
  }
  if (o.timers.count > 0) {
    return run_timers(o);
  }

  std::unique_ptr<sink> own_sink;
  if (o.sink) {
    const int workers = l.threads > 0 ? l.threads : std::min(l.people, 64);
    auto started = sink::start(workers + 8);
    if (!started) {
      std::cerr << "sbbench: " << started.err().message << "\n";
      return exit_failed;
    }
    own_sink = std::move(*started);
    l.node = own_sink->url();
  }
  if (auto up = check_node(l.node, std::chrono::milliseconds{5000}); !up) {
    std::cerr << "sbbench: " << up.err().message << "\n";
    return up.err().code == sb::errc::invalid_argument ? exit_usage : exit_failed;
  }
  int64_t rss_before = 0;
  std::optional<int64_t> live_before;
  if (o.node_pid > 0) {
    if (auto text = fetch_metrics(l.node, o.admin_token)) {
      live_before = live_conversations(*text);
    }
    auto rss = read_rss(o.node_pid);
    if (!rss) {
      std::cerr << "sbbench: " << rss.err().message << "\n";
      return exit_failed;
    }
    rss_before = *rss;
  }

  const double cpu_before = process_cpu_seconds();
  auto report = run_load(l);
  report.load_cpu_s = process_cpu_seconds() - cpu_before;
  report.mix = o.mix_text;
  if (o.node_pid > 0) {
    add_memory(o, rss_before, live_before, report);
  }
  add_baseline(o, l.duration_s, report);

  std::cout << (o.json ? sb::bench::to_json(report) : sb::bench::to_table(report));
  const bool got_answers = report.answered + report.silent + report.pending > 0;
  if (report.sent > 0 && !got_answers) {
    std::cerr << "sbbench: the node answered none of " << report.sent << " messages\n";
    return exit_failed;
  }
  return exit_ok;
}
