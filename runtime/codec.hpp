#pragma once

#include <string>
#include <string_view>

#include "runtime/result.hpp"
#include "schemas/all_messages.hpp"

namespace sb {

/// Encodes a schema message as a msgpack map of its fields plus `version` and
/// `min_compatible_version`. Instantiated for the types in schemas/all_messages.hpp only.
template <class T>
std::string encode(const T& msg);

/// Decodes bytes written by `encode<T>` (by this or another version of Switchboard).
/// Never throws: malformed, truncated, oversized, wrongly shaped or too-new input gives an error
/// (errc::decode_*) and counts `sb_decode_errors_total`. Missing fields keep their defaults and
/// unknown fields are ignored, so older and newer writers interoperate within the compatible range.
/// Limits on untrusted input (decode_malformed beyond them): 8 MiB in all, 4 MiB per string or
/// bytes field, 65536 entries per array or map, nesting 32 deep.
template <class T>
result<T> decode(std::string_view bytes);

}  // namespace sb
