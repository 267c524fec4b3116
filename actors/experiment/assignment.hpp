#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "actors/experiment/experiment_spec.hpp"

namespace sb::experiments {

/// Returns the hash behind every assignment of `person` in experiment `id`: FNV-1a 64 (offset
/// basis 14695981039346656037, prime 1099511628211) of the bytes of `id`, one 0x1f byte and the
/// bytes of `person`, then MurmurHash3's fmix64 finalizer. The finalizer matters: raw FNV-1a
/// splits ids that differ only in their last characters unevenly and its low bits of different
/// experiments are correlated. Part of the stored state's meaning: never change it.
uint64_t assignment_hash(std::string_view id, std::string_view person);

/// Returns the index of the variant `person` sees in `spec` under `mode: fixed`: the hash above
/// scaled onto [0, total weight) by multiply-high (floor(hash * total / 2^64)), then located among
/// the cumulative weights in file order. Same inputs give the same variant forever, on every node;
/// changing weights or the order of variants moves persons. Ignores `enabled`; returns 0 for a spec
/// without variants. Pure; callable from any thread.
size_t assign(const experiment_spec& spec, std::string_view person);

/// Returns the index of the variant `person` sees in `spec` under `mode: thompson`: one draw per
/// variant from Beta(1 + s, 1 + impressions - s), with s = conversions if the spec counts orders,
/// else clicks (clamped into [0, impressions]), and the highest draw wins (the first on a tie).
/// Each Beta draw is X / (X + Y) with X ~ Gamma(1 + s), Y ~ Gamma(1 + impressions - s) from one
/// std::mt19937_64 seeded with assignment_hash(spec.id, person): deterministic for the same
/// inputs (on the same standard library). `counts[i]` belongs to `spec.variants[i]`; missing
/// counts are zeros. Returns 0 for a spec without variants. Pure; callable from any thread.
size_t assign_thompson(const experiment_spec& spec, const std::vector<variant_counts>& counts,
                       std::string_view person);

}  // namespace sb::experiments
