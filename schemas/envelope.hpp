#pragma once

#include <cstdint>
#include <string>

#include "schemas/address.hpp"
#include "schemas/bytes.hpp"

namespace sb::schemas {

/// The unit every bus carries: one message for one address (or one event on a topic).
/// `payload` holds the encoded message named by `type`; the envelope itself is encoded for the
/// wire. `msg_id` is unique per logical message and stays the same across retries, so receivers can
/// apply a message once. `reply_to` is empty for one-way messages; otherwise the bus routes the
/// reply there.
struct envelope {
  static constexpr const char* type_name = "envelope";
  static constexpr uint16_t version = 1;
  static constexpr uint16_t min_compatible_version = 1;

  std::string msg_id;
  address to;
  std::string type;
  bytes payload;
  std::string reply_to;
  std::string correlation_id;
  int64_t sent_at_ms = 0;
  std::string trace_id;
};

template <class F>
void fields(F& f, envelope& x) {
  f("msg_id", x.msg_id);
  f("to", x.to);
  f("type", x.type);
  f("payload", x.payload);
  f("reply_to", x.reply_to);
  f("correlation_id", x.correlation_id);
  f("sent_at_ms", x.sent_at_ms);
  f("trace_id", x.trace_id);
}

}  // namespace sb::schemas
