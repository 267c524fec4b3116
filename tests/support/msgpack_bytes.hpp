#pragma once

// A hand-rolled msgpack writer for tests that need buffers our encoder never writes (unknown keys,
// newer versions, wrong field types, non-minimal integers). Plain bytes, no msgpack-c types.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sb::test::mp {

/// Returns `v` as `n` big-endian bytes.
inline std::string big_endian(uint64_t v, int n) {
  std::string out;
  for (int i = n - 1; i >= 0; --i)
    out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

inline std::string byte(uint8_t b) {
  return std::string(1, static_cast<char>(b));
}

inline std::string nil() {
  return byte(0xc0);
}
inline std::string boolean(bool b) {
  return byte(b ? 0xc3 : 0xc2);
}

/// An unsigned integer in its widest form (uint64), valid msgpack though not the shortest.
inline std::string uint(uint64_t v) {
  return byte(0xcf) + big_endian(v, 8);
}

/// A signed integer in its widest form (int64).
inline std::string sint(int64_t v) {
  return byte(0xd3) + big_endian(static_cast<uint64_t>(v), 8);
}

inline std::string float64(double d) {
  uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  return byte(0xcb) + big_endian(bits, 8);
}

inline std::string str(std::string_view s) {
  std::string head;
  if (s.size() < 32) {
    head = byte(static_cast<uint8_t>(0xa0 | s.size()));
  } else if (s.size() < 256) {
    head = byte(0xd9) + big_endian(s.size(), 1);
  } else if (s.size() < 65536) {
    head = byte(0xda) + big_endian(s.size(), 2);
  } else {
    head = byte(0xdb) + big_endian(s.size(), 4);
  }
  return head + std::string{s};
}

inline std::string bin(std::string_view s) {
  std::string head;
  if (s.size() < 256) {
    head = byte(0xc4) + big_endian(s.size(), 1);
  } else if (s.size() < 65536) {
    head = byte(0xc5) + big_endian(s.size(), 2);
  } else {
    head = byte(0xc6) + big_endian(s.size(), 4);
  }
  return head + std::string{s};
}

/// The header of an array of `n` items (the items follow).
inline std::string array(uint32_t n) {
  if (n < 16)
    return byte(static_cast<uint8_t>(0x90 | n));
  if (n < 65536)
    return byte(0xdc) + big_endian(n, 2);
  return byte(0xdd) + big_endian(n, 4);
}

/// The header of a map of `n` key/value pairs (the pairs follow).
inline std::string map(uint32_t n) {
  if (n < 16)
    return byte(static_cast<uint8_t>(0x80 | n));
  if (n < 65536)
    return byte(0xde) + big_endian(n, 2);
  return byte(0xdf) + big_endian(n, 4);
}

/// The three header entries every message map starts with (the map header itself not included).
inline std::string message_header(std::string_view type, uint64_t version, uint64_t min_version) {
  return str("message_type") + str(type) + str("version") + uint(version) +
         str("min_compatible_version") + uint(min_version);
}

}  // namespace sb::test::mp
