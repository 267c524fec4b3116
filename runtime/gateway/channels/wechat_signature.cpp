#include "runtime/gateway/channels/wechat_signature.hpp"

#include <algorithm>
#include <array>

#include "runtime/gateway/channels/digest.hpp"

namespace sb::channels {

namespace {

// Sorting is by bytes (std::string_view's operator<), which is what WeChat's samples do.
template <std::size_t N>
std::string sorted_sha1(std::array<std::string_view, N> parts) {
  std::sort(parts.begin(), parts.end());
  std::string joined;
  for (auto part : parts) {
    joined += part;
  }
  return sha1_hex(joined);
}

bool matches(std::string_view token, const std::string& expected, std::string_view signature) {
  if (token.empty() || signature.empty() || expected.empty()) {
    return false;
  }
  return constant_time_equal(expected, ascii_lower(signature));
}

}  // namespace

std::string url_signature(std::string_view token, std::string_view timestamp,
                          std::string_view nonce) {
  return sorted_sha1<3>({token, timestamp, nonce});
}

bool verify_url_signature(std::string_view token, std::string_view timestamp,
                          std::string_view nonce, std::string_view signature) {
  return matches(token, url_signature(token, timestamp, nonce), signature);
}

std::string msg_signature(std::string_view token, std::string_view timestamp,
                          std::string_view nonce, std::string_view encrypted) {
  return sorted_sha1<4>({token, timestamp, nonce, encrypted});
}

bool verify_msg_signature(std::string_view token, std::string_view timestamp,
                          std::string_view nonce, std::string_view encrypted,
                          std::string_view signature) {
  return matches(token, msg_signature(token, timestamp, nonce, encrypted), signature);
}

}  // namespace sb::channels
