#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sb::schemas {

/// A shopper's message as it enters the engine from any channel. `person` is the channel's own id
/// (web visitor id, app user id, WeChat openid); `client_msg_id` is the channel's message id and
/// stays the same when the channel retries, so the conversation applies it once.
struct chat_message {
  static constexpr const char* type_name = "chat.message";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string channel;
  std::string person;
  std::string text;
  std::string client_msg_id;
  int64_t sent_at_ms = 0;
};

template <class F>
void fields(F& f, chat_message& x) {
  f("channel", x.channel);
  f("person", x.person);
  f("text", x.text);
  f("client_msg_id", x.client_msg_id);
  f("sent_at_ms", x.sent_at_ms);
}

/// The conversation's answer to a `chat_message`: which conversation (session) took it, the message's
/// sequence number in that conversation, and whether it was a retry already applied.
struct chat_accepted {
  static constexpr const char* type_name = "chat.accepted";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string conversation_id;
  int64_t seq = 0;
  bool duplicate = false;
  bool session_started = false;
};

template <class F>
void fields(F& f, chat_accepted& x) {
  f("conversation_id", x.conversation_id);
  f("seq", x.seq);
  f("duplicate", x.duplicate);
  f("session_started", x.session_started);
}

/// One line of a transcript.
struct transcript_line {
  int64_t seq = 0;
  std::string from;  ///< "person", "bot" or "agent:<id>".
  std::string text;
  int64_t at_ms = 0;
};

template <class F>
void fields(F& f, transcript_line& x) {
  f("seq", x.seq);
  f("from", x.from);
  f("text", x.text);
  f("at_ms", x.at_ms);
}

/// The persisted state of a conversation actor (one per channel and person; `session` counts the
/// conversations that person had on that channel, the conversation id is `key#session`).
struct conversation_state {
  static constexpr const char* type_name = "conversation.state";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  int64_t session = 0;
  std::string status = "closed";  ///< "bot", "waiting_for_agent", "with_agent" or "closed".
  int64_t next_seq = 1;
  int64_t message_count = 0;
  int64_t started_at_ms = 0;
  int64_t last_message_at_ms = 0;
  std::vector<transcript_line> transcript;
  std::vector<std::string> recent_client_msg_ids;  ///< Newest last; bounded, for retry detection.
};

template <class F>
void fields(F& f, conversation_state& x) {
  f("session", x.session);
  f("status", x.status);
  f("next_seq", x.next_seq);
  f("message_count", x.message_count);
  f("started_at_ms", x.started_at_ms);
  f("last_message_at_ms", x.last_message_at_ms);
  f("transcript", x.transcript);
  f("recent_client_msg_ids", x.recent_client_msg_ids);
}

/// An event a conversation publishes (`conversation.started`, `conversation.closed`, ...).
struct conversation_event {
  static constexpr const char* type_name = "conversation.event";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string event;  ///< The topic it was published on.
  std::string conversation_id;
  std::string channel;
  std::string person;
  int64_t at_ms = 0;
  int64_t message_count = 0;
  std::string reason;  ///< Why it happened ("idle_timeout", ...), empty where it says nothing.
};

template <class F>
void fields(F& f, conversation_event& x) {
  f("event", x.event);
  f("conversation_id", x.conversation_id);
  f("channel", x.channel);
  f("person", x.person);
  f("at_ms", x.at_ms);
  f("message_count", x.message_count);
  f("reason", x.reason);
}

}  // namespace sb::schemas
