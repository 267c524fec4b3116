#pragma once

// Reply latencies of a load run, kept whole so that percentiles are exact (no histogram buckets):
// a run of minutes at a few thousand messages a second is a few million 8-byte samples.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace sb::bench {

/// Exact order statistics of a set of latencies, in microseconds.
struct latency_summary {
  size_t count = 0;
  int64_t p50_us = 0;
  int64_t p99_us = 0;
  int64_t p999_us = 0;
  int64_t max_us = 0;
  double mean_us = 0;
};

/// Collects latency samples and answers exact percentiles over all of them.
/// Lifetime: a plain value. Not thread-safe: each load worker keeps its own recorder and the
/// tool merges them at the end.
class latency_recorder {
 public:
  /// Adds one sample (microseconds; negative values are taken as 0).
  void record(int64_t micros);

  /// Adds every sample of `other`.
  void merge(const latency_recorder& other);

  /// Returns the number of samples.
  [[nodiscard]] size_t count() const noexcept { return samples_.size(); }

  /// Returns the nearest-rank percentile `p` (0 < p <= 100): the smallest sample such that at
  /// least p % of all samples are at or below it, i.e. the ceil(p/100 * n)-th smallest.
  /// Nothing when there are no samples or p is out of range.
  [[nodiscard]] std::optional<int64_t> percentile(double p) const;

  /// Returns p50, p99, p99.9, max and mean (all zero without samples).
  [[nodiscard]] latency_summary summary() const;

 private:
  // Sorts samples_ if a sample came since the last sort.
  void sort() const;

  mutable std::vector<int64_t> samples_;
  mutable bool sorted_ = true;
};

}  // namespace sb::bench
