#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace sb {

/// One step of a demo scenario.
struct scenario_step {
  enum class kind { say, advance, note, event, agent, accept, agent_says, close, redeem };
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
  // event: the business event as a JSON object (the fields of POST /v1/events)
  std::string event_json;
  // agent, accept, agent_says, close
  std::string agent;
  std::vector<std::string> skills;
  int64_t max_chats = 3;
  std::string presence = "online";
  std::string conversation;  ///< "channel:person": the conversation's actor key.
  // redeem: the person's newest unused coupon is redeemed by an order
  std::string user;
  std::string order_id;
};

/// A scripted demo: a name and the steps `switchboard demo` replays against an embedded node.
struct scenario {
  std::string name;
  std::vector<scenario_step> steps;
};

/// Parses a scenario file (YAML: `name`, `steps:` a list of
///   `say: {channel, person, text, id}`  a shopper's message;
///   `advance: DURATION`                 the scripted clock moves (timers fire, idle actors
///   passivate); `note: TEXT`                        a heading; `event: {type, id, user, ...}` a
///   business event, fields as in POST /v1/events; `agent: {id, skills, max_chats, presence}`  an
///   agent signs in or changes presence; `accept: {agent, conversation}`     the agent takes a
///   handed-off conversation (channel:person); `agent_says: {agent, conversation, text}`;  `close:
///   {agent, conversation}`; `redeem: {user, order_id}` the person's newest unused coupon is
///   redeemed, as POST /v1/coupons/{code}/redeem would).
/// Errors name `file:line:column` and the key.
result<scenario> load_scenario(const std::string& path);

}  // namespace sb
