#include "actors/campaign/trigger_logic.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>

namespace {

using namespace sb::campaigns;
using sb::schemas::campaign_person;

constexpr int64_t minute = 60'000;

campaign_spec consult() {
  campaign_spec s;
  s.id = "consult";
  s.on = "conversation.product_inquiry";
  s.unless = "order.placed";
  s.wait_ms = 30 * minute;
  return s;
}

trigger_event inquiry(int64_t at, std::string sku = "SKU-1") {
  trigger_event ev;
  ev.topic = "conversation.product_inquiry";
  ev.user = "web:v-1";
  ev.at_ms = at;
  ev.sku = std::move(sku);
  ev.conversation_id = "web:v-1#1";
  ev.channel = "web";
  return ev;
}

}  // namespace

TEST_CASE("an inquiry arms a trigger due after the wait") {
  campaign_person p;
  CHECK(on_arming_event(consult(), p, inquiry(1000)) == timer_change::arm);
  CHECK(p.pending);
  CHECK(p.armed_at_ms == 1000);
  CHECK(p.due_ms == 1000 + 30 * minute);
  CHECK(p.sku == "SKU-1");
  CHECK(p.conversation_id == "web:v-1#1");
}

TEST_CASE("a duplicated inquiry leaves the trigger as it was") {
  campaign_person p;
  on_arming_event(consult(), p, inquiry(1000));
  CHECK(on_arming_event(consult(), p, inquiry(1000)) == timer_change::none);
  CHECK(p.arming_at_ms.size() == 1);
}

TEST_CASE("a later inquiry while one waits keeps the earlier due time") {
  campaign_person p;
  on_arming_event(consult(), p, inquiry(1000));
  CHECK(on_arming_event(consult(), p, inquiry(5 * minute)) == timer_change::none);
  CHECK(p.due_ms == 1000 + 30 * minute);
}

TEST_CASE("an earlier inquiry delivered late moves the timer to its earlier due time") {
  campaign_person p;
  on_arming_event(consult(), p, inquiry(10 * minute));
  CHECK(on_arming_event(consult(), p, inquiry(2 * minute)) == timer_change::arm);
  CHECK(p.due_ms == 32 * minute);
}

TEST_CASE("an order within the wait cancels the coupon timer") {
  campaign_person p;
  on_arming_event(consult(), p, inquiry(0));
  CHECK(on_unless_event(consult(), p, 10 * minute) == timer_change::cancel);
  CHECK_FALSE(p.pending);
}

TEST_CASE("an order placed before the inquiry does not cancel it") {
  campaign_person p;
  on_arming_event(consult(), p, inquiry(20 * minute));
  CHECK(on_unless_event(consult(), p, 10 * minute) == timer_change::none);
  CHECK(p.pending);
}

TEST_CASE("an order after the wait does not cancel a trigger that is still waiting") {
  campaign_person p;
  on_arming_event(consult(), p, inquiry(0));
  CHECK(on_unless_event(consult(), p, 31 * minute) == timer_change::none);
  CHECK(p.pending);
}

TEST_CASE("an order delivered before the inquiry it follows still cancels it") {
  campaign_person p;
  CHECK(on_unless_event(consult(), p, 5 * minute) == timer_change::none);
  CHECK(on_arming_event(consult(), p, inquiry(0)) == timer_change::none);
  CHECK_FALSE(p.pending);
}

TEST_CASE("an inquiry after the order that cancelled the first one arms again") {
  campaign_person p;
  on_arming_event(consult(), p, inquiry(0));
  on_arming_event(consult(), p, inquiry(20 * minute));  // kept back: the first one waits
  // The order at 10 min cancels the first inquiry but not the one at 20 min.
  CHECK(on_unless_event(consult(), p, 10 * minute) == timer_change::arm);
  CHECK(p.pending);
  CHECK(p.armed_at_ms == 20 * minute);
  CHECK(p.due_ms == 50 * minute);
}

TEST_CASE("the same events in any order give the same trigger") {
  const std::vector<std::pair<char, int64_t>> events{
      {'i', 0}, {'o', 10 * minute}, {'i', 20 * minute}, {'i', 25 * minute}, {'o', 60 * minute}};
  std::vector<size_t> order{0, 1, 2, 3, 4};
  std::optional<std::pair<bool, int64_t>> first;
  do {
    campaign_person p;
    for (auto i : order) {
      if (events[i].first == 'i') {
        on_arming_event(consult(), p, inquiry(events[i].second));
      } else {
        on_unless_event(consult(), p, events[i].second);
      }
    }
    std::pair<bool, int64_t> got{p.pending, p.due_ms};
    if (!first) {
      first = got;
    }
    CHECK(got == *first);
  } while (std::next_permutation(order.begin(), order.end()));
  // The inquiry at 20 min is the earliest that no order followed within 30 minutes.
  CHECK(first->first);
  CHECK(first->second == 50 * minute);
}

TEST_CASE("a firing uses up the inquiries it covered and arms the next one") {
  campaign_person p;
  on_arming_event(consult(), p, inquiry(0));
  on_arming_event(consult(), p, inquiry(40 * minute));
  CHECK(on_fired(consult(), p, 30 * minute) == timer_change::arm);
  CHECK(p.fired == 1);
  CHECK(p.last_fired_at_ms == 30 * minute);
  CHECK(p.due_ms == 70 * minute);
  CHECK(on_fired(consult(), p, 70 * minute) == timer_change::none);
  CHECK_FALSE(p.pending);
  CHECK(p.fired == 2);
}

TEST_CASE("a late copy of an inquiry that already fired arms nothing") {
  campaign_person p;
  on_arming_event(consult(), p, inquiry(1000));
  on_fired(consult(), p, 30 * minute);
  CHECK(on_arming_event(consult(), p, inquiry(1000)) == timer_change::none);
  CHECK_FALSE(p.pending);
  CHECK(on_arming_event(consult(), p, inquiry(40 * minute)) == timer_change::arm);
}

TEST_CASE("a campaign without a wait fires at the arming event") {
  auto spec = consult();
  spec.wait_ms = 0;
  spec.unless.clear();
  campaign_person p;
  CHECK(on_arming_event(spec, p, inquiry(1000)) == timer_change::fire);
  CHECK(on_fired(spec, p, 1000) == timer_change::none);
  CHECK(on_arming_event(spec, p, inquiry(5000)) == timer_change::fire);
}

TEST_CASE("the cooldown holds back a firing until it has passed") {
  auto spec = consult();
  spec.cooldown_ms = 7 * 24 * 60 * minute;
  campaign_person p;
  CHECK_FALSE(in_cooldown(spec, p, 0));
  p.fired = 1;
  p.last_fired_at_ms = 0;
  CHECK(in_cooldown(spec, p, 6 * 24 * 60 * minute));
  CHECK_FALSE(in_cooldown(spec, p, 7 * 24 * 60 * minute));
}

TEST_CASE("a person's record keeps only the newest events") {
  campaign_person p;
  for (int64_t i = 0; i < 40; ++i) {
    on_unless_event(consult(), p, i * 100 * minute);
  }
  CHECK(p.unless_at_ms.size() == remembered_events);
  CHECK(p.unless_at_ms.front() == 24 * 100 * minute);
}
