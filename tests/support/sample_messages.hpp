#pragma once

// Sample values of every registered message type, with non-default values in every field (UTF-8
// Chinese text, bytes with NUL, integers at their limits), and `describe()`, which prints any
// message field by field so that tests can compare two messages and show the difference.

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
  r.applied_timer_generations = {
      {"idle", 3}, {"优惠券", std::numeric_limits<int64_t>::min()}, {"", -1}};
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
  a.replies = {{42,
                "bot",
                "为您推荐这款降噪耳机",
                {{"SKU-1", "静音 Pro", 1299.5, "CNY", "续航30小时"}},
                1732540800500},
               {43, "agent:li", "", {}, -1}};
  a.status = "bot";
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
  s.transcript = {{1, "person", "我要退货", 1732540800000, "", {}, "wx-1", {}},
                  {2,
                   "bot",
                   "好的，请提供订单号。",
                   1732540830000,
                   "",
                   {},
                   "",
                   {{"SKU-1", "静音 Pro", 1299.5, "CNY", "续航30小时"}}},
                  {3, "agent:li", std::string("nul\0inside", 10), 1732540860000, "", {}, "", {}}};
  s.recent_client_msg_ids = {"wx-1", "wx-2", ""};
  s.transcript[0].intent = "complaint";
  s.transcript[1].skus = {"SKU-1", "SKU-2"};
  s.signals = {5, 2, 1, 3, 1, 2, -1.25, -0.5};
  s.recommended_skus = {"SKU-1"};
  s.profile_known = true;
  s.profile.tier = "gold";
  s.last_intent = "ask_human";
  s.handoff_reason = "asked_for_human";
  s.handoff_requested_at_ms = 1732540850000;
  s.agent_id = "li";
  s.agent_accepted_at_ms = 1732540855000;
  s.first_agent_reply_at_ms = 1732540860000;
  s.user_key = "app:u-42";
  s.churn_score = 0.625;
  s.churn_alerted = true;
  s.coupons = {"ABCD-EFGH-JKMN-PQRS"};
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
  e.user = "app:u-42";
  e.intent = "product_inquiry";
  e.skus = {"SKU-1", "耳机-2"};
  e.tier = "gold";
  e.priority = 80;
  e.agent_id = "li";
  e.churn_score = 0.75;
  e.keywords = {"降噪", "耳机"};
  return e;
}

template <>
inline schemas::outbound_event sample<schemas::outbound_event>() {
  schemas::outbound_event e;
  e.channel = "wechat";
  e.person = "oXYZ";
  e.conversation_id = "wechat:oXYZ#3";
  e.message = {
      7, "agent:li", "您好，我是客服小李", {{"SKU-9", "充电宝", 99, "CNY", ""}}, 1732540900000};
  return e;
}

template <>
inline schemas::agent_message sample<schemas::agent_message>() {
  return {"li", "您好，我来帮您处理退货"};
}

template <>
inline schemas::conversation_control sample<schemas::conversation_control>() {
  return {"accept", "li", "asked_for_human", 90, 12};
}

template <>
inline schemas::profile_summary sample<schemas::profile_summary>() {
  schemas::profile_summary p;
  p.user_key = "app:u-42";
  p.tier = "gold";
  p.order_count = 7;
  p.total_spend = 4321.5;
  p.days_since_last_order = 12;
  p.top_brands = {"声学", "Anker"};
  p.top_categories = {"耳机"};
  p.recent_skus = {"SKU-1"};
  p.has_price_band = true;
  p.price_min = 99;
  p.price_max = 1299;
  p.price_sensitive = true;
  p.identities = {"app:u-42", "wechat:oXYZ"};
  return p;
}

template <>
inline schemas::handoff_context sample<schemas::handoff_context>() {
  schemas::handoff_context c;
  c.conversation_id = "wechat:oXYZ#3";
  c.channel = "wechat";
  c.person = "oXYZ";
  c.status = "with_agent";
  c.reason = "complaint_top_tier";
  c.agent_id = "li";
  c.waited_ms = 4500;
  c.transcript = {{1, "person", "质量太差了", 1732540800000, "complaint", {}, "wx-7", {}}};
  c.profile = sample<schemas::profile_summary>();
  c.recommended_skus = {"SKU-1"};
  c.coupons = {"CPN-7K2Q"};
  c.signals = {3, 1, 0, 2, 0, 1, -1.5, -0.9};
  return c;
}

template <>
inline schemas::conversation_messages sample<schemas::conversation_messages>() {
  schemas::conversation_messages m;
  m.conversation_id = "web:v-9#2";
  m.status = "with_agent";
  m.messages = {{3, "bot", "您好", {}, 1732540800000}};
  return m;
}

template <>
inline schemas::business_event sample<schemas::business_event>() {
  schemas::business_event e;
  e.type = "order.placed";
  e.event_id = "evt-1";
  e.user = "app:u-42";
  e.at_ms = 1732540800000;
  e.order_id = "A1002";
  e.amount = 1299.5;
  e.currency = "CNY";
  e.skus = {"SKU-1"};
  e.sku = "SKU-1";
  e.brand = "声学";
  e.category = "耳机";
  e.price = 1299.5;
  e.identities = {"wechat:oXYZ"};
  e.conversation_id = "app:u-42#1";
  e.score = 5;
  e.product_json = R"({"sku":"SKU-1"})";
  e.tier = "gold";
  return e;
}

template <>
inline schemas::user_command sample<schemas::user_command>() {
  return {"contact",     "wechat", 1732540800000, true, "app:u-42", R"({"user_id":"app:u-42"})",
          {"web:v-1001"}};
}

template <>
inline schemas::coupon_record sample<schemas::coupon_record>() {
  return {"ABCD-EFGH-JKMN-PQRS",
          "consult-no-order-30m",
          "web:v-1",
          10,
          0,
          "CNY",
          99,
          0,
          1732540800000,
          1732800000000,
          "redeemed",
          "o-77",
          1732600000000,
          "web:v-1#2",
          "web",
          "coupon-copy",
          "urgent"};
}

template <>
inline schemas::campaign_person sample<schemas::campaign_person>() {
  return {true,  1732540800000, 1732542600000, "AL-ANC-PRO2",   "web:v-1#2",
          "web", "gold",        0.5,           {1732540800000}, {1732540700000, 1732540900000},
          2,     1732540000000};
}

template <>
inline schemas::campaign_state sample<schemas::campaign_state>() {
  return {10, 3, 7, 6, 6, 1, {{"condition", 1}, {"budget", 2}}};
}

template <>
inline schemas::campaign_message sample<schemas::campaign_message>() {
  return {"churn-winback", "送您一张券", "ABCD-EFGH-JKMN-PQRS", 90, "churn_risk"};
}

template <>
inline schemas::touchpoint sample<schemas::touchpoint>() {
  return {"recommendation", 1732540800000, {"AL-ANC-PRO2"}, "c-1", "ABCD", "headphone-pitch",
          "award",          "web:v-1#2",   "web",           true,  false};
}

template <>
inline schemas::order_attribution sample<schemas::order_attribution>() {
  return {"o-1",       "web:v-1",     1299.5,      "CNY", 1732540800000,     "web",
          "web:v-1#2", "AL-ANC-PRO2", "ABCD-EFGH", "c-1", "headphone-pitch", "award"};
}

template <>
inline schemas::experiment_event sample<schemas::experiment_event>() {
  return {"conversion", "award", "web:v-1", 1732540800000, 1732540000000, "o-1"};
}

template <>
inline schemas::experiment_state sample<schemas::experiment_state>() {
  return {{{"award", 10}, {"battery", 12}}, {{"award", 3}}, {{"battery", 1}}, {"o-1", "o-2"}};
}

template <>
inline schemas::experiment_report sample<schemas::experiment_report>() {
  return {R"({"id":"headphone-pitch"})"};
}

template <>
inline schemas::user_state sample<schemas::user_state>() {
  schemas::user_state s{R"({"user_id":"app:u-42"})", "app:u-1", {"evt-1", "evt-2"},
                        {"web:v-1001", "app:u-42"},  {},        {"o-1"}};
  s.touchpoints.push_back(sample<schemas::touchpoint>());
  return s;
}

template <>
inline schemas::pool_command sample<schemas::pool_command>() {
  schemas::pool_command c;
  c.action = "agent";
  c.conversation_id = "web:v-9#2";
  c.skill = "presales";
  c.tier = "gold";
  c.reason = "asked_for_human";
  c.agent_id = "li";
  c.name = "小李";
  c.skills = {"presales", "zh"};
  c.max_chats = 3;
  c.presence = "online";
  c.at_ms = 1732540800000;
  c.priority = 90;
  return c;
}

template <>
inline schemas::pool_reply sample<schemas::pool_reply>() {
  return {false, "not_offered", "offered to another agent", R"({"queue":[]})", 4500};
}

template <>
inline schemas::pool_state sample<schemas::pool_state>() {
  return {R"({"agents":[]})"};
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
