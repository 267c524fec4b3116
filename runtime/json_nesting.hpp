#pragma once

#include <string_view>

namespace sb {

/// Returns false if arrays and objects in the JSON `text` nest deeper than `limit`. Checked before
/// parsing untrusted or stored JSON: nlohmann's parser has no depth limit and spends about 80 bytes
/// of stack per level, so "[[[[..." would cost far more than its size. Strings are skipped, so
/// brackets inside them do not count. Pure; thread-safe.
bool json_nesting_within(std::string_view text, int limit) noexcept;

}  // namespace sb
