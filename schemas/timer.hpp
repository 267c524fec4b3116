#pragma once

#include <cstdint>
#include <string>

#include "schemas/address.hpp"
#include "schemas/bytes.hpp"

namespace sb::schemas {

/// A durable timer as kept in the store: the actor it belongs to, its name (unique per actor), when
/// it is due, the payload handed back when it fires, and a generation that changes on every re-arm
/// so a stale firing can be told apart from the current one.
struct timer_record {
  static constexpr const char* type_name = "timer.record";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  address owner;
  std::string name;
  int64_t due_ms = 0;
  int64_t generation = 0;
  bytes payload;
};

template <class F>
void fields(F& f, timer_record& x) {
  f("owner", x.owner);
  f("name", x.name);
  f("due_ms", x.due_ms);
  f("generation", x.generation);
  f("payload", x.payload);
}

/// The message an actor receives when one of its durable timers fires (once per arming).
struct timer_fired {
  static constexpr const char* type_name = "timer.fired";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string name;
  int64_t due_ms = 0;
  int64_t fired_at_ms = 0;
  int64_t generation = 0;
  bytes payload;
};

template <class F>
void fields(F& f, timer_fired& x) {
  f("name", x.name);
  f("due_ms", x.due_ms);
  f("fired_at_ms", x.fired_at_ms);
  f("generation", x.generation);
  f("payload", x.payload);
}

}  // namespace sb::schemas
