#pragma once

// Type registration: every message type that crosses a process boundary or is kept in the store is
// listed here once. The codecs are instantiated for exactly these types (runtime/internal/), so a
// type missing here fails to link instead of failing at run time.

#include "schemas/actor_record.hpp"
#include "schemas/agent_pool.hpp"
#include "schemas/conversation.hpp"
#include "schemas/envelope.hpp"
#include "schemas/handoff.hpp"
#include "schemas/marketing.hpp"
#include "schemas/timer.hpp"
#include "schemas/user.hpp"

#define SB_FOR_EACH_MESSAGE_TYPE(X)       \
  X(::sb::schemas::envelope)              \
  X(::sb::schemas::actor_record)          \
  X(::sb::schemas::timer_record)          \
  X(::sb::schemas::timer_fired)           \
  X(::sb::schemas::chat_message)          \
  X(::sb::schemas::chat_accepted)         \
  X(::sb::schemas::conversation_state)    \
  X(::sb::schemas::conversation_event)    \
  X(::sb::schemas::outbound_event)        \
  X(::sb::schemas::agent_message)         \
  X(::sb::schemas::conversation_control)  \
  X(::sb::schemas::handoff_context)       \
  X(::sb::schemas::conversation_messages) \
  X(::sb::schemas::business_event)        \
  X(::sb::schemas::profile_summary)       \
  X(::sb::schemas::user_command)          \
  X(::sb::schemas::user_state)            \
  X(::sb::schemas::pool_command)          \
  X(::sb::schemas::pool_reply)            \
  X(::sb::schemas::pool_state)            \
  X(::sb::schemas::coupon_record)         \
  X(::sb::schemas::campaign_person)       \
  X(::sb::schemas::campaign_state)        \
  X(::sb::schemas::campaign_message)      \
  X(::sb::schemas::touchpoint)            \
  X(::sb::schemas::order_attribution)     \
  X(::sb::schemas::experiment_event)      \
  X(::sb::schemas::experiment_state)      \
  X(::sb::schemas::experiment_report)
