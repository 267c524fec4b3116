#pragma once

// Hashes and comparisons that the channel protocols share, on plain strings (OpenSSL stays in the
// .cpp). Every function is pure and thread-safe.

#include <string>
#include <string_view>

namespace sb::channels {

/// Returns the lowercase hex SHA-1 of `data` (40 characters).
std::string sha1_hex(std::string_view data);

/// Returns the lowercase hex HMAC-SHA256 of `data` under `key` (64 characters).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

/// Returns true if `a` and `b` are equal, in time that depends only on their lengths (which are
/// not secret: a signature's length is public).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

/// Returns `text` with ASCII letters lower-cased (for hex signatures sent in upper case).
std::string ascii_lower(std::string_view text);

}  // namespace sb::channels
