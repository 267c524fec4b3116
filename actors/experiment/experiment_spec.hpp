#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace sb::experiments {

/// The surfaces an experiment can vary. A script on `recommendation_reply` may use the
/// placeholders `{product}` `{brand}` `{price}`; one on `coupon_message` `{amount}` `{code}`
/// `{valid_for}`.
inline constexpr std::string_view recommendation_reply = "recommendation_reply";
inline constexpr std::string_view coupon_message = "coupon_message";

/// One arm of an experiment: the script shown to the persons assigned to it.
struct variant {
  std::string name;    ///< Unique within its experiment; the name in reports.
  int64_t weight = 1;  ///< Share of traffic in `fixed` mode, relative to the other weights (> 0).
  std::string script;  ///< The text with its `{placeholder}` fields, not yet filled in.
};

/// One A/B experiment of config/experiments.yaml. Plain data, read-only after loading: share it
/// between threads freely.
struct experiment_spec {
  std::string id;              ///< [a-z0-9-]+, unique in the file; seeds the assignment.
  std::string name;            ///< Human-readable title (defaults to the id).
  bool enabled = true;         ///< A disabled experiment assigns nobody.
  std::string surface;         ///< recommendation_reply or coupon_message.
  std::string match_category;  ///< recommendation_reply only: "" matches any category.
  std::string match_brand;     ///< recommendation_reply only: "" matches any brand.
  bool count_clicks = true;    ///< `click` (recommendation.clicked) counts as success.
  bool count_orders = true;    ///< `order` (order.placed) counts as success.
  int64_t attribution_window_ms = 7 * 86400000LL;  ///< How long after an impression it counts.
  bool thompson = false;                           ///< true: `mode: thompson`; false: `fixed`.
  size_t control = 0;                              ///< Index of the control in `variants`.
  std::vector<variant> variants;                   ///< At least two after loading.
};

/// What the store counts per variant of an experiment (kept by the experiment actor, not here).
struct variant_counts {
  int64_t impressions = 0;  ///< Persons shown the variant's script.
  int64_t clicks = 0;       ///< Clicks attributed to an impression within the window.
  int64_t conversions = 0;  ///< Orders attributed to an impression within the window.
};

/// Returns the experiments of the YAML file at `path` (format documented at the top of
/// config/experiments.yaml). Every problem of the file is reported in one error, one line each as
/// `file:line:column: key.path: reason` (config_io, config_syntax, config_unknown_key,
/// config_bad_value). Never throws.
result<std::vector<experiment_spec>> load_experiments(const std::string& path);

/// Returns the experiment with `id`, or nullptr; the pointer lives as long as `all` is unchanged.
const experiment_spec* find(const std::vector<experiment_spec>& all, std::string_view id);

/// Returns whether `spec` applies to a product of `category` and `brand`: every match key given
/// must be equal. Always true for a spec without match keys (e.g. any coupon_message experiment).
bool matches(const experiment_spec& spec, std::string_view category, std::string_view brand);

/// Returns the placeholders a script on `surface` may use (empty for an unknown surface).
const std::vector<std::string_view>& placeholders(std::string_view surface);

}  // namespace sb::experiments
