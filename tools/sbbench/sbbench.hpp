#pragma once

// The parts of `sbbench` that touch the outside world: the load runner (HTTP to a node), the
// node probes (health, /metrics, /proc/PID/status) and the raw NATS baseline. main.cpp parses the
// command line, calls these and prints the report (runtime/bench/report.hpp).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/bench/report.hpp"
#include "runtime/bench/shopper_generator.hpp"
#include "runtime/result.hpp"

namespace sb::sbbench {

/// Exit codes of `sbbench`.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;  ///< the node was unreachable or answered nothing
inline constexpr int exit_usage = 2;

/// What a load run does (from the command line).
struct load_options {
  std::string node;  ///< base URL, http://HOST:PORT
  int people = 20;
  double rate = 50;  ///< chat messages per second, open loop
  double duration_s = 10;
  bench::channel_mix mix;
  uint64_t seed = 1;
  int threads = 0;  ///< HTTP workers; 0: min(people, 64)
  std::chrono::milliseconds timeout{10000};
  bool keep_alive = true;  ///< each HTTP worker keeps its connection open between requests
  std::string app_secret;
  std::string wechat_token;
  std::string events_token;
  std::string run_tag;  ///< prefix of person ids, so that two runs never share a person
};

/// Plays shoppers against the node at the asked rate for the asked duration, each person's
/// messages in order (a person's next message waits for the previous reply), and fills the
/// counting and latency fields of a report. Blocks until every sent request is answered or timed
/// out. Never throws.
bench::bench_report run_load(const load_options& options);

/// Returns whether GET /healthz answers 200 within `timeout`; the error says why not.
result<void> check_node(const std::string& node, std::chrono::milliseconds timeout);

/// Returns the text of GET /metrics (with `Bearer admin_token` when given).
result<std::string> fetch_metrics(const std::string& node, const std::string& admin_token);

/// Returns the resident set size of process `pid` from /proc/PID/status, in bytes.
result<int64_t> read_rss(int pid);

/// Returns the live conversations in /metrics text: sb_actors_live_by_kind{kind="conversation"},
/// else sb_actors_live; nothing if neither is there.
std::optional<int64_t> live_conversations(const std::string& metrics_text);

/// Measures raw NATS publish/subscribe throughput at `url` for `duration_s` seconds (one
/// publisher and one subscriber on one connection each, messages of `payload_bytes`); returns
/// messages received per second.
result<double> nats_baseline(const std::string& url, double duration_s, size_t payload_bytes);

/// What a run straight onto NATS does (`--via nats`).
struct nats_intake_options {
  std::string url;       ///< nats://HOST:PORT of the cluster's server
  int partitions = 256;  ///< the cluster's cluster.partitions
  int people = 1000;
  double rate = 1000;  ///< messages per second, open loop
  double duration_s = 10;
  uint64_t seed = 1;
  std::chrono::milliseconds timeout{30000};  ///< how long to wait for the last replies
  std::string run_tag;
};

/// Publishes chat requests into the JetStream intake as a gateway would (reply subject of its
/// own, correlation ids) at the asked rate and fills the report from the replies: sustained rate,
/// latency from publish to reply, errors. Never throws.
bench::bench_report run_nats_intake(const nats_intake_options& options);

/// Measures raw JetStream asynchronous publishing at `url` for `duration_s` seconds into a
/// scratch stream (file or memory storage, deleted afterwards); returns acknowledged messages
/// per second.
result<double> jetstream_baseline(const std::string& url, double duration_s, size_t payload_bytes,
                                  bool memory_storage);

/// What a timer run does (`--arm-timers N`).
struct timer_options {
  std::string node;  ///< the node that fires them (checked to answer before the run)
  std::string redis_host = "127.0.0.1";
  int redis_port = 6379;
  std::string redis_password;
  std::string key_prefix = "sb:";  ///< the node's store.key_prefix
  int partitions = 256;            ///< the node's cluster.partitions (1 for an embedded node)
  int64_t count = 0;               ///< timers to arm; 0: no timer run
  /// All are due this long after the run starts: choose it longer than arming takes (about
  /// 40 µs a timer on a local Redis), or firing overlaps arming.
  std::chrono::milliseconds due_in{5000};
  std::chrono::milliseconds timeout{600000};
  std::string run_tag;
};

/// What a timer run measured.
struct timer_figures {
  int64_t count = 0;
  int64_t fired = 0;
  double arm_seconds = 0;           ///< arming all of them, one store call sequence each
  double fire_seconds = 0;          ///< from the due time until all fired (or the timeout)
  double first_fired_after_s = -1;  ///< from the due time to the first firing seen
};

/// Arms `count` timers due at start + due_in directly in the node's Redis (one per conversation
/// address, the timer store's own format) and watches the node fire them: the store's pending
/// count falls as owners complete their firings. Other timers of the store count as well: run it
/// on a node that has none due meanwhile.
result<timer_figures> run_timer_bench(const timer_options& options);

/// An HTTP server inside sbbench that answers every POST at once the way a node answers (a JSON
/// reply with one line, XML on the WeChat path): `--sink` drives load at it to measure sbbench's
/// own ceiling. Lifetime: serves from start() until destruction, on `threads` threads.
class sink {
 public:
  static result<std::unique_ptr<sink>> start(int threads);
  ~sink();
  sink(const sink&) = delete;
  sink& operator=(const sink&) = delete;
  /// Returns http://127.0.0.1:PORT.
  [[nodiscard]] std::string url() const;

 private:
  struct impl;
  explicit sink(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// Returns the CPU time (user + system) this process used so far, in seconds.
double process_cpu_seconds();

/// What an idle-memory run does (`--idle-conversations N`).
struct idle_options {
  int64_t count = 0;              ///< conversations to open; 0: no idle run
  int64_t batch = 10000;          ///< conversations opened between two sweeps
  std::string config_file;        ///< the embedded node's config (--config); empty: defaults
  std::vector<std::string> sets;  ///< KEY=VALUE overrides (--set)
  int threads = 4;                ///< callers opening conversations at once
  uint64_t seed = 1;
  std::string run_tag;
};

/// What an idle-memory run measured. RSS is this process's, after giving freed heap back.
struct idle_figures {
  std::string store_kind;  ///< memory: saved states stay in this process; redis: they leave it
  int64_t conversations = 0;
  int64_t failed = 0;  ///< openings that got no reply
  double open_seconds = 0;
  int64_t users_passivated = 0;  ///< by the sweeps after each batch
  int64_t live_actors = 0;       ///< at the end, every kind
  std::map<std::string, int64_t> live_by_kind;
  int64_t passivated = 0;            ///< by the final drain
  int64_t rss_start_bytes = 0;       ///< the node started, its kinds loaded
  int64_t rss_live_bytes = 0;        ///< every conversation live and idle
  int64_t rss_passivated_bytes = 0;  ///< after all of them were passivated
  int64_t heap_start_bytes = 0;      ///< malloc'd and not freed (mallinfo2), at the start
  int64_t heap_live_bytes = 0;       ///< ... with every conversation live
};

/// Starts an embedded node in this process (bus.kind inproc; the store the config names) on a
/// clock of its own and opens `count` web conversations with one opening message each, in
/// batches. After each batch it moves the clock by actors.user_idle_passivate and passivates what
/// is idle, as a running node's sweep would: the user actors (skipped when user_idle_passivate is
/// not shorter than actors.idle_passivate, which must outlast the run's clock). Then it measures
/// RSS with every conversation live, passivates everything and measures again.
result<idle_figures> run_idle_bench(const idle_options& options);

}  // namespace sb::sbbench
