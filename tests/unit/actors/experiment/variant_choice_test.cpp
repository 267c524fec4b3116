#include "actors/experiment/variant_choice.hpp"

#include <doctest/doctest.h>

#include "actors/experiment/assignment.hpp"
#include "runtime/clock.hpp"
#include "runtime/codec.hpp"
#include "schemas/actor_record.hpp"
#include "schemas/marketing.hpp"
#include "tests/support/require.hpp"

namespace {

using namespace sb;
using namespace sb::experiments;

experiment_spec pitch(bool thompson) {
  experiment_spec e;
  e.id = "pitch";
  e.surface = "recommendation_reply";
  e.thompson = thompson;
  e.count_clicks = false;  // conversions are the metric
  e.variants = {{"battery", 1, "a"}, {"award", 1, "b"}};
  return e;
}

// Saves counts the way the experiment actor does: its state inside its actor record.
void save_counts(store& st, const std::map<std::string, int64_t>& impressions,
                 const std::map<std::string, int64_t>& conversions) {
  schemas::experiment_state state;
  state.impressions = impressions;
  state.conversions = conversions;
  schemas::actor_record record;
  record.state.data = encode(state);
  REQUIRE(st.put("actor:experiment/pitch", encode(record)).ok());
}

}  // namespace

TEST_CASE("under fixed weights the choice is the hash's and the store is untouched") {
  manual_clock clk;
  auto st = make_memory_store(clk);
  for (int i = 0; i < 100; ++i) {
    auto person = "web:v-" + std::to_string(i);
    CHECK(SB_REQUIRE_OK(choose_variant(*st, pitch(false), person)) == assign(pitch(false), person));
    CHECK(!SB_REQUIRE_OK(st->get("experiment:pitch:variant:" + person)).has_value());
  }
}

TEST_CASE("under Thompson sampling new people go mostly to the variant that converts better") {
  manual_clock clk;
  auto st = make_memory_store(clk);
  save_counts(*st, {{"battery", 1000}, {"award", 1000}}, {{"battery", 20}, {"award", 120}});
  int award = 0;
  for (int i = 0; i < 1000; ++i) {
    award += SB_REQUIRE_OK(choose_variant(*st, pitch(true), "web:v-" + std::to_string(i))) == 1;
  }
  CHECK(award > 950);
}

TEST_CASE("a Thompson-drawn variant sticks to the person when the counts change") {
  manual_clock clk;
  auto st = make_memory_store(clk);
  save_counts(*st, {{"battery", 1000}, {"award", 1000}}, {{"battery", 120}, {"award", 20}});
  const auto first = SB_REQUIRE_OK(choose_variant(*st, pitch(true), "web:v-1"));
  CHECK(first == 0);
  save_counts(*st, {{"battery", 1000}, {"award", 1000}}, {{"battery", 20}, {"award", 120}});
  CHECK(SB_REQUIRE_OK(choose_variant(*st, pitch(true), "web:v-1")) == first);
  CHECK(SB_REQUIRE_OK(st->get("experiment:pitch:variant:web:v-1")) ==
        std::optional<std::string>{"battery"});
  // A variant removed from the file is drawn again.
  auto renamed = pitch(true);
  renamed.variants[0].name = "battery-v2";
  auto again = SB_REQUIRE_OK(choose_variant(*st, renamed, "web:v-1"));
  CHECK(SB_REQUIRE_OK(st->get("experiment:pitch:variant:web:v-1")) ==
        std::optional<std::string>{renamed.variants[again].name});
}

TEST_CASE("saved counts are zeros before the experiment's actor saved anything") {
  manual_clock clk;
  auto st = make_memory_store(clk);
  auto counts = SB_REQUIRE_OK(saved_counts(*st, pitch(true)));
  REQUIRE(counts.size() == 2);
  CHECK(counts[0].impressions == 0);
  save_counts(*st, {{"award", 7}}, {{"award", 2}});
  counts = SB_REQUIRE_OK(saved_counts(*st, pitch(true)));
  CHECK(counts[1].impressions == 7);
  CHECK(counts[1].conversions == 2);
}
