#include "runtime/bench/latency_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sb::bench {

void latency_recorder::record(int64_t micros) {
  samples_.push_back(std::max<int64_t>(micros, 0));
  sorted_ = false;
}

void latency_recorder::merge(const latency_recorder& other) {
  samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
  sorted_ = samples_.empty();
}

void latency_recorder::sort() const {
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
}

std::optional<int64_t> latency_recorder::percentile(double p) const {
  if (samples_.empty() || !(p > 0.0) || p > 100.0) {
    return std::nullopt;
  }
  sort();
  const auto n = static_cast<double>(samples_.size());
  // Rounding guards against 99.9 / 100 * 1000 landing a hair above 999.
  auto rank = static_cast<size_t>(std::ceil(std::round(p / 100.0 * n * 1e9) / 1e9));
  rank = std::clamp<size_t>(rank, 1, samples_.size());
  return samples_[rank - 1];
}

latency_summary latency_recorder::summary() const {
  latency_summary s;
  if (samples_.empty()) {
    return s;
  }
  sort();
  s.count = samples_.size();
  s.p50_us = *percentile(50);
  s.p99_us = *percentile(99);
  s.p999_us = *percentile(99.9);
  s.max_us = samples_.back();
  const double sum =
      std::accumulate(samples_.begin(), samples_.end(), 0.0,
                      [](double a, int64_t b) { return a + static_cast<double>(b); });
  s.mean_us = sum / static_cast<double>(samples_.size());
  return s;
}

}  // namespace sb::bench
