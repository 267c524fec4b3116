#pragma once

// What `sbbench` reports after a run: counts, errors by kind, the sustained rate, reply latency
// percentiles, and optionally the node's memory and a raw NATS baseline; as a table for people
// (at most 100 columns) or as one JSON object for scripts.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/bench/latency_recorder.hpp"

namespace sb::bench {

/// The node's resident memory around a run (`--node-pid`), and what it comes to per live
/// conversation when the node's /metrics tells how many are live.
struct memory_figures {
  int64_t rss_before_bytes = 0;
  int64_t rss_after_bytes = 0;
  std::optional<int64_t> live_before;         ///< live conversations before the run (/metrics)
  std::optional<int64_t> live_conversations;  ///< ... after it (sb_actors_live_by_kind, else all)
  /// (rss after - rss before) / (live after - live before), when more are live after the run.
  std::optional<double> bytes_per_conversation;
};

/// Raw NATS publish/subscribe throughput on the same machine (`--baseline nats`).
struct baseline_figures {
  std::string url;
  double messages_per_s = 0;
  double node_share = 0;  ///< the node's sustained rate divided by messages_per_s
};

/// Everything one run measured. Plain value, filled by the load tool.
struct bench_report {
  // -- what was asked
  std::string node;
  int64_t people = 0;
  double target_rate = 0;  ///< messages per second
  double duration_s = 0;
  std::string mix;  ///< as given, web:app:wechat
  uint64_t seed = 0;
  // -- what happened
  int64_t sent = 0;                       ///< chat messages sent
  int64_t answered = 0;                   ///< ... answered with at least one reply
  int64_t silent = 0;                     ///< ... answered 200 without a reply (handed to a human)
  int64_t pending = 0;                    ///< ... answered 202 (the bot was slower than reply_wait)
  std::map<std::string, int64_t> errors;  ///< by kind: http_STATUS, timeout, transport
  std::map<std::string, int64_t> sent_by_channel;
  int64_t events_sent = 0;
  int64_t events_ok = 0;
  double elapsed_s = 0;        ///< first send to last answer
  double sustained_per_s = 0;  ///< (answered + silent) / elapsed_s
  latency_summary latency;     ///< of answered and silent messages
  /// CPU time (user + system) of the load tool's own process during the run; with `--sink` it
  /// includes the sink's, which runs in that process.
  double load_cpu_s = 0;
  std::optional<memory_figures> memory;
  std::optional<baseline_figures> baseline;

  /// Returns the sum of errors over every kind.
  [[nodiscard]] int64_t error_count() const;
};

/// Returns the report as a table of `label  value` lines, none longer than 100 columns.
std::string to_table(const bench_report& r);

/// Returns the report as one JSON object (latencies in milliseconds), ending in a newline.
std::string to_json(const bench_report& r);

/// Returns the error kind of an HTTP status: "http_" followed by the status.
std::string status_error_kind(int status);

/// Returns VmRSS in bytes from the text of /proc/PID/status; nothing if it has no such line.
std::optional<int64_t> parse_vmrss(std::string_view proc_status);

/// Returns the value of `series` in Prometheus text (`name` or `name{label="v"}` as rendered);
/// nothing if absent.
std::optional<double> prometheus_value(std::string_view text, std::string_view series);

}  // namespace sb::bench
