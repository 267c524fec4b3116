#include "actors/experiment/report.hpp"

#include <nlohmann/json.hpp>

#include "actors/experiment/statistics.hpp"

namespace sb::experiments {

namespace {

using nlohmann::json;

constexpr double significance = 0.05;

double rate(int64_t successes, int64_t impressions) {
  return impressions > 0 ? static_cast<double>(successes) / static_cast<double>(impressions) : 0.0;
}

json metric(int64_t successes, int64_t impressions) {
  const auto ci = wilson(successes, impressions);
  return {{"rate", rate(successes, impressions)}, {"ci95", {ci.low, ci.high}}};
}

json optional_number(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

std::string report_json(const experiment_spec& spec, const std::vector<variant_counts>& counts) {
  const auto count_of = [&](size_t i) { return i < counts.size() ? counts[i] : variant_counts{}; };
  const bool has_control = spec.control < spec.variants.size();
  const variant_counts control = has_control ? count_of(spec.control) : variant_counts{};

  json metrics = json::array();
  if (spec.count_clicks) {
    metrics.push_back("click");
  }
  if (spec.count_orders) {
    metrics.push_back("order");
  }

  json variants = json::array();
  int64_t total_impressions = 0;
  json winner = nullptr;
  double winner_rate = -1.0;
  for (size_t i = 0; i < spec.variants.size(); ++i) {
    const auto c = count_of(i);
    total_impressions += c.impressions;
    json v = {{"name", spec.variants[i].name},
              {"weight", spec.variants[i].weight},
              {"impressions", c.impressions},
              {"clicks", c.clicks},
              {"conversions", c.conversions},
              {"click_through", metric(c.clicks, c.impressions)},
              {"conversion", metric(c.conversions, c.impressions)},
              {"lift_click_through", nullptr},
              {"lift_conversion", nullptr},
              {"p_value_click_through", nullptr},
              {"p_value_conversion", nullptr}};
    if (has_control && i != spec.control) {
      const auto clicks =
          two_proportion(c.clicks, c.impressions, control.clicks, control.impressions);
      const auto orders =
          two_proportion(c.conversions, c.impressions, control.conversions, control.impressions);
      v["lift_click_through"] = optional_number(
          lift(rate(c.clicks, c.impressions), rate(control.clicks, control.impressions)));
      v["lift_conversion"] = optional_number(
          lift(rate(c.conversions, c.impressions), rate(control.conversions, control.impressions)));
      if (clicks.valid) {
        v["p_value_click_through"] = clicks.p_value;
      }
      if (orders.valid) {
        v["p_value_conversion"] = orders.p_value;
      }
      const auto& primary = spec.count_orders ? orders : clicks;
      const double primary_rate = rate(spec.count_orders ? c.conversions : c.clicks, c.impressions);
      if (primary.valid && primary.z > 0 && primary.p_value < significance &&
          primary_rate > winner_rate) {
        winner = spec.variants[i].name;
        winner_rate = primary_rate;
      }
    }
    variants.push_back(std::move(v));
  }

  const json doc = {
      {"id", spec.id},
      {"name", spec.name},
      {"surface", spec.surface},
      {"mode", spec.thompson ? "thompson" : "fixed"},
      {"enabled", spec.enabled},
      {"control", has_control ? json(spec.variants[spec.control].name) : json(nullptr)},
      {"attribution_window_ms", spec.attribution_window_ms},
      {"metrics", std::move(metrics)},
      {"variants", std::move(variants)},
      {"total_impressions", total_impressions},
      {"winner", std::move(winner)}};
  // Names come from the YAML file as bytes: replace invalid UTF-8 rather than throw.
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace sb::experiments
