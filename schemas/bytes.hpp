#pragma once

#include <string>

namespace sb::schemas {

/// Opaque binary data inside a message (an encoded payload, a saved actor state).
/// Packed as msgpack `bin`, never as `str`, so that readers in other languages see bytes, not text.
struct bytes {
  std::string data;

  bool operator==(const bytes& other) const { return data == other.data; }
  bool operator!=(const bytes& other) const { return data != other.data; }
};

}  // namespace sb::schemas
