#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace sb {

/// Converts a message of the schema type named `type` ("chat.message") from its JSON form to its
/// wire bytes. errc::not_found for an unknown type name, errc::invalid_argument for bad JSON (then
/// counted in `sb_decode_errors_total{type, reason="invalid_argument"}`, as decode() counts).
result<std::string> payload_from_json(std::string_view type, std::string_view json);

/// Converts wire bytes of the type named `type` to JSON; decode errors as in decode().
result<std::string> payload_to_json(std::string_view type, std::string_view bytes);

/// Returns the names of every schema message type, sorted.
std::vector<std::string> message_type_names();

}  // namespace sb
