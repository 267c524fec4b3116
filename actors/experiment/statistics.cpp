#include "actors/experiment/statistics.hpp"

#include <algorithm>
#include <cmath>

namespace sb::experiments {

interval wilson(int64_t x, int64_t n, double z) {
  if (n <= 0) {
    return {0.0, 1.0};
  }
  const auto trials = static_cast<double>(n);
  const double p = static_cast<double>(std::clamp<int64_t>(x, 0, n)) / trials;
  const double z2 = z * z;
  const double denominator = 1.0 + z2 / trials;
  const double center = (p + z2 / (2.0 * trials)) / denominator;
  const double half =
      z * std::sqrt(p * (1.0 - p) / trials + z2 / (4.0 * trials * trials)) / denominator;
  // Rounding can push an end a hair past the bounds when x is 0 or n.
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

z_test two_proportion(int64_t x1, int64_t n1, int64_t x2, int64_t n2) {
  if (n1 <= 0 || n2 <= 0 || x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2) {
    return {};
  }
  const auto a = static_cast<double>(n1);
  const auto b = static_cast<double>(n2);
  const double pooled = static_cast<double>(x1 + x2) / (a + b);
  const double se = std::sqrt(pooled * (1.0 - pooled) * (1.0 / a + 1.0 / b));
  if (!(se > 0.0)) {
    return {};  // pooled 0 or 1: both samples all failures or all successes, nothing to compare
  }
  const double z = (static_cast<double>(x1) / a - static_cast<double>(x2) / b) / se;
  return {z, std::erfc(std::fabs(z) / std::sqrt(2.0)), true};
}

std::optional<double> lift(double p_variant, double p_control) {
  if (p_control == 0.0 || !std::isfinite(p_control) || !std::isfinite(p_variant)) {
    return std::nullopt;
  }
  return (p_variant - p_control) / p_control;
}

}  // namespace sb::experiments
