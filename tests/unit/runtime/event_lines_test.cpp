// The line an event becomes in GET /v1/events/stream and `sbctl events --nats`
// (runtime/event_lines.cpp).
#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "runtime/bus.hpp"
#include "runtime/event_lines.hpp"
#include "schemas/conversation.hpp"

TEST_CASE("an event line holds topic, id, type, time and the payload as JSON, on one line") {
  sb::schemas::conversation_event e;
  e.conversation_id = "web:v-1#1";
  e.channel = "web";
  e.person = "v-1";
  auto env = sb::make_envelope(sb::schemas::address{}, e, 1'700'000'000'000);
  const auto line = sb::event_line("conversation.started", env);
  CHECK(line.find('\n') == std::string::npos);
  auto j = nlohmann::json::parse(line);
  CHECK(j["topic"] == "conversation.started");
  CHECK(j["msg_id"] == env.msg_id);
  CHECK(j["type"] == "conversation.event");
  CHECK(j["sent_at_ms"] == 1'700'000'000'000);
  CHECK(j["event"]["conversation_id"] == "web:v-1#1");
}

TEST_CASE("an event whose payload cannot be read still gets a line, without \"event\"") {
  sb::schemas::envelope env;
  env.msg_id = "m-1";
  env.type = "conversation.event";
  env.payload.data = "\xc1 not msgpack";
  auto j = nlohmann::json::parse(sb::event_line("conversation.started", env));
  CHECK(j["msg_id"] == "m-1");
  CHECK_FALSE(j.contains("event"));
}
