#pragma once

#include <cstdint>
#include <string>

#include "actors/campaign/campaign_spec.hpp"
#include "schemas/marketing.hpp"

namespace sb::campaigns {

/// An event as a campaign sees it, whatever its schema (conversation or business event).
struct trigger_event {
  std::string topic;
  std::string user;  ///< The person's user actor key; events without one are ignored.
  int64_t at_ms = 0;
  std::string sku;
  std::string conversation_id;
  std::string channel;
  std::string tier;
  double churn_score = -1;  ///< churn.high_risk only.
};

/// What the campaign actor must do with a person's timer after an event.
enum class timer_change {
  none,    ///< The pending trigger is unchanged (a duplicate, or a later arming while one waits).
  arm,     ///< Arm (or move) the timer to person.due_ms.
  cancel,  ///< Cancel the timer: nothing is pending any more.
  fire,    ///< A campaign without a wait: act now.
};

/// The rule that makes duplicated and reordered events harmless: a person's pending trigger is
/// always the earliest arming event (`on`) that no cancelling event (`unless`) followed within the
/// wait, whatever order the events arrived in. These functions update a person's record by that
/// rule and say what changed.
///
/// Records an arming event (and its product, conversation and channel) and returns the change.
timer_change on_arming_event(const campaign_spec& spec, schemas::campaign_person& person,
                             const trigger_event& ev);

/// Records a cancelling event at `at_ms` and returns the change.
timer_change on_unless_event(const campaign_spec& spec, schemas::campaign_person& person,
                             int64_t at_ms);

/// Marks the pending trigger as fired at `now_ms` (arming events up to it are used up) and returns
/// the change (a later arming event may be pending now).
timer_change on_fired(const campaign_spec& spec, schemas::campaign_person& person, int64_t now_ms);

/// Returns true if the cooldown since the person's last firing has not passed at `now_ms`.
bool in_cooldown(const campaign_spec& spec, const schemas::campaign_person& person, int64_t now_ms);

/// How many arming and cancelling times a person's record keeps (the oldest are dropped).
inline constexpr size_t remembered_events = 16;

}  // namespace sb::campaigns
