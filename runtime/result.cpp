#include "runtime/result.hpp"

namespace sb {

std::string_view to_string(errc code) noexcept {
  switch (code) {
    case errc::ok:
      return "ok";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::not_found:
      return "not_found";
    case errc::timeout:
      return "timeout";
    case errc::shutting_down:
      return "shutting_down";
    case errc::internal:
      return "internal";
    case errc::config_syntax:
      return "config_syntax";
    case errc::config_unknown_key:
      return "config_unknown_key";
    case errc::config_bad_value:
      return "config_bad_value";
    case errc::config_io:
      return "config_io";
    case errc::decode_malformed:
      return "decode_malformed";
    case errc::decode_truncated:
      return "decode_truncated";
    case errc::decode_incompatible:
      return "decode_incompatible";
    case errc::decode_wrong_type:
      return "decode_wrong_type";
    case errc::store_unavailable:
      return "store_unavailable";
    case errc::store_protocol:
      return "store_protocol";
    case errc::unknown_kind:
      return "unknown_kind";
    case errc::actor_failed:
      return "actor_failed";
    case errc::unexpected_type:
      return "unexpected_type";
    case errc::bus_unavailable:
      return "bus_unavailable";
    case errc::fenced:
      return "fenced";
  }
  return "unknown";
}

std::string error::to_string() const {
  std::string out{sb::to_string(code)};
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

}  // namespace sb
