#pragma once

#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace sb::campaigns {

/// Returns a new unguessable coupon code: 80 bits from OpenSSL's RAND_bytes written as 16
/// characters of Crockford base32 (0-9 A-Z without I L O U), grouped "XXXX-XXXX-XXXX-XXXX".
/// Thread-safe. Fails (errc::internal) only if OpenSSL cannot produce random bytes.
result<std::string> new_coupon_code();

/// Returns whether `code` has exactly the shape new_coupon_code() makes (19 characters, capital
/// Crockford digits in four groups of four joined by '-'); lets an API tell a malformed code
/// (400) from an unknown one (404) without a lookup.
bool is_coupon_code(std::string_view code);

}  // namespace sb::campaigns
