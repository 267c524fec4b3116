#include "actors/experiment/assignment.hpp"

#include <algorithm>
#include <random>

namespace sb::experiments {

namespace {

constexpr uint64_t fnv_offset_basis = 14695981039346656037ULL;
constexpr uint64_t fnv_prime = 1099511628211ULL;

uint64_t fnv1a(uint64_t h, std::string_view bytes) {
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= fnv_prime;
  }
  return h;
}

uint64_t fmix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// The high 64 bits of a * b, without the non-standard __int128.
uint64_t multiply_high(uint64_t a, uint64_t b) {
  constexpr uint64_t low_half = 0xffffffffULL;
  const uint64_t a_lo = a & low_half;
  const uint64_t a_hi = a >> 32;
  const uint64_t b_lo = b & low_half;
  const uint64_t b_hi = b >> 32;
  const uint64_t lo_lo = a_lo * b_lo;
  const uint64_t hi_lo = a_hi * b_lo;
  const uint64_t lo_hi = a_lo * b_hi;
  const uint64_t cross = (lo_lo >> 32) + (hi_lo & low_half) + lo_hi;
  return a_hi * b_hi + (hi_lo >> 32) + (cross >> 32);
}

}  // namespace

uint64_t assignment_hash(std::string_view id, std::string_view person) {
  return fmix64(fnv1a(fnv1a(fnv1a(fnv_offset_basis, id), "\x1f"), person));
}

size_t assign(const experiment_spec& spec, std::string_view person) {
  uint64_t total = 0;
  for (const auto& v : spec.variants) {
    total += static_cast<uint64_t>(std::max<int64_t>(v.weight, 0));
  }
  if (total == 0) {
    return 0;
  }
  const uint64_t point = multiply_high(assignment_hash(spec.id, person), total);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < spec.variants.size(); ++i) {
    cumulative += static_cast<uint64_t>(std::max<int64_t>(spec.variants[i].weight, 0));
    if (point < cumulative) {
      return i;
    }
  }
  return spec.variants.size() - 1;  // unreachable: point < total
}

size_t assign_thompson(const experiment_spec& spec, const std::vector<variant_counts>& counts,
                       std::string_view person) {
  std::mt19937_64 rng{assignment_hash(spec.id, person)};
  size_t best = 0;
  double best_draw = -1.0;
  for (size_t i = 0; i < spec.variants.size(); ++i) {
    const variant_counts c = i < counts.size() ? counts[i] : variant_counts{};
    const int64_t shown = std::max<int64_t>(c.impressions, 0);
    const int64_t successes =
        std::clamp<int64_t>(spec.count_orders ? c.conversions : c.clicks, 0, shown);
    std::gamma_distribution<double> wins{1.0 + static_cast<double>(successes), 1.0};
    std::gamma_distribution<double> losses{1.0 + static_cast<double>(shown - successes), 1.0};
    const double x = wins(rng);
    const double y = losses(rng);
    const double draw = x / (x + y);
    if (draw > best_draw) {
      best = i;
      best_draw = draw;
    }
  }
  return best;
}

}  // namespace sb::experiments
