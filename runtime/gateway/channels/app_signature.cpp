#include "runtime/gateway/channels/app_signature.hpp"

#include <charconv>

#include "runtime/gateway/channels/digest.hpp"

namespace sb::channels {

std::string app_signature(std::string_view secret, std::string_view timestamp,
                          std::string_view raw_body) {
  std::string signed_text;
  signed_text.reserve(timestamp.size() + 1 + raw_body.size());
  signed_text.append(timestamp).append(".").append(raw_body);
  return hmac_sha256_hex(secret, signed_text);
}

result<int64_t> check_timestamp(std::string_view timestamp, int64_t now_s, int64_t max_skew_s) {
  if (timestamp.empty()) {
    return error{errc::invalid_argument, "the timestamp is missing"};
  }
  // from_chars alone would take a leading '-'; only digits are a timestamp.
  int64_t ts = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (timestamp.front() < '0' || timestamp.front() > '9' || ec != std::errc{} ||
      end != timestamp.data() + timestamp.size()) {
    return error{errc::invalid_argument, "the timestamp is not a decimal number of seconds"};
  }
  // ts is non-negative and now_s a Unix time, so neither difference can overflow.
  if (ts < now_s && now_s - ts > max_skew_s) {
    return error{errc::invalid_argument, "the timestamp is " + std::to_string(now_s - ts) +
                                             " s old, more than the allowed " +
                                             std::to_string(max_skew_s) + " s"};
  }
  if (ts > now_s && ts - now_s > max_skew_s) {
    return error{errc::invalid_argument, "the timestamp is " + std::to_string(ts - now_s) +
                                             " s in the future, more than the allowed " +
                                             std::to_string(max_skew_s) + " s"};
  }
  return ts;
}

result<void> verify_app_request(std::string_view secret, std::string_view timestamp_header,
                                std::string_view signature_header, std::string_view raw_body,
                                int64_t now_s, int64_t max_skew_s) {
  if (secret.empty()) {
    return error{errc::invalid_argument, "no app secret is configured"};
  }
  if (signature_header.empty()) {
    return error{errc::invalid_argument, "the signature is missing"};
  }
  auto ts = check_timestamp(timestamp_header, now_s, max_skew_s);
  if (!ts) {
    return ts.err();
  }
  auto expected = app_signature(secret, timestamp_header, raw_body);
  if (expected.empty() || !constant_time_equal(expected, ascii_lower(signature_header))) {
    return error{errc::invalid_argument, "the signature does not match"};
  }
  return {};
}

std::string replay_key(std::string_view signature) {
  return "replay:app:" + ascii_lower(signature);
}

}  // namespace sb::channels
