#include "actors/experiment/experiment_actor.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "actors/experiment/report.hpp"
#include "runtime/codec.hpp"

namespace sb {

experiment_actor::experiment_actor(std::string id, std::shared_ptr<marketing_rules> rules)
    : id_(std::move(id)), rules_(std::move(rules)) {}

result<void> experiment_actor::restore(const std::optional<std::string>& snapshot) {
  if (!snapshot) {
    return {};
  }
  auto s = decode<schemas::experiment_state>(*snapshot);
  if (!s) {
    return s.err();
  }
  state_ = std::move(*s);
  return {};
}

std::string experiment_actor::snapshot() const {
  return encode(state_);
}

std::string experiment_actor::report() const {
  auto rules = rules_->current();
  const auto* spec = rules->experiment(id_);
  if (spec == nullptr) {
    return {};
  }
  std::vector<experiments::variant_counts> counts;
  for (const auto& v : spec->variants) {
    auto at = [&](const std::map<std::string, int64_t>& m) {
      auto it = m.find(v.name);
      return it == m.end() ? int64_t{0} : it->second;
    };
    counts.push_back({at(state_.impressions), at(state_.clicks), at(state_.conversions)});
  }
  return experiments::report_json(*spec, counts);
}

result<void> experiment_actor::handle(const schemas::envelope& msg, actor_context& ctx) {
  auto ev = open_envelope<schemas::experiment_event>(msg);
  if (!ev) {
    return ev.err();
  }
  auto rules = rules_->current();
  const auto* spec = rules->experiment(id_);
  if (spec == nullptr) {
    return error{errc::not_found, "no experiment '" + id_ + "'"};
  }
  if (ev->kind == "report") {
    ctx.reply(schemas::experiment_report{report()});
    return {};
  }
  auto known = std::any_of(spec->variants.begin(), spec->variants.end(),
                           [&](const experiments::variant& v) { return v.name == ev->variant; });
  if (!known) {
    return error{errc::invalid_argument,
                 "experiment " + id_ + " has no variant '" + ev->variant + "'"};
  }
  if (ev->kind == "impression") {
    ++state_.impressions[ev->variant];
    return {};
  }
  if (ev->kind != "click" && ev->kind != "conversion") {
    return error{errc::invalid_argument, "unknown experiment event '" + ev->kind + "'"};
  }
  if ((ev->kind == "click" && !spec->count_clicks) ||
      (ev->kind == "conversion" && !spec->count_orders)) {
    return {};  // not a metric of this experiment
  }
  if (ev->at_ms - ev->impression_at_ms > spec->attribution_window_ms ||
      ev->at_ms < ev->impression_at_ms) {
    return {};  // outside the attribution window
  }
  auto ref = ev->kind + ":" + ev->ref;
  auto& refs = state_.recent_refs;
  if (!ev->ref.empty()) {
    if (std::find(refs.begin(), refs.end(), ref) != refs.end()) {
      return {};
    }
    refs.push_back(ref);
    if (refs.size() > remembered_refs) {
      refs.erase(refs.begin());
    }
  }
  if (ev->kind == "click") {
    ++state_.clicks[ev->variant];
  } else {
    ++state_.conversions[ev->variant];
  }
  return {};
}

result<void> experiment_actor::on_timer(const schemas::timer_fired&, actor_context&) {
  return {};
}

std::string experiment_actor::status_json() const {
  auto r = report();
  if (r.empty()) {
    return nlohmann::json{{"experiment", id_}, {"removed", true}}.dump();
  }
  return r;
}

}  // namespace sb
