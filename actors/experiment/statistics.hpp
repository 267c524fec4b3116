#pragma once

#include <cstdint>
#include <optional>

namespace sb::experiments {

/// A confidence interval of a proportion, both ends in [0, 1].
struct interval {
  double low = 0;
  double high = 0;
};

/// The z value of a two-sided 95 % confidence level.
inline constexpr double z95 = 1.959963984540054;

/// Returns the Wilson score interval for `x` successes of `n` trials at confidence `z`:
/// (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n) with p = x/n. Returns {0, 1} when n <= 0;
/// `x` is clamped into [0, n]. Pure; callable from any thread.
interval wilson(int64_t x, int64_t n, double z = z95);

/// The outcome of a two-proportion z-test; `valid` false (p_value 1, z 0) when it cannot be
/// computed.
struct z_test {
  double z = 0;        ///< (p1 - p2) / se: positive when sample 1 does better.
  double p_value = 1;  ///< Two-sided: erfc(|z| / sqrt 2).
  bool valid = false;  ///< false for an empty sample, x outside [0, n], or pooled p of 0 or 1.
};

/// Returns the two-sided two-proportion z-test of x1/n1 against x2/n2 with pooled variance:
/// p = (x1 + x2) / (n1 + n2), se = sqrt(p(1-p)(1/n1 + 1/n2)), z = (x1/n1 - x2/n2) / se.
/// Pure; callable from any thread.
z_test two_proportion(int64_t x1, int64_t n1, int64_t x2, int64_t n2);

/// Returns the relative lift (p_variant - p_control) / p_control, or nullopt when p_control is 0
/// (or either rate is not finite).
std::optional<double> lift(double p_variant, double p_control);

}  // namespace sb::experiments
