#include "runtime/metrics.hpp"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>

namespace sb::metrics {
namespace {

// The header promises lock-free counters and gauges.
static_assert(std::atomic<double>::is_always_lock_free);

enum class metric_type { counter, gauge, histogram };

const char* to_string(metric_type t) {
  switch (t) {
    case metric_type::counter:
      return "counter";
    case metric_type::gauge:
      return "gauge";
    case metric_type::histogram:
      return "histogram";
  }
  return "untyped";
}

// Misuse of the registry is a programming error that would otherwise surface much later as a
// scrape that Prometheus rejects, so it stops the process at the offending call.
[[noreturn]] void fail(std::string_view name, std::string_view what) {
  std::fprintf(stderr, "sb::metrics: metric '%.*s': %.*s\n", static_cast<int>(name.size()),
               name.data(), static_cast<int>(what.size()), what.data());
  std::abort();
}

bool is_name_char(char c, bool first, bool allow_colon) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  bool digit = c >= '0' && c <= '9';
  return alpha || (allow_colon && c == ':') || (!first && digit);
}

bool is_valid_name(std::string_view s, bool allow_colon) {
  if (s.empty())
    return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (!is_name_char(s[i], i == 0, allow_colon))
      return false;
  return true;
}

[[maybe_unused]] bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Compare-and-swap because std::atomic<double>::fetch_add is C++20.
void atomic_add(std::atomic<double>& a, double v) {
  double old = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(old, old + v, std::memory_order_relaxed)) {
  }
}

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  if (v == 0) {
    out += '0';  // also for -0, which fixed notation would print as "-0"
    return;
  }
  char buf[64];
  std::to_chars_result r{};
  // Plain shortest round-trip to_chars prefers "1e+06" to "1000000"; counts read better as
  // integers. Below 1e21 the fixed form fits the buffer and still round-trips.
  if (std::trunc(v) == v && std::fabs(v) < 1e21)
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  else
    r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_escaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (quote && c == '"')
      out += "\\\"";
    else
      out += c;
  }
}

// -- series
// -----------------------------------------------------------------------------------------

class counter_impl final : public counter {
 public:
  void inc(double v) override {
    assert(v >= 0 && "sb::metrics: counters only go up");
    if (v > 0)
      atomic_add(value_, v);
  }
  [[nodiscard]] double value() const override { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class gauge_impl final : public gauge {
 public:
  void set(double v) override { value_.store(v, std::memory_order_relaxed); }
  void add(double v) override { atomic_add(value_, v); }
  [[nodiscard]] double value() const override { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class histogram_impl final : public histogram {
 public:
  // `bounds` must outlive the histogram: it is the family's bucket vector.
  explicit histogram_impl(const std::vector<double>& bounds)
      : bounds_(bounds), counts_(bounds.size() + 1) {}  // value-initialized: all zero

  void observe(double v) override {
    auto i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
    counts_[static_cast<size_t>(i)].fetch_add(1, std::memory_order_relaxed);
    atomic_add(sum_, v);
  }
  [[nodiscard]] double count() const override {
    uint64_t n = 0;
    for (const auto& c : counts_)
      n += c.load(std::memory_order_relaxed);
    return static_cast<double>(n);
  }
  [[nodiscard]] double sum() const override { return sum_.load(std::memory_order_relaxed); }

  /// Returns the non-cumulative count of bucket `i` (the last one is +Inf).
  [[nodiscard]] uint64_t bucket(size_t i) const {
    return counts_[i].load(std::memory_order_relaxed);
  }

 private:
  const std::vector<double>& bounds_;
  std::vector<std::atomic<uint64_t>> counts_;
  std::atomic<double> sum_{0};
};

// -- registry
// ---------------------------------------------------------------------------------------

template <class Impl>
using series_map = std::map<labels, std::unique_ptr<Impl>>;

struct family {
  metric_type type;
  std::string help;
  std::vector<double> bounds;
  series_map<counter_impl> counters;
  series_map<gauge_impl> gauges;
  series_map<histogram_impl> histograms;
};

// Sorting makes {a,b} and {b,a} the same series and gives render() a stable order.
labels normalize(std::string_view name, metric_type type, labels l) {
  std::sort(l.begin(), l.end());
  for (size_t i = 0; i < l.size(); ++i) {
    const auto& key = l[i].first;
    if (!is_valid_name(key, false) || key.rfind("__", 0) == 0)
      fail(name, "invalid label name '" + key + "'");
    if (type == metric_type::histogram && key == "le")
      fail(name, "label 'le' is reserved for histogram buckets");
    if (i > 0 && l[i - 1].first == key)
      fail(name, "label '" + key + "' given twice");
  }
  return l;
}

void append_series(std::string& out, std::string_view name, std::string_view suffix,
                   const labels& l, const std::string* le, double value) {
  out += name;
  out += suffix;
  if (!l.empty() || le != nullptr) {
    out += '{';
    const char* sep = "";
    for (const auto& [key, val] : l) {
      out += sep;
      out += key;
      out += "=\"";
      append_escaped(out, val, true);
      out += '"';
      sep = ",";
    }
    if (le != nullptr) {
      out += sep;
      out += "le=\"";
      out += *le;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  append_number(out, value);
  out += '\n';
}

class registry_impl final : public registry {
 public:
  counter& get_counter(std::string_view name, std::string_view help, const labels& l) override {
    assert(ends_with(name, "_total") && "sb::metrics: counter names must end in _total");
    std::lock_guard<std::mutex> guard{mutex_};
    auto& f = get_family(name, help, metric_type::counter, {});
    return get_series(f.counters, normalize(name, f.type, l),
                      [] { return std::make_unique<counter_impl>(); });
  }

  gauge& get_gauge(std::string_view name, std::string_view help, const labels& l) override {
    assert(!ends_with(name, "_total") && "sb::metrics: only counter names end in _total");
    std::lock_guard<std::mutex> guard{mutex_};
    auto& f = get_family(name, help, metric_type::gauge, {});
    return get_series(f.gauges, normalize(name, f.type, l),
                      [] { return std::make_unique<gauge_impl>(); });
  }

  histogram& get_histogram(std::string_view name, std::string_view help,
                           const std::vector<double>& buckets, const labels& l) override {
    assert(!ends_with(name, "_total") && "sb::metrics: only counter names end in _total");
    std::lock_guard<std::mutex> guard{mutex_};
    auto& f = get_family(name, help, metric_type::histogram, buckets);
    return get_series(f.histograms, normalize(name, f.type, l),
                      [&f] { return std::make_unique<histogram_impl>(f.bounds); });
  }

  [[nodiscard]] std::string render() const override {
    std::string out;
    std::lock_guard<std::mutex> guard{mutex_};
    for (const auto& [name, f] : families_) {
      out += "# HELP ";
      out += name;
      out += ' ';
      append_escaped(out, f.help, false);
      out += "\n# TYPE ";
      out += name;
      out += ' ';
      out += to_string(f.type);
      out += '\n';
      for (const auto& [l, c] : f.counters)
        append_series(out, name, "", l, nullptr, c->value());
      for (const auto& [l, g] : f.gauges)
        append_series(out, name, "", l, nullptr, g->value());
      for (const auto& [l, h] : f.histograms)
        render_histogram(out, name, f.bounds, l, *h);
    }
    return out;
  }

 private:
  family& get_family(std::string_view name, std::string_view help, metric_type type,
                     const std::vector<double>& buckets) {
    if (auto i = families_.find(name); i != families_.end()) {
      if (i->second.type != type)
        fail(name, std::string{"registered as a "} + to_string(i->second.type) +
                       ", now requested as a " + to_string(type));
      return i->second;
    }
    if (!is_valid_name(name, true))
      fail(name, "invalid metric name");
    assert(!help.empty() && "sb::metrics: every metric needs help text");
    family f{type, std::string{help}, buckets, {}, {}, {}};
    if (!f.bounds.empty() && std::isinf(f.bounds.back()) && f.bounds.back() > 0)
      f.bounds.pop_back();  // +Inf is always added; tolerate callers that list it
    for (size_t i = 0; i < f.bounds.size(); ++i)
      if (!std::isfinite(f.bounds[i]) || (i > 0 && f.bounds[i - 1] >= f.bounds[i]))
        fail(name, "histogram buckets must be finite and strictly increasing");
    return families_.emplace(std::string{name}, std::move(f)).first->second;
  }

  template <class Impl, class Make>
  static Impl& get_series(series_map<Impl>& m, labels l, Make make) {
    auto i = m.find(l);
    if (i == m.end())
      i = m.emplace(std::move(l), make()).first;
    return *i->second;
  }

  static void render_histogram(std::string& out, const std::string& name,
                               const std::vector<double>& bounds, const labels& l,
                               const histogram_impl& h) {
    uint64_t cumulative = 0;
    std::string le;
    for (size_t i = 0; i <= bounds.size(); ++i) {
      cumulative += h.bucket(i);
      le.clear();
      if (i < bounds.size())
        append_number(le, bounds[i]);
      else
        le = "+Inf";
      append_series(out, name, "_bucket", l, &le, static_cast<double>(cumulative));
    }
    append_series(out, name, "_sum", l, nullptr, h.sum());
    // _count from the same bucket snapshot, so it always equals the +Inf bucket.
    append_series(out, name, "_count", l, nullptr, static_cast<double>(cumulative));
  }

  mutable std::mutex mutex_;
  std::map<std::string, family, std::less<>> families_;
};

}  // namespace

registry& registry::global() {
  // Never destroyed: threads and static destructors may still touch metrics during exit.
  static registry* instance = new registry_impl;
  return *instance;
}

std::unique_ptr<registry> make_registry() {
  return std::make_unique<registry_impl>();
}

const std::vector<double>& default_latency_buckets() {
  static const std::vector<double> buckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                           0.25,  0.5,    1,     2.5,  5,     10};
  return buckets;
}

}  // namespace sb::metrics
