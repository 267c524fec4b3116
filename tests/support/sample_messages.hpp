#pragma once

// Sample values of every registered message type, with non-default values in every field (UTF-8
// Chinese text, bytes with NUL, integers at their limits), and `describe()`, which prints any message
// field by field so that tests can compare two messages and show the difference.

#include <cstdint>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string>

#include "runtime/internal/schema_visit.hpp"
#include "schemas/all_messages.hpp"

namespace sb::test {

/// Returns a message of type T with every field set to something other than its default.
template <class T>
T sample();

template <>
inline schemas::envelope sample<schemas::envelope>() {
  schemas::envelope e;
  e.msg_id = "m-7f3a";
  e.to = {"conversation", "wechat:oXYZ#3"};
  e.type = "chat.message";
  e.payload.data = std::string("\x00\x01\xc1\xff", 4) + "订单" + std::string(1, '\0');
  e.reply_to = "_INBOX.k2j3";
  e.correlation_id = "c-42";
  e.sent_at_ms = 1732540800123;
  e.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  return e;
}

template <>
inline schemas::actor_record sample<schemas::actor_record>() {
  schemas::actor_record r;
  r.state.data = std::string("\x92\x00\xc0", 3) + "状态";
  r.applied_timer_generations = {{"idle", 3}, {"优惠券", std::numeric_limits<int64_t>::min()}, {"", -1}};
  r.recent_msg_ids = {"m-1", "m-2", "m-3"};
  r.saved_at_ms = 1732540800999;
  return r;
}

template <>
inline schemas::timer_record sample<schemas::timer_record>() {
  schemas::timer_record t;
  t.owner = {"campaign", "u-42"};
  t.name = "优惠券过期";
  t.due_ms = std::numeric_limits<int64_t>::max();
  t.generation = -3;
  t.payload.data = std::string("\0\0\0", 3);
  return t;
}

template <>
inline schemas::timer_fired sample<schemas::timer_fired>() {
  schemas::timer_fired t;
  t.name = "idle";
  t.due_ms = 1732540800000;
  t.fired_at_ms = 1732540800017;
  t.generation = 12;
  t.payload.data = std::string("a\0b", 3);
  return t;
}

template <>
inline schemas::chat_message sample<schemas::chat_message>() {
  schemas::chat_message m;
  m.channel = "wechat";
  m.person = "oXYZ-openid";
  m.text = "你好，我的订单什么时候到？🚚";
  m.client_msg_id = "wx-881";
  m.sent_at_ms = std::numeric_limits<int64_t>::min();
  return m;
}

template <>
inline schemas::chat_accepted sample<schemas::chat_accepted>() {
  schemas::chat_accepted a;
  a.conversation_id = "wechat:oXYZ#3";
  a.seq = 41;
  a.duplicate = true;
  a.session_started = true;
  return a;
}

template <>
inline schemas::conversation_state sample<schemas::conversation_state>() {
  schemas::conversation_state s;
  s.session = 3;
  s.status = "with_agent";
  s.next_seq = 4;
  s.message_count = 3;
  s.started_at_ms = 1732540800000;
  s.last_message_at_ms = 1732540860000;
  s.transcript = {{1, "person", "我要退货", 1732540800000},
                  {2, "bot", "好的，请提供订单号。", 1732540830000},
                  {3, "agent:li", std::string("nul\0inside", 10), 1732540860000}};
  s.recent_client_msg_ids = {"wx-1", "wx-2", ""};
  return s;
}

template <>
inline schemas::conversation_event sample<schemas::conversation_event>() {
  schemas::conversation_event e;
  e.event = "conversation.closed";
  e.conversation_id = "web:v-9#1";
  e.channel = "web";
  e.person = "v-9";
  e.at_ms = 1732540900000;
  e.message_count = 17;
  e.reason = "idle_timeout";
  return e;
}

/// Appends a readable form of `v` to `out`: strings quoted with non-ASCII bytes as \xNN.
template <class V>
void describe_to(std::string& out, const V& v) {
  if constexpr (std::is_same_v<V, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (internal::is_field_integer<V>) {
    out += std::to_string(v);
  } else if constexpr (std::is_floating_point_v<V>) {
    std::ostringstream s;
    s.precision(17);
    s << v;
    out += s.str();
  } else if constexpr (std::is_same_v<V, std::string> || std::is_same_v<V, schemas::bytes>) {
    const std::string& s = [&]() -> const std::string& {
      if constexpr (std::is_same_v<V, std::string>) {
        return v;
      } else {
        return v.data;
      }
    }();
    out += std::is_same_v<V, std::string> ? "\"" : "bin\"";
    for (unsigned char c : s) {
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        out += static_cast<char>(c);
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      }
    }
    out += '"';
  } else if constexpr (internal::is_vector<V>::value) {
    out += '[';
    for (const auto& e : v) {
      describe_to(out, e);
      out += ", ";
    }
    out += ']';
  } else if constexpr (internal::is_string_map<V>::value) {
    out += '{';
    for (const auto& [k, e] : v) {
      describe_to(out, k);
      out += ": ";
      describe_to(out, e);
      out += ", ";
    }
    out += '}';
  } else if constexpr (internal::is_optional<V>::value) {
    if (v) {
      describe_to(out, *v);
    } else {
      out += "none";
    }
  } else {
    out += '{';
    internal::for_each_field(v, [&out](const char* name, const auto& member) {
      out += name;
      out += '=';
      describe_to(out, member);
      out += ' ';
    });
    out += '}';
  }
}

/// Returns every field of `v`, recursively, as one line of text.
template <class V>
std::string describe(const V& v) {
  std::string out;
  describe_to(out, v);
  return out;
}

}  // namespace sb::test
