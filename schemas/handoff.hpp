#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schemas/conversation.hpp"
#include "schemas/user.hpp"

namespace sb::schemas {

/// A human agent's message into a conversation (agent API). The conversation forwards it to the
/// person's channel and keeps the bot silent while an agent has the conversation.
struct agent_message {
  static constexpr const char* type_name = "agent.message";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string agent_id;
  std::string text;
};

template <class F>
void fields(F& f, agent_message& x) {
  f("agent_id", x.agent_id);
  f("text", x.text);
}

/// A control command for a conversation: `accept` (an agent takes it), `close` (the agent is done:
/// back to the bot), `handoff` (ask for a human, e.g. from a campaign), `poll` (messages after
/// `after_seq`).
struct conversation_control {
  static constexpr const char* type_name = "conversation.control";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string action;
  std::string agent_id;
  std::string reason;
  int64_t priority = 0;
  int64_t after_seq = 0;
  int64_t session = 0;  ///< The session the caller means (`key#session`); 0: the current one.
};

template <class F>
void fields(F& f, conversation_control& x) {
  f("action", x.action);
  f("agent_id", x.agent_id);
  f("reason", x.reason);
  f("priority", x.priority);
  f("after_seq", x.after_seq);
  f("session", x.session);
}

/// Everything an agent needs when taking over, in one answer: the (masked) transcript, the
/// person's profile summary, what the bot showed, the session's signals and why it was handed off.
struct handoff_context {
  static constexpr const char* type_name = "handoff.context";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string conversation_id;
  std::string channel;
  std::string person;
  std::string status;
  std::string reason;
  std::string agent_id;
  int64_t waited_ms = 0;
  std::vector<transcript_line> transcript;
  profile_summary profile;
  std::vector<std::string> recommended_skus;
  std::vector<std::string> coupons;
  conversation_signals signals;
};

template <class F>
void fields(F& f, handoff_context& x) {
  f("conversation_id", x.conversation_id);
  f("channel", x.channel);
  f("person", x.person);
  f("status", x.status);
  f("reason", x.reason);
  f("agent_id", x.agent_id);
  f("waited_ms", x.waited_ms);
  f("transcript", x.transcript);
  f("profile", x.profile);
  f("recommended_skus", x.recommended_skus);
  f("coupons", x.coupons);
  f("signals", x.signals);
}

/// Messages of a conversation after a sequence number (answer to `poll`).
struct conversation_messages {
  static constexpr const char* type_name = "conversation.messages";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string conversation_id;
  std::string status;
  std::vector<outbound_message> messages;
};

template <class F>
void fields(F& f, conversation_messages& x) {
  f("conversation_id", x.conversation_id);
  f("status", x.status);
  f("messages", x.messages);
}

}  // namespace sb::schemas
