#pragma once

// Request signing of the mobile-app channel. The app sends `X-SB-Timestamp` (Unix seconds) and
// `X-SB-Signature` = lowercase hex HMAC-SHA256(secret, timestamp + "." + raw body). The gateway
// checks the signature and that the timestamp is within the allowed skew of now; then, since a
// signature may be used once, it stores replay_key(signature) with put_if_absent and a TTL of
// twice the skew, refusing the request if the key was already there.

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace sb::channels {

/// Returns the signature of a request: lowercase hex HMAC-SHA256 under `secret` of
/// `timestamp` + "." + `raw_body`.
std::string app_signature(std::string_view secret, std::string_view timestamp,
                          std::string_view raw_body);

/// Returns the timestamp (decimal Unix seconds, digits only) if it lies within `max_skew_s` of
/// `now_s`; invalid_argument if it is missing, not a number, too old or too far in the future.
/// Shared by the app and WeChat channels.
result<int64_t> check_timestamp(std::string_view timestamp, int64_t now_s, int64_t max_skew_s);

/// Checks a signed app request: invalid_argument if the secret is empty, a header is missing, the
/// timestamp fails check_timestamp() or the signature (hex, either case) does not match.
/// The comparison takes constant time.
result<void> verify_app_request(std::string_view secret, std::string_view timestamp_header,
                                std::string_view signature_header, std::string_view raw_body,
                                int64_t now_s, int64_t max_skew_s = 300);

/// Returns the store key that marks `signature` as used (for put_if_absent with a TTL).
std::string replay_key(std::string_view signature);

}  // namespace sb::channels
