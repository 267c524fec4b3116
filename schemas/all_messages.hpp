#pragma once

// Type registration: every message type that crosses a process boundary or is kept in the store is
// listed here once. The codecs are instantiated for exactly these types (runtime/internal/), so a
// type missing here fails to link instead of failing at run time.

#include "schemas/actor_record.hpp"
#include "schemas/conversation.hpp"
#include "schemas/envelope.hpp"
#include "schemas/timer.hpp"

#define SB_FOR_EACH_MESSAGE_TYPE(X)   \
  X(::sb::schemas::envelope)          \
  X(::sb::schemas::actor_record)      \
  X(::sb::schemas::timer_record)      \
  X(::sb::schemas::timer_fired)       \
  X(::sb::schemas::chat_message)      \
  X(::sb::schemas::chat_accepted)     \
  X(::sb::schemas::conversation_state) \
  X(::sb::schemas::conversation_event)
