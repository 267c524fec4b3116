#include "actors/conversation/conversation.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "runtime/codec.hpp"
#include "schemas/subjects.hpp"

namespace sb {

conversation::conversation(schemas::address addr, conversation_settings settings)
    : addr_(std::move(addr)), settings_(settings) {}

result<void> conversation::restore(const std::optional<std::string>& snapshot) {
  if (!snapshot) {
    state_ = {};
    return {};
  }
  auto st = decode<schemas::conversation_state>(*snapshot);
  if (!st) {
    return st.err();
  }
  state_ = std::move(*st);
  return {};
}

std::string conversation::snapshot() const { return encode(state_); }

std::string conversation::conversation_id() const {
  return addr_.key + "#" + std::to_string(state_.session);
}

void conversation::publish(actor_context& ctx, const char* topic, std::string reason) {
  schemas::conversation_event ev;
  ev.event = topic;
  ev.conversation_id = conversation_id();
  auto colon = addr_.key.find(':');
  ev.channel = addr_.key.substr(0, colon);
  ev.person = colon == std::string::npos ? std::string{} : addr_.key.substr(colon + 1);
  ev.at_ms = ctx.now_ms();
  ev.message_count = state_.message_count;
  ev.reason = std::move(reason);
  ctx.publish(topic, ev);
}

result<void> conversation::handle(const schemas::envelope& msg, actor_context& ctx) {
  if (msg.type == schemas::chat_message::type_name) {
    auto chat = decode<schemas::chat_message>(msg.payload.data);
    if (!chat) {
      return chat.err();
    }
    return on_chat(*chat, ctx);
  }
  return error{errc::unexpected_type, "conversation does not handle '" + msg.type + "'"};
}

result<void> conversation::on_chat(const schemas::chat_message& msg, actor_context& ctx) {
  auto& ids = state_.recent_client_msg_ids;
  if (!msg.client_msg_id.empty() && std::find(ids.begin(), ids.end(), msg.client_msg_id) != ids.end()) {
    // A channel retry: same answer, no second transcript line.
    schemas::chat_accepted dup;
    dup.conversation_id = conversation_id();
    dup.duplicate = true;
    ctx.reply(dup);
    return {};
  }
  auto now = ctx.now_ms();
  bool started = state_.status == "closed";
  if (started) {
    ++state_.session;
    state_.status = "bot";
    state_.started_at_ms = now;
    state_.message_count = 0;
    state_.next_seq = 1;
    state_.transcript.clear();
    publish(ctx, schemas::topics::conversation_started, "");
  }
  schemas::transcript_line line;
  line.seq = state_.next_seq++;
  line.from = "person";
  line.text = msg.text;
  line.at_ms = now;
  state_.transcript.push_back(line);
  if (state_.transcript.size() > settings_.transcript_limit) {
    state_.transcript.erase(state_.transcript.begin());
  }
  ++state_.message_count;
  state_.last_message_at_ms = now;
  if (!msg.client_msg_id.empty()) {
    ids.push_back(msg.client_msg_id);
    if (ids.size() > settings_.remembered_client_ids) {
      ids.erase(ids.begin());
    }
  }
  if (auto r = ctx.arm_timer(idle_timer, now + settings_.session_idle_ms); !r) {
    return r;
  }
  schemas::chat_accepted ok;
  ok.conversation_id = conversation_id();
  ok.seq = line.seq;
  ok.session_started = started;
  ctx.reply(ok);
  return {};
}

result<void> conversation::on_timer(const schemas::timer_fired& timer, actor_context& ctx) {
  if (timer.name != idle_timer || state_.status == "closed") {
    return {};
  }
  state_.status = "closed";
  publish(ctx, schemas::topics::conversation_closed, "idle_timeout");
  return {};
}

std::string conversation::status_json() const {
  nlohmann::json j;
  j["conversation_id"] = conversation_id();
  j["status"] = state_.status;
  j["session"] = state_.session;
  j["message_count"] = state_.message_count;
  j["started_at_ms"] = state_.started_at_ms;
  j["last_message_at_ms"] = state_.last_message_at_ms;
  j["transcript_lines"] = state_.transcript.size();
  return j.dump();
}

}  // namespace sb
