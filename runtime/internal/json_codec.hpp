#pragma once

// The JSON codec on nlohmann::json values, for code inside runtime/ that embeds a message in a
// larger JSON document (HTTP replies, sbctl output). Everything else uses runtime/json_codec.hpp.

#include <nlohmann/json.hpp>

#include "runtime/result.hpp"
#include "schemas/all_messages.hpp"

namespace sb::internal {

/// Returns a schema message as a JSON object of its fields (see sb::to_json).
template <class T>
nlohmann::json to_json_value(const T& msg);

/// Reads a schema message from a JSON object of its fields (see sb::from_json). Never throws.
template <class T>
result<T> from_json_value(const nlohmann::json& value);

}  // namespace sb::internal
