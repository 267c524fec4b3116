#pragma once

#include <string>
#include <string_view>

#include "runtime/result.hpp"
#include "schemas/all_messages.hpp"

namespace sb {

/// Returns a schema message as a JSON object of its fields, for HTTP bodies and sbctl: bytes as
/// base64 strings, empty optionals as null, no version keys. Text that is not valid UTF-8 is
/// written with U+FFFD in place of the bad bytes. Instantiated for the types in
/// schemas/all_messages.hpp only.
template <class T>
std::string to_json(const T& msg);

/// Reads a schema message from a JSON object of its fields. Missing fields keep their defaults and
/// unknown keys are ignored; version keys are neither needed nor checked. Never throws: invalid
/// JSON (with the parser's position), a wrong field type (with the field's path, e.g. "to.kind"),
/// an integer out of range, bad base64, or input over 8 MiB or nested deeper than 64 give
/// errc::invalid_argument.
template <class T>
result<T> from_json(std::string_view text);

}  // namespace sb
