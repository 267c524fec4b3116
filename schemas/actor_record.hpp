#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "schemas/bytes.hpp"

namespace sb::schemas {

/// What the store keeps for one keyed actor: the kind's own state (encoded by the kind), the
/// generation of the last firing of each durable timer it applied, and the ids of the last messages
/// it applied. State, timer generations and message ids are written in one atomic put, so a message
/// or timer firing redelivered after a crash is recognised and not applied twice.
struct actor_record {
  static constexpr const char* type_name = "actor.record";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  bytes state;
  std::map<std::string, int64_t> applied_timer_generations;
  std::vector<std::string> recent_msg_ids;  ///< Oldest first; bounded.
  int64_t saved_at_ms = 0;
};

template <class F>
void fields(F& f, actor_record& x) {
  f("state", x.state);
  f("applied_timer_generations", x.applied_timer_generations);
  f("recent_msg_ids", x.recent_msg_ids);
  f("saved_at_ms", x.saved_at_ms);
}

}  // namespace sb::schemas
