#pragma once

namespace sb::schemas::topics {

/// Event topics, dot-separated like NATS subjects. A subscription pattern may use `*` for one token
/// and `>` for the rest (`conversation.>`). The NATS bus prefixes them with `sb.events.`.
inline constexpr const char* conversation_started = "conversation.started";
inline constexpr const char* conversation_closed = "conversation.closed";

}  // namespace sb::schemas::topics

namespace sb::schemas::kinds {

/// Actor kinds (the first half of an address).
inline constexpr const char* conversation = "conversation";

}  // namespace sb::schemas::kinds
