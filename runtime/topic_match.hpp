#pragma once

#include <string_view>

namespace sb {

/// Returns true if `topic` (dot-separated tokens, e.g. "conversation.closed") matches `pattern`
/// in NATS subject syntax: `*` matches exactly one token, a final `>` matches one or more tokens.
bool topic_matches(std::string_view pattern, std::string_view topic) noexcept;

}  // namespace sb
