#pragma once

#include <string>
#include <vector>

#include "actors/experiment/experiment_spec.hpp"

namespace sb::experiments {

/// Returns the JSON document served at GET /v1/experiments/{id} and read by `sbctl`:
///
///     {"id", "name", "surface", "mode": "fixed"|"thompson", "enabled", "control": <variant name>,
///      "attribution_window_ms", "metrics": ["click", "order"],
///      "variants": [{"name", "weight", "impressions", "clicks", "conversions",
///                    "click_through": {"rate", "ci95": [low, high]},
///                    "conversion": {"rate", "ci95": [low, high]},
///                    "lift_click_through", "lift_conversion",
///                    "p_value_click_through", "p_value_conversion"}],
///      "total_impressions", "winner"}
///
/// Rates are successes / impressions (0 without impressions); ci95 is the Wilson interval at
/// z = 1.96. Lifts and p-values compare a variant with the control (two-proportion z-test) and are
/// null for the control itself, a control rate of 0 (lift) or an invalid test (p-value). The
/// primary metric is conversion when the spec counts orders, else click-through; `winner` is the
/// variant whose primary rate is above the control's with p < 0.05 (the highest such rate when
/// several are; no correction for multiple comparisons), else null. `counts[i]` belongs to
/// `spec.variants[i]`; missing counts are zeros. Pure; callable from any thread.
std::string report_json(const experiment_spec& spec, const std::vector<variant_counts>& counts);

}  // namespace sb::experiments
