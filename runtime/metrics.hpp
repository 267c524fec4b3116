#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::metrics {

/// Label pairs of one time series, e.g. {{"channel", "web"}, {"outcome", "accepted"}}.
/// Never put a person's id in a label: label values must come from small fixed sets.
using labels = std::vector<std::pair<std::string, std::string>>;

/// A monotonically increasing count. Thread-safe, lock-free; lives as long as its registry.
class counter {
 public:
  virtual ~counter() = default;
  /// Adds `v`, which must be >= 0 (a negative `v` asserts in debug builds, is ignored otherwise).
  virtual void inc(double v = 1) = 0;
  [[nodiscard]] virtual double value() const = 0;
};

/// A value that goes up and down. Thread-safe; lives as long as its registry.
class gauge {
 public:
  virtual ~gauge() = default;
  virtual void set(double v) = 0;
  /// Adds `v` (may be negative) atomically.
  virtual void add(double v) = 0;
  [[nodiscard]] virtual double value() const = 0;
};

/// A distribution of observations in fixed cumulative buckets (Prometheus histogram).
/// Thread-safe; lives as long as its registry.
class histogram {
 public:
  virtual ~histogram() = default;
  /// Records one observation in the first bucket whose upper bound is >= `v`.
  virtual void observe(double v) = 0;
  /// Returns the number of observations (the sum of all bucket counts).
  [[nodiscard]] virtual double count() const = 0;
  /// Returns the sum of all observed values.
  [[nodiscard]] virtual double sum() const = 0;
};

/// A set of named metric families. Getting a series twice with the same name and labels returns the
/// same object; references stay valid for the registry's lifetime. All methods are thread-safe.
/// A name registered as one type and then asked for as another is a programming error (aborts).
///
/// Naming follows Prometheus conventions, which `promtool check metrics` lints: base units in the
/// name (`_seconds`, `_bytes`), counters end in `_total` (asserted in debug builds), gauges and
/// histograms do not. Metric and label names must match `[a-zA-Z_:][a-zA-Z0-9_:]*` and
/// `[a-zA-Z_][a-zA-Z0-9_]*` (no leading `__`, no `le` on histograms); registration checks them
/// and aborts on a bad one.
/// The help text of a family is fixed by the first call.
class registry {
 public:
  virtual ~registry() = default;

  /// The process-wide registry that /metrics serves.
  static registry& global();

  /// Returns the counter series `name{l}`, creating it at 0. `name` must end in `_total`.
  virtual counter& get_counter(std::string_view name, std::string_view help,
                               const labels& l = {}) = 0;
  /// Returns the gauge series `name{l}`, creating it at 0.
  virtual gauge& get_gauge(std::string_view name, std::string_view help, const labels& l = {}) = 0;
  /// Returns the histogram series `name{l}`, creating it empty.
  /// `buckets` are upper bounds in increasing order (+Inf is added); they are fixed by the first
  /// call.
  virtual histogram& get_histogram(std::string_view name, std::string_view help,
                                   const std::vector<double>& buckets, const labels& l = {}) = 0;

  /// Returns all families in the Prometheus text exposition format 0.0.4 (HELP and TYPE lines,
  /// escaped label values, families sorted by name), accepted by `promtool check metrics`.
  /// Series are ordered by their sorted labels; numbers print as integers when integral and
  /// otherwise in the shortest form that round-trips.
  [[nodiscard]] virtual std::string render() const = 0;
};

/// Returns a new, empty registry independent of global(); for tests and tools.
std::unique_ptr<registry> make_registry();

/// Returns the default histogram buckets for latencies, in seconds: 1 ms to 10 s in a 1-2.5-5
/// series. The same process-wide vector on every call.
const std::vector<double>& default_latency_buckets();

}  // namespace sb::metrics
