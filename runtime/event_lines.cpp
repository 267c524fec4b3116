#include "runtime/event_lines.hpp"

#include <nlohmann/json.hpp>

#include "runtime/message_types.hpp"

namespace sb {

std::string event_line(const std::string& topic, const schemas::envelope& env) {
  nlohmann::json line{
      {"topic", topic}, {"msg_id", env.msg_id}, {"type", env.type}, {"sent_at_ms", env.sent_at_ms}};
  if (auto j = payload_to_json(env.type, env.payload.data)) {
    line["event"] = nlohmann::json::parse(*j, nullptr, false);
  }
  // Text from people may hold invalid UTF-8: replace it rather than throw.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sb
