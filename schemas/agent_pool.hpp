#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sb::schemas {

/// A command to the agent pool actor (`agent_pool/default`): `enqueue`, `cancel`, `agent`
/// (add or update an agent: name, skills, max_chats, presence), `accept`, `close`, `snapshot`.
struct pool_command {
  static constexpr const char* type_name = "pool.command";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string action;
  std::string conversation_id;
  std::string skill;
  std::string tier;
  std::string reason;
  std::string agent_id;
  std::string name;
  std::vector<std::string> skills;
  int64_t max_chats = 0;
  std::string presence;
  int64_t at_ms = 0;
  int64_t priority =
      0;  ///< enqueue: an explicit queue priority (a campaign's); 0: by tier and reason.
};

template <class F>
void fields(F& f, pool_command& x) {
  f("action", x.action);
  f("conversation_id", x.conversation_id);
  f("skill", x.skill);
  f("tier", x.tier);
  f("reason", x.reason);
  f("agent_id", x.agent_id);
  f("name", x.name);
  f("skills", x.skills);
  f("max_chats", x.max_chats);
  f("presence", x.presence);
  f("at_ms", x.at_ms);
  f("priority", x.priority);
}

/// The pool's answer: ok, or an error code and message; `json` carries a snapshot where asked.
struct pool_reply {
  static constexpr const char* type_name = "pool.reply";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  bool ok = true;
  std::string error_code;
  std::string message;
  std::string json;
  int64_t waited_ms = 0;
};

template <class F>
void fields(F& f, pool_reply& x) {
  f("ok", x.ok);
  f("error_code", x.error_code);
  f("message", x.message);
  f("json", x.json);
  f("waited_ms", x.waited_ms);
}

/// The state of the agent pool actor (actors/agent_pool/agent_pool_logic as JSON).
struct pool_state {
  static constexpr const char* type_name = "pool.state";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string pool_json;
};

template <class F>
void fields(F& f, pool_state& x) {
  f("pool_json", x.pool_json);
}

}  // namespace sb::schemas
