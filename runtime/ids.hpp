#pragma once

#include <string>

namespace sb {

/// Returns a new random message id: 32 lowercase hex characters (128 bits from a CSPRNG seeded
/// per thread). Thread-safe.
std::string new_msg_id();

}  // namespace sb
