#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace sb {

/// One step of a demo scenario.
struct scenario_step {
  enum class kind { say, advance, note };
  kind what = kind::note;
  int line = 0;  ///< 1-based line in the scenario file, for messages.
  // say
  std::string channel;
  std::string person;
  std::string text;
  std::string client_msg_id;  ///< Optional: repeat one to show a channel retry.
  // advance
  int64_t advance_ms = 0;
  // note
  std::string note;
};

/// A scripted demo: a name and the steps `switchboard demo` replays against an embedded node.
struct scenario {
  std::string name;
  std::vector<scenario_step> steps;
};

/// Parses a scenario file (YAML: `name`, `steps:` a list of `say: {channel, person, text, id}`,
/// `advance: DURATION` or `note: TEXT`). Errors name `file:line:column` and the key.
result<scenario> load_scenario(const std::string& path);

}  // namespace sb
