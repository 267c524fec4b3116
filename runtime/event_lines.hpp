#pragma once

#include <string>

#include "schemas/envelope.hpp"

namespace sb {

/// Returns one event as a line of newline-delimited JSON, without the newline:
/// {"topic", "msg_id", "type", "sent_at_ms", "event": <payload as JSON, absent if undecodable>}.
/// The same line whether it is streamed by a node (GET /v1/events/stream) or built by
/// `sbctl events --nats` from what the NATS bus published on `sb.events.<topic>`. Pure; any thread.
std::string event_line(const std::string& topic, const schemas::envelope& env);

}  // namespace sb
