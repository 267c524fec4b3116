#include "actors/churn/synthetic_data.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "actors/churn/features.hpp"

namespace sb::churn {

namespace {

constexpr double pi = 3.14159265358979323846;

// Samplers written out because the std:: distributions may differ between standard libraries.
class sampler {
 public:
  explicit sampler(uint64_t seed) : rng_(seed) {}

  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

  /// Exponential with the given mean.
  double exponential(double mean) { return -mean * std::log1p(-uniform()); }

  /// Standard normal (Box-Muller; the second value is dropped for simplicity).
  double normal() {
    const double u = 1.0 - uniform();  // (0, 1], so log() is finite
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * pi * uniform());
  }

  /// Poisson with a small mean (Knuth's product of uniforms).
  double poisson(double mean) {
    const double limit = std::exp(-mean);
    double k = 0;
    for (double p = uniform(); p > limit; p *= uniform()) {
      k += 1;
    }
    return k;
  }

  /// Successes in n trials of probability p.
  double binomial(double n, double p) {
    double k = 0;
    for (double i = 0; i < n; i += 1) {
      k += uniform() < p ? 1 : 0;
    }
    return k;
  }

 private:
  std::mt19937_64 rng_;
};

// Rounds to 1/scale (a power of ten): dividing last prints 12.6, not 12.600000000000001.
double round_to(double v, double scale) {
  return std::round(v * scale) / scale;
}

features draw(sampler& s) {
  features f;
  const double t = s.uniform();
  f.tier = t < 0.70 ? 0 : t < 0.88 ? 1 : t < 0.97 ? 2 : 3;
  // Loyal tiers order more; some people never ordered at all.
  const double mean_orders[] = {2.5, 5.0, 9.0, 15.0};
  f.order_count = std::floor(s.exponential(mean_orders[static_cast<int>(f.tier)]));
  f.days_since_last_order =
      f.order_count == 0
          ? never_ordered_days
          : std::min(never_ordered_days, std::floor(s.exponential(70.0 / (1 + 0.3 * f.tier))));

  f.conversation_length = 1 + s.poisson(5.0);
  f.conversation_duration_min =
      round_to(f.conversation_length * (0.3 + s.exponential(1.2)) + s.exponential(1.0), 10);
  f.question_rate = round_to(
      s.binomial(f.conversation_length, 0.1 + 0.5 * s.uniform()) / f.conversation_length, 1e4);
  f.unresolved_turns = s.poisson(0.2 + 0.8 * f.question_rate);
  // Unanswered questions sour the mood.
  const double mood = std::min(1.0, 0.5 * std::pow(s.uniform(), 2) + 0.08 * f.unresolved_turns);
  f.negative_share = round_to(s.binomial(f.conversation_length, mood) / f.conversation_length, 1e4);
  f.price_objections = s.poisson(0.25 + 0.5 * f.negative_share);
  return f;
}

// The log-odds of churn the labels are drawn from, before the noise.
double churn_log_odds(const features& f) {
  return -3.2 + 3.0 * f.negative_share + 0.7 * f.unresolved_turns + 0.6 * f.price_objections +
         0.005 * f.days_since_last_order - 0.15 * std::min(f.order_count, 20.0) - 0.5 * f.tier +
         0.03 * f.conversation_length + 0.5 * (f.question_rate - 0.35);
}

}  // namespace

dataset generate_synthetic(size_t rows, uint64_t seed) {
  sampler s{seed};
  dataset d;
  d.names = feature_names();
  d.x.reserve(rows * d.names.size());
  d.y.reserve(rows);
  for (size_t r = 0; r < rows; ++r) {
    const features f = draw(s);
    const auto by_name = to_map(f);
    for (const auto& name : d.names) {
      d.x.push_back(by_name.at(name));
    }
    const double z = churn_log_odds(f) + 0.5 * s.normal();
    int label = s.uniform() < 1 / (1 + std::exp(-z)) ? 1 : 0;
    if (s.uniform() < 0.03) {
      label = 1 - label;  // mislabelled records, as in any CRM export
    }
    d.y.push_back(label);
  }
  return d;
}

}  // namespace sb::churn
