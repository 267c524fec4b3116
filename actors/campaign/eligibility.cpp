#include "actors/campaign/eligibility.hpp"

#include <algorithm>

namespace sb::campaigns {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

verdict no(std::string reason) {
  return verdict{false, std::move(reason)};
}

}  // namespace

verdict may_arm(const campaign_spec& spec, const facts& known) {
  if (!spec.enabled) {
    return no("disabled");
  }
  if ((spec.active_from_ms && known.now_ms < *spec.active_from_ms) ||
      (spec.active_until_ms && known.now_ms >= *spec.active_until_ms)) {
    return no("outside active window");
  }
  if (!spec.tiers.empty() && (!known.tier_known || !contains(spec.tiers, known.tier))) {
    return no(known.tier_known ? "tier '" + known.tier + "' not in audience" : "tier unknown");
  }
  if (!spec.channels.empty() && !contains(spec.channels, known.channel)) {
    return no(known.channel.empty() ? "channel unknown"
                                    : "channel '" + known.channel + "' not in audience");
  }
  if (!spec.tags.empty() && std::none_of(spec.tags.begin(), spec.tags.end(), [&](const auto& t) {
        return contains(known.user_tags, t);
      })) {
    return no("no audience tag");
  }
  return verdict{true, ""};
}

verdict conditions_hold(const campaign_spec& spec, const facts& known) {
  for (const auto& c : spec.when) {
    switch (evaluate(c, known, spec.time_zone)) {
      case truth::holds:
        break;
      case truth::fails:
        return no("condition '" + c.text + "' failed");
      case truth::unknown:
        return no("condition '" + c.text + "': " + std::string{fact_name(c.subject)} + " unknown");
    }
  }
  return verdict{true, ""};
}

}  // namespace sb::campaigns
