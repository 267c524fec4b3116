#include "actors/campaign/trigger_logic.hpp"

#include <algorithm>
#include <optional>

namespace sb::campaigns {

namespace {

void insert_sorted(std::vector<int64_t>& times, int64_t t) {
  if (std::binary_search(times.begin(), times.end(), t)) {
    return;
  }
  times.insert(std::upper_bound(times.begin(), times.end(), t), t);
  if (times.size() > remembered_events) {
    times.erase(times.begin());
  }
}

bool cancelled(const campaign_spec& spec, const schemas::campaign_person& person, int64_t t) {
  if (spec.unless.empty()) {
    return false;
  }
  return std::any_of(person.unless_at_ms.begin(), person.unless_at_ms.end(),
                     [&](int64_t u) { return u >= t && u <= t + spec.wait_ms; });
}

// Sets the pending trigger to the earliest arming time that nothing cancelled, and says how the
// timer must change to match.
timer_change settle(const campaign_spec& spec, schemas::campaign_person& person) {
  std::optional<int64_t> earliest;
  for (auto t : person.arming_at_ms) {
    if (!cancelled(spec, person, t)) {
      earliest = t;
      break;
    }
  }
  const bool was = person.pending;
  const int64_t old_due = person.due_ms;
  if (!earliest) {
    person.pending = false;
    return was ? timer_change::cancel : timer_change::none;
  }
  person.pending = true;
  person.armed_at_ms = *earliest;
  person.due_ms = *earliest + spec.wait_ms;
  if (spec.wait_ms == 0) {
    return timer_change::fire;
  }
  return was && old_due == person.due_ms ? timer_change::none : timer_change::arm;
}

}  // namespace

timer_change on_arming_event(const campaign_spec& spec, schemas::campaign_person& person,
                             const trigger_event& ev) {
  if (person.used_through_ms > 0 && ev.at_ms <= person.used_through_ms) {
    return timer_change::none;  // a late copy of an event a firing already used
  }
  insert_sorted(person.arming_at_ms, ev.at_ms);
  // The details of the newest arming event are the freshest about the person's conversation.
  if (!ev.sku.empty() || person.sku.empty()) {
    person.sku = ev.sku;
  }
  if (!ev.conversation_id.empty()) {
    person.conversation_id = ev.conversation_id;
    person.channel = ev.channel;
  }
  if (!ev.tier.empty()) {
    person.tier = ev.tier;
  }
  if (ev.churn_score >= 0) {
    person.churn_score = ev.churn_score;
  }
  return settle(spec, person);
}

timer_change on_unless_event(const campaign_spec& spec, schemas::campaign_person& person,
                             int64_t at_ms) {
  insert_sorted(person.unless_at_ms, at_ms);
  return settle(spec, person);
}

timer_change on_fired(const campaign_spec& spec, schemas::campaign_person& person, int64_t now_ms) {
  const int64_t fired_at = person.armed_at_ms;
  auto& times = person.arming_at_ms;
  times.erase(times.begin(), std::upper_bound(times.begin(), times.end(), fired_at));
  person.pending = false;
  person.used_through_ms = std::max(person.used_through_ms, fired_at);
  person.fired += 1;
  person.last_fired_at_ms = now_ms;
  auto change = settle(spec, person);
  // After a firing without a wait, further arming events fire when they come, not now.
  return change == timer_change::fire ? timer_change::none : change;
}

bool in_cooldown(const campaign_spec& spec, const schemas::campaign_person& person,
                 int64_t now_ms) {
  return spec.cooldown_ms > 0 && person.fired > 0 &&
         now_ms - person.last_fired_at_ms < spec.cooldown_ms;
}

}  // namespace sb::campaigns
