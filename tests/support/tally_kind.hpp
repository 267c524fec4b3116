#pragma once

// A tiny keyed actor kind for runtime tests: it counts chat messages and obeys commands written as
// message text ("arm NAME DELAY_MS", "cancel NAME", "fail"), records the timers that fired, and
// replies a chat_accepted whose seq is the count. Its state is plain text "count|fired,fired".

#include <sstream>

#include "runtime/codec.hpp"
#include "runtime/keyed_behavior.hpp"
#include "schemas/conversation.hpp"

namespace sb::test {

inline constexpr const char* tally = "tally";

class tally_behavior final : public keyed_behavior {
 public:
  int64_t count = 0;
  std::string fired;  // comma-separated timer names, in firing order

  result<void> restore(const std::optional<std::string>& snapshot) override {
    if (snapshot) {
      auto bar = snapshot->find('|');
      count = std::stoll(snapshot->substr(0, bar));
      fired = snapshot->substr(bar + 1);
    }
    return {};
  }
  std::string snapshot() const override { return std::to_string(count) + "|" + fired; }

  result<void> handle(const schemas::envelope& msg, actor_context& ctx) override {
    auto chat = open_envelope<schemas::chat_message>(msg);
    if (!chat) {
      return chat.err();
    }
    std::istringstream words{chat->text};
    std::string verb;
    words >> verb;
    if (verb == "arm") {
      std::string name;
      int64_t delay = 0;
      words >> name >> delay;
      if (auto r = ctx.arm_timer(name, ctx.now_ms() + delay, "payload-of-" + name); !r) {
        return r;
      }
    } else if (verb == "cancel") {
      std::string name;
      words >> name;
      if (auto r = ctx.cancel_timer(name); !r) {
        return r;
      }
    } else if (verb == "fail") {
      return error{errc::invalid_argument, "asked to fail"};
    } else if (verb == "throw") {
      throw std::runtime_error("asked to throw");
    }
    ++count;
    schemas::chat_accepted reply;
    reply.seq = count;
    reply.conversation_id = ctx.self().key;
    ctx.reply(reply);
    return {};
  }

  result<void> on_timer(const schemas::timer_fired& timer, actor_context& ctx) override {
    fired += (fired.empty() ? "" : ",") + timer.name;
    schemas::conversation_event ev;
    ev.event = "tally.fired";
    ev.conversation_id = ctx.self().key;
    ev.reason = timer.name + ":" + timer.payload.data;
    ctx.publish("tally.fired", ev);
    return {};
  }

  std::string status_json() const override {
    return "{\"count\":" + std::to_string(count) + ",\"fired\":\"" + fired + "\"}";
  }
};

/// Registers the tally kind (and only it).
inline result<node_hooks> register_tally(const kind_setup& setup) {
  setup.kinds.add(tally,
                  [](const schemas::address&) { return std::make_unique<tally_behavior>(); });
  return node_hooks{};
}

}  // namespace sb::test
