#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "actors/user/profile_logic.hpp"
#include "runtime/result.hpp"
#include "runtime/store.hpp"

namespace sb {

/// Reads a person's profile as their user actor last saved it (it saves after every message, so
/// this is its latest applied state), following merges to the profile that absorbed it. For actors
/// that need a person's facts at one moment without a round trip (a campaign checking its
/// conditions when its timer fires). Thread-safe: only reads the store.
///
/// Returns nullopt for a person whose user actor never ran.
result<std::optional<profile>> read_saved_profile(store& st, const std::string& user_key);

}  // namespace sb
