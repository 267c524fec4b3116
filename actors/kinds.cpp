#include "actors/kinds.hpp"

#include "actors/agent_pool/agent_pool.hpp"
#include "actors/catalog/catalog_actor.hpp"
#include "actors/conversation/conversation.hpp"
#include "actors/user/user.hpp"
#include "schemas/subjects.hpp"

namespace sb {

result<void> register_builtin_kinds(kind_registry& kinds, const node_config& cfg,
                                    const clock& clk) {
  auto bot = bot_knowledge::load(cfg, clk);
  if (!bot) {
    return bot.err();
  }
  conversation_settings conv;
  conv.session_idle_ms = cfg.conversation_session_idle.count();
  conv.transcript_limit = static_cast<size_t>(cfg.conversation_transcript_limit);
  conv.bot = *bot;
  kinds.add(schemas::kinds::conversation, [conv](const schemas::address& addr) {
    return std::make_unique<conversation>(addr, conv);
  });
  kinds.add(schemas::kinds::user,
            [](const schemas::address& addr) { return std::make_unique<user>(addr.key); });
  kinds.add(schemas::kinds::agent_pool,
            [](const schemas::address&) { return std::make_unique<agent_pool>(); });
  std::shared_ptr<bot_knowledge> shared = *bot;
  kinds.add("catalog",
            [shared](const schemas::address&) { return std::make_unique<catalog_actor>(shared); });
  return {};
}

}  // namespace sb
