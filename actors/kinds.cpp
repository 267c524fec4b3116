#include "actors/kinds.hpp"

#include "actors/conversation/conversation.hpp"
#include "schemas/subjects.hpp"

namespace sb {

void register_builtin_kinds(kind_registry& kinds, const node_config& cfg) {
  conversation_settings conv;
  conv.session_idle_ms = cfg.conversation_session_idle.count();
  conv.transcript_limit = static_cast<size_t>(cfg.conversation_transcript_limit);
  kinds.add(schemas::kinds::conversation, [conv](const schemas::address& addr) {
    return std::make_unique<conversation>(addr, conv);
  });
}

}  // namespace sb
