#pragma once

#include <string>

#include "actors/campaign/campaign_spec.hpp"
#include "actors/campaign/conditions.hpp"

namespace sb::campaigns {

// The two checks the campaign actor makes: may_arm() when the `on` event arrives, and
// conditions_hold() when the wait is over. Limits (per_person, cooldown, budget) need counts the
// actor keeps and are its to check. Pure functions.

/// A yes or no with the reason for a no ("outside active window",
/// "condition 'product.stock > 0' failed", "condition 'product.stock > 0': product.stock unknown").
struct verdict {
  bool pass = false;
  std::string reason;  ///< Empty when pass.
};

/// Returns whether a campaign may arm for this person now: enabled, `known.now_ms` inside the
/// active window, and the audience matches (an unknown tier or channel does not match a filter on
/// it; tags match when the person has any of them).
verdict may_arm(const campaign_spec& spec, const facts& known);

/// Returns whether every `when` condition holds; the first that fails, or that tests an unknown
/// fact, gives the reason.
verdict conditions_hold(const campaign_spec& spec, const facts& known);

}  // namespace sb::campaigns
