#include "runtime/bench/report.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::bench {

namespace {

constexpr size_t table_width = 100;
constexpr int label_width = 24;

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

double ms(int64_t micros) {
  return static_cast<double>(micros) / 1000.0;
}

// Appends "label  value" lines; a value too long for one line continues on the next ones,
// broken at a space (after a comma if possible) and indented under the value.
void line(std::ostringstream& out, std::string_view label, const std::string& value) {
  std::string head{label};
  head.resize(label_width, ' ');
  std::string rest = value;
  const size_t room = table_width - label_width;
  while (rest.size() > room) {
    // Prefer the space after a comma, so that "10.2 KiB each" stays together.
    auto cut = rest.rfind(", ", room - 1);
    cut = cut != std::string::npos && cut > 0 ? cut + 1 : rest.rfind(' ', room);
    const bool at_space = cut != std::string::npos && cut > 0;
    cut = at_space ? cut : room;  // no space to break at: cut the word
    out << head << rest.substr(0, cut) << "\n";
    rest = rest.substr(at_space ? cut + 1 : cut);
    head.assign(label_width, ' ');
  }
  out << head << rest << "\n";
}

std::string counts(const std::map<std::string, int64_t>& m) {
  std::string out;
  for (const auto& [k, v] : m) {
    out += (out.empty() ? "" : ", ") + k + " " + std::to_string(v);
  }
  return out;
}

std::string mib(int64_t bytes) {
  return fixed(static_cast<double>(bytes) / (1024.0 * 1024.0), 1) + " MiB";
}

}  // namespace

int64_t bench_report::error_count() const {
  int64_t n = 0;
  for (const auto& kv : errors) {
    n += kv.second;
  }
  return n;
}

std::string status_error_kind(int status) {
  return "http_" + std::to_string(status);
}

std::string to_table(const bench_report& r) {
  std::ostringstream out;
  line(out, "node", r.node);
  line(out, "load",
       std::to_string(r.people) + " people, " + fixed(r.target_rate, 1) + " messages/s for " +
           fixed(r.duration_s, 1) + " s, mix " + r.mix + ", seed " + std::to_string(r.seed));
  auto by_channel = counts(r.sent_by_channel);
  line(out, "sent", std::to_string(r.sent) + (by_channel.empty() ? "" : " (" + by_channel + ")"));
  line(out, "answered", std::to_string(r.answered));
  line(out, "silent (to a human)", std::to_string(r.silent));
  line(out, "pending (202)", std::to_string(r.pending));
  auto errs = counts(r.errors);
  line(out, "errors", std::to_string(r.error_count()) + (errs.empty() ? "" : ": " + errs));
  line(out, "events",
       std::to_string(r.events_sent) + " sent, " + std::to_string(r.events_ok) + " accepted");
  line(out, "elapsed", fixed(r.elapsed_s, 2) + " s");
  line(out, "sustained", fixed(r.sustained_per_s, 1) + " messages/s");
  const auto& l = r.latency;
  line(out, "latency p50/p99/p99.9",
       fixed(ms(l.p50_us), 2) + " / " + fixed(ms(l.p99_us), 2) + " / " + fixed(ms(l.p999_us), 2) +
           " ms (max " + fixed(ms(l.max_us), 2) + ", mean " + fixed(l.mean_us / 1000.0, 2) + ", " +
           std::to_string(l.count) + " samples)");
  if (r.load_cpu_s > 0 && r.sent > 0) {
    const double us = r.load_cpu_s * 1e6 / static_cast<double>(r.sent);
    line(out, "sbbench CPU",
         fixed(r.load_cpu_s, 2) + " s, " + fixed(us, 0) + " us a message: one core drives " +
             fixed(1e6 / us, 0) + " messages/s");
  }
  if (r.memory) {
    const auto& m = *r.memory;
    std::string v = "before " + mib(m.rss_before_bytes) + ", after " + mib(m.rss_after_bytes);
    if (m.live_conversations) {
      v += ", " + std::to_string(*m.live_conversations) + " live conversations";
      if (m.live_before) {
        v += " (" + std::to_string(*m.live_before) + " before)";
      }
    }
    if (m.bytes_per_conversation) {
      v += ", " + fixed(*m.bytes_per_conversation / 1024.0, 1) + " KiB each";
    }
    line(out, "node RSS", v);
  }
  if (r.baseline) {
    const auto& b = *r.baseline;
    std::string share = b.node_share > 0 ? "1/" + fixed(1.0 / b.node_share, 0) : "none";
    line(out, "NATS baseline",
         fixed(b.messages_per_s, 0) + " messages/s pub/sub at " + b.url +
             "; the node's sustained rate is " + share + " of it");
  }
  return out.str();
}

std::string to_json(const bench_report& r) {
  auto latency_ms = [](const latency_summary& l) {
    return nlohmann::json{{"count", l.count},    {"p50", ms(l.p50_us)},
                          {"p99", ms(l.p99_us)}, {"p99_9", ms(l.p999_us)},
                          {"max", ms(l.max_us)}, {"mean", l.mean_us / 1000.0}};
  };
  nlohmann::json j{{"node", r.node},
                   {"people", r.people},
                   {"target_rate", r.target_rate},
                   {"duration_s", r.duration_s},
                   {"mix", r.mix},
                   {"seed", r.seed},
                   {"sent", r.sent},
                   {"answered", r.answered},
                   {"silent", r.silent},
                   {"pending", r.pending},
                   {"errors", r.errors},
                   {"error_count", r.error_count()},
                   {"sent_by_channel", r.sent_by_channel},
                   {"events_sent", r.events_sent},
                   {"events_ok", r.events_ok},
                   {"elapsed_s", r.elapsed_s},
                   {"sustained_per_s", r.sustained_per_s},
                   {"latency_ms", latency_ms(r.latency)},
                   {"load_cpu_s", r.load_cpu_s},
                   {"load_cpu_us_per_message",
                    r.sent > 0 ? r.load_cpu_s * 1e6 / static_cast<double>(r.sent) : 0.0}};
  if (r.memory) {
    const auto& m = *r.memory;
    nlohmann::json mem{{"rss_before_bytes", m.rss_before_bytes},
                       {"rss_after_bytes", m.rss_after_bytes}};
    if (m.live_before) {
      mem["live_before"] = *m.live_before;
    }
    if (m.live_conversations) {
      mem["live_conversations"] = *m.live_conversations;
    }
    if (m.bytes_per_conversation) {
      mem["bytes_per_conversation"] = *m.bytes_per_conversation;
    }
    j["memory"] = mem;
  }
  if (r.baseline) {
    j["baseline"] = {{"kind", "nats"},
                     {"url", r.baseline->url},
                     {"messages_per_s", r.baseline->messages_per_s},
                     {"node_share", r.baseline->node_share}};
  }
  return j.dump(2) + "\n";
}

std::optional<int64_t> parse_vmrss(std::string_view proc_status) {
  constexpr std::string_view key = "VmRSS:";
  auto at = proc_status.find(key);
  if (at == std::string_view::npos || (at > 0 && proc_status[at - 1] != '\n')) {
    return std::nullopt;
  }
  std::string rest{proc_status.substr(at + key.size(), 40)};
  char* end = nullptr;
  auto kib = std::strtoll(rest.c_str(), &end, 10);
  if (end == rest.c_str() || kib < 0) {
    return std::nullopt;
  }
  return int64_t{kib} * 1024;  // the kernel writes "kB" and means KiB
}

std::optional<double> prometheus_value(std::string_view text, std::string_view series) {
  size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    auto l = text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (l.size() > series.size() + 1 && l.compare(0, series.size(), series) == 0 &&
        l[series.size()] == ' ') {
      std::string v{l.substr(series.size() + 1)};
      char* stop = nullptr;
      double d = std::strtod(v.c_str(), &stop);
      if (stop != v.c_str()) {
        return d;
      }
    }
    if (end == std::string_view::npos) {
      break;
    }
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace sb::bench
