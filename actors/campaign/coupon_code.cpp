#include "actors/campaign/coupon_code.hpp"

#include <openssl/rand.h>

#include <array>

namespace sb::campaigns {

namespace {

// Crockford's base32: no I, L, O or U, so that a code read aloud or retyped is not misread.
constexpr std::string_view alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr size_t code_length = 19;  // 16 digits and 3 dashes

bool is_dash_at(size_t i) {
  return i % 5 == 4;
}

}  // namespace

result<std::string> new_coupon_code() {
  std::array<unsigned char, 10> bytes{};  // 80 bits = 16 digits of 5 bits
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return error{errc::internal, "OpenSSL RAND_bytes could not produce random bytes"};
  }
  std::string code;
  code.reserve(code_length);
  unsigned bits = 0;
  int have = 0;
  for (unsigned char b : bytes) {
    bits = (bits << 8) | b;
    have += 8;
    while (have >= 5) {
      have -= 5;
      if (is_dash_at(code.size())) {
        code += '-';
      }
      code += alphabet[(bits >> have) & 0x1F];
    }
    bits &= (1U << have) - 1;
  }
  return code;
}

bool is_coupon_code(std::string_view code) {
  if (code.size() != code_length) {
    return false;
  }
  for (size_t i = 0; i < code.size(); ++i) {
    const bool ok =
        is_dash_at(i) ? code[i] == '-' : alphabet.find(code[i]) != std::string_view::npos;
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace sb::campaigns
