#include "runtime/message_types.hpp"

#include <algorithm>

#include "runtime/codec.hpp"
#include "runtime/json_codec.hpp"
#include "runtime/metrics.hpp"

namespace sb {

namespace {

template <class T>
result<std::string> json_to_bytes(std::string_view json) {
  auto msg = from_json<T>(json);
  if (!msg) {
    // JSON arrives from outside (the gateway): a message that does not fit its type counts like
    // a wire message that cannot be decoded.
    try {
      metrics::registry::global()
          .get_counter("sb_decode_errors_total",
                       "Messages that could not be decoded, by type and reason",
                       {{"type", T::type_name}, {"reason", std::string{to_string(msg.err().code)}}})
          .inc();
    } catch (...) {  // NOLINT(bugprone-empty-catch): a metric must not turn an error into a crash
    }
    return msg.err();
  }
  return encode(*msg);
}

template <class T>
result<std::string> bytes_to_json(std::string_view bytes) {
  auto msg = decode<T>(bytes);
  if (!msg) {
    return msg.err();
  }
  return to_json(*msg);
}

}  // namespace

#define SB_TRY_JSON_TO_BYTES(T)    \
  if (type == T::type_name) {      \
    return json_to_bytes<T>(json); \
  }

result<std::string> payload_from_json(std::string_view type, std::string_view json) {
  SB_FOR_EACH_MESSAGE_TYPE(SB_TRY_JSON_TO_BYTES)
  return error{errc::not_found, "unknown message type '" + std::string{type} + "'"};
}

#define SB_TRY_BYTES_TO_JSON(T)     \
  if (type == T::type_name) {       \
    return bytes_to_json<T>(bytes); \
  }

result<std::string> payload_to_json(std::string_view type, std::string_view bytes) {
  SB_FOR_EACH_MESSAGE_TYPE(SB_TRY_BYTES_TO_JSON)
  return error{errc::not_found, "unknown message type '" + std::string{type} + "'"};
}

#define SB_ADD_NAME(T) out.emplace_back(T::type_name);

std::vector<std::string> message_type_names() {
  std::vector<std::string> out;
  SB_FOR_EACH_MESSAGE_TYPE(SB_ADD_NAME)
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sb
