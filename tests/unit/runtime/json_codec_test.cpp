#include "runtime/json_codec.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>

#include "tests/support/sample_messages.hpp"

using namespace sb;
using namespace sb::schemas;

namespace {

template <class T>
void check_round_trip() {
  const T original = test::sample<T>();
  const std::string text = to_json(original);
  const result<T> back = from_json<T>(text);
  INFO(T::type_name);
  INFO(text);
  REQUIRE_MESSAGE(back.ok(), back.err().to_string());
  CHECK(test::describe(*back) == test::describe(original));
}

template <class T>
error refusal(std::string_view text) {
  const result<T> r = from_json<T>(text);
  REQUIRE_FALSE(r.ok());
  return r.err();
}

struct json_fuzz_counts {
  int decoded = 0;
  int refused = 0;
  int other_codes = 0;
  int threw = 0;
};

/// Feeds 2000 mutations of T's sample JSON to from_json<T>.
template <class T>
void fuzz_json(std::mt19937_64& rng, json_fuzz_counts& counts) {
  const std::string specials = "{}[]\",:\\0123456789-.eEtfnul \xff\xc3";
  const std::string seed = to_json(test::sample<T>());
  for (int i = 0; i < 2000; ++i) {
    std::string s = seed;
    const int mutations = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < mutations; ++k) {
      const std::size_t at = rng() % s.size();
      switch (rng() % 3) {
        case 0:
          s[at] = specials[rng() % specials.size()];
          break;
        case 1:
          s.insert(at, 1, specials[rng() % specials.size()]);
          break;
        default:
          s.erase(at, 1 + rng() % 4);
          break;
      }
      if (s.empty())
        s = "{";
    }
    try {
      const result<T> r = from_json<T>(s);
      if (r) {
        ++counts.decoded;
      } else {
        ++counts.refused;
        if (r.err().code != errc::invalid_argument)
          ++counts.other_codes;
      }
    } catch (...) {
      ++counts.threw;
    }
  }
}

}  // namespace

TEST_CASE("every message type survives a JSON round trip with non-default values") {
#define SB_CHECK_JSON_ROUND_TRIP(T) check_round_trip<T>();
  SB_FOR_EACH_MESSAGE_TYPE(SB_CHECK_JSON_ROUND_TRIP)
#undef SB_CHECK_JSON_ROUND_TRIP
}

TEST_CASE("JSON holds the fields only, with nested structs as objects and bytes as base64") {
  timer_record t;
  t.owner = {"campaign", "u-42"};
  t.name = "到期";
  t.payload.data = std::string("\0\xff", 2);
  CHECK(
      to_json(t) ==
      R"({"owner":{"kind":"campaign","key":"u-42"},"name":"到期","due_ms":0,"generation":0,"payload":"AP8="})");
}

TEST_CASE("JSON maps and arrays are objects and arrays") {
  actor_record r;
  r.applied_timer_generations = {{"idle", 3}};
  r.recent_msg_ids = {"m-1"};
  CHECK(
      to_json(r) ==
      R"({"state":"","applied_timer_generations":{"idle":3},"recent_msg_ids":["m-1"],"saved_at_ms":0})");
}

TEST_CASE("text that is not UTF-8 is written with replacement characters instead of failing") {
  chat_message m;
  m.text = "ok\xff";
  const std::string text = to_json(m);
  CHECK(text.find("ok\xef\xbf\xbd") != std::string::npos);
  CHECK(from_json<chat_message>(text).ok());
}

TEST_CASE("missing JSON fields keep their defaults and unknown keys are ignored") {
  const auto r = from_json<conversation_state>(
      R"({"session": 2, "version": 9, "future": {"a": [1, null]}, "transcript": [{"text": "嗨"}]})");
  REQUIRE_MESSAGE(r.ok(), r.err().to_string());
  CHECK(r->session == 2);
  CHECK(r->status == "closed");
  REQUIRE(r->transcript.size() == 1);
  CHECK(r->transcript[0].text == "嗨");
  CHECK(r->transcript[0].seq == 0);
}

TEST_CASE("an empty JSON object gives a message with default values") {
  const auto r = from_json<chat_accepted>("{}");
  REQUIRE(r.ok());
  CHECK(r->seq == 0);
  CHECK_FALSE(r->duplicate);
}

TEST_CASE("a JSON field of the wrong type is an invalid argument naming the field path") {
  CHECK(refusal<envelope>(R"({"to": {"kind": 5}})").message ==
        "to.kind: expected string, got integer");
  CHECK(refusal<envelope>(R"({"to": {"kind": 5}})").code == errc::invalid_argument);
  CHECK(refusal<conversation_state>(R"({"transcript": [{}, {"seq": "3"}]})").message ==
        "transcript[1].seq: expected integer, got string");
  CHECK(refusal<actor_record>(R"({"applied_timer_generations": {"idle": true}})").message ==
        "applied_timer_generations[\"idle\"]: expected integer, got boolean");
  CHECK(refusal<chat_accepted>(R"({"duplicate": 1})").message ==
        "duplicate: expected boolean, got integer");
  CHECK(refusal<chat_accepted>(R"({"seq": 1.5})").message == "seq: expected integer, got float");
  CHECK(refusal<chat_accepted>("[]").message == "expected object, got array");
}

TEST_CASE("a JSON integer out of the field's range is an invalid argument") {
  const error e = refusal<chat_accepted>(R"({"seq": 9223372036854775808})");
  CHECK(e.code == errc::invalid_argument);
  CHECK(
      e.message ==
      "seq: integer 9223372036854775808 out of range [-9223372036854775808, 9223372036854775807]");
  CHECK(from_json<chat_accepted>(R"({"seq": -9223372036854775808})").ok());
}

TEST_CASE("bytes that are not base64 are an invalid argument naming the field") {
  CHECK(refusal<timer_fired>(R"({"payload": "AP9="})").message == "payload: invalid base64");
  CHECK(refusal<timer_fired>(R"({"payload": "A==="})").message == "payload: invalid base64");
  CHECK(refusal<timer_fired>(R"({"payload": "AP8=\n"})").message == "payload: invalid base64");
  CHECK(refusal<timer_fired>(R"({"payload": 7})").message ==
        "payload: expected base64 string, got integer");
  CHECK(from_json<timer_fired>(R"({"payload": "AP8="})")->payload.data == std::string("\0\xff", 2));
  CHECK(from_json<timer_fired>(R"({"payload": "AP8"})")->payload.data == std::string("\0\xff", 2));
}

TEST_CASE("malformed JSON is an invalid argument with the parser's position") {
  const error e = refusal<chat_message>("{\"text\": \"hi\",\n \"person\" 3}");
  CHECK(e.code == errc::invalid_argument);
  CHECK(e.message.find("invalid JSON: parse error at line 2, column 11") == 0);
  CHECK(refusal<chat_message>("").code == errc::invalid_argument);
  CHECK(refusal<chat_message>("{} {}").code == errc::invalid_argument);
  CHECK(refusal<chat_message>(R"({"text": "\ud800"})").code == errc::invalid_argument);
  CHECK(refusal<chat_message>("{\"text\": \"\xff\"}").code == errc::invalid_argument);
  CHECK(refusal<chat_accepted>(R"({"seq": 1e999})").code == errc::invalid_argument);
}

TEST_CASE("deeply nested or oversized JSON is refused before it is parsed") {
  const std::string deep = "{\"x\":" + std::string(100, '[') + std::string(100, ']') + "}";
  CHECK(refusal<chat_message>(deep).message == "JSON nested deeper than 64 levels");
  // Brackets inside strings do not count.
  CHECK(from_json<chat_message>("{\"text\": \"" + std::string(100, '[') + "\\\"\"}").ok());
  const std::string big = "{\"text\": \"" + std::string(8 << 20, 'x') + "\"}";
  CHECK(refusal<chat_message>(big).code == errc::invalid_argument);
}

TEST_CASE("mutated JSON of every message type gives a value or an error, never an exception") {
  std::mt19937_64 rng{0x15f0c0deULL};
  json_fuzz_counts counts;
#define SB_FUZZ_JSON(T) fuzz_json<T>(rng, counts);
  SB_FOR_EACH_MESSAGE_TYPE(SB_FUZZ_JSON)
#undef SB_FUZZ_JSON
  MESSAGE("mutated JSON: " << counts.decoded << " decoded, " << counts.refused << " refused");
  CHECK(counts.threw == 0);
  CHECK(counts.decoded > 0);
  CHECK(counts.refused > 0);
  CHECK(counts.other_codes == 0);
}
