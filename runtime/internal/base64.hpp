#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sb::internal {

/// Returns `data` in standard base64 (RFC 4648 §4, with '=' padding).
std::string base64_encode(std::string_view data);

/// Returns the bytes that standard base64 `text` encodes, or nothing if `text` is not base64.
/// Padding may be left out; whitespace and the URL-safe alphabet are not accepted.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace sb::internal
