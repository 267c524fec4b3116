#pragma once

#include <cstddef>
#include <string>

#include "actors/experiment/experiment_spec.hpp"
#include "runtime/result.hpp"
#include "runtime/store.hpp"

namespace sb::experiments {

/// Returns the index of the variant `person` sees in `spec`, sticky across nodes and restarts:
/// - `mode: fixed`: assign() (a pure hash; the store is not touched);
/// - `mode: thompson`: the variant the person was given before, else a Thompson draw from the
///   experiment's counts as its actor last saved them, kept with put-if-absent (store key
///   `experiment:{id}:variant:{person}`) so that concurrent first draws agree.
/// A stored variant that is no longer in the spec is drawn again. Thread-safe as the store is.
result<size_t> choose_variant(store& st, const experiment_spec& spec, const std::string& person);

/// Returns the counts per variant of `spec` (in its order) as the experiment's actor last saved
/// them (zeros before its first save).
result<std::vector<variant_counts>> saved_counts(store& st, const experiment_spec& spec);

}  // namespace sb::experiments
