#include "runtime/codec.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "runtime/metrics.hpp"
#include "tests/support/msgpack_bytes.hpp"
#include "tests/support/sample_messages.hpp"

using namespace sb;
using namespace sb::schemas;
namespace mp = sb::test::mp;

namespace {

template <class T>
void check_round_trip() {
  const T original = test::sample<T>();
  const std::string bytes = encode(original);
  const result<T> decoded = decode<T>(bytes);
  INFO(T::type_name);
  REQUIRE_MESSAGE(decoded.ok(), decoded.err().to_string());
  CHECK(test::describe(*decoded) == test::describe(original));
  CHECK(encode(*decoded) == bytes);
}

template <class T>
void check_every_truncation_is_refused() {
  const std::string bytes = encode(test::sample<T>());
  INFO(T::type_name);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CAPTURE(n);
    const result<T> r = decode<T>(std::string_view{bytes}.substr(0, n));
    REQUIRE_FALSE(r.ok());
    // msgpack is prefix-free: a proper prefix of one object never parses as a complete object.
    CHECK(r.err().code == errc::decode_truncated);
  }
}

/// A chat_message map with the header entries given and `extra` appended (`extra_count` entries).
std::string chat_message_bytes(uint64_t version, uint64_t min_version,
                               const std::string& extra = {}, uint32_t extra_count = 0) {
  return mp::map(3 + 2 + extra_count) + mp::message_header("chat.message", version, min_version) +
         mp::str("text") + mp::str("在吗？") + mp::str("sent_at_ms") + mp::sint(-5) + extra;
}

double decode_errors(const char* type, const char* reason) {
  return metrics::registry::global()
      .get_counter("sb_decode_errors_total",
                   "Messages that could not be decoded, by type and reason",
                   {{"type", type}, {"reason", reason}})
      .value();
}

}  // namespace

TEST_CASE("every message type survives a round trip with non-default values") {
#define SB_CHECK_ROUND_TRIP(T) check_round_trip<T>();
  SB_FOR_EACH_MESSAGE_TYPE(SB_CHECK_ROUND_TRIP)
#undef SB_CHECK_ROUND_TRIP
}

TEST_CASE("an encoded message is a map with the type and version keys first") {
  const std::string bytes = encode(chat_accepted{});
  // Our encoder writes versions in their shortest form, the test writer in the widest.
  CHECK(bytes.substr(0, 1) == mp::map(3 + 6));
  CHECK(bytes.substr(1, 27) == mp::str("message_type") + mp::str("chat.accepted"));
  CHECK(bytes.substr(28, 9) == mp::str("version") + "\x02");
}

TEST_CASE("a message from a newer writer with unknown keys decodes") {
  const std::string extra = mp::str("mood") + mp::map(1) + mp::str("x") + mp::array(2) + mp::nil() +
                            mp::boolean(true) + mp::str("score") + mp::float64(0.5) +
                            mp::str("attachments") + mp::array(1) + mp::bin(std::string(3, '\0'));
  const auto r = decode<chat_message>(chat_message_bytes(7, 1, extra, 3));
  REQUIRE_MESSAGE(r.ok(), r.err().to_string());
  CHECK(r->text == "在吗？");
  CHECK(r->sent_at_ms == -5);
  CHECK(r->channel.empty());  // missing fields keep their defaults
}

TEST_CASE("keys may come in any order") {
  const std::string bytes = mp::map(4) + mp::str("seq") + mp::uint(9) +
                            mp::str("min_compatible_version") + mp::uint(1) + mp::str("version") +
                            mp::uint(1) + mp::str("message_type") + mp::str("chat.accepted");
  const auto r = decode<chat_accepted>(bytes);
  REQUIRE_MESSAGE(r.ok(), r.err().to_string());
  CHECK(r->seq == 9);
}

TEST_CASE("a message with only the header keys decodes to the defaults") {
  const auto r =
      decode<conversation_state>(mp::map(3) + mp::message_header("conversation.state", 1, 1));
  REQUIRE(r.ok());
  CHECK(r->status == "closed");
  CHECK(r->next_seq == 1);
  CHECK(r->transcript.empty());
}

TEST_CASE("a message needing a newer reader is refused as incompatible, naming both versions") {
  const auto r = decode<chat_message>(chat_message_bytes(3, 2));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_incompatible);
  CHECK(r.err().message.find("version 3") != std::string::npos);
  CHECK(r.err().message.find("reader of version 2") != std::string::npos);
  CHECK(r.err().message.find("this reader is version 1") != std::string::npos);
}

TEST_CASE("a message of another type is refused as the wrong type") {
  const auto r = decode<chat_accepted>(encode(test::sample<chat_message>()));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_wrong_type);
  CHECK(r.err().message == "expected chat.accepted, got chat.message");
}

TEST_CASE("missing or bad header keys are malformed") {
  const std::string body = mp::str("text") + mp::str("hi");
  SUBCASE("no version") {
    const auto r =
        decode<chat_message>(mp::map(3) + mp::str("message_type") + mp::str("chat.message") +
                             mp::str("min_compatible_version") + mp::uint(1) + body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::decode_malformed);
    CHECK(r.err().message == "missing version");
  }
  SUBCASE("no message_type") {
    const auto r = decode<chat_message>(mp::map(2) + mp::str("version") + mp::uint(1) +
                                        mp::str("min_compatible_version") + mp::uint(1));
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::decode_malformed);
  }
  SUBCASE("a version beyond 16 bits") {
    const auto r = decode<chat_message>(chat_message_bytes(70000, 1));
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::decode_malformed);
    CHECK(r.err().message == "version: integer 70000 out of range [0, 65535]");
  }
  SUBCASE("a min_compatible_version above the version") {
    const auto r = decode<chat_message>(chat_message_bytes(1, 2));
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::decode_malformed);
  }
  SUBCASE("a duplicated key") {
    const auto r = decode<chat_message>(chat_message_bytes(1, 1, body, 1));
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::decode_malformed);
    CHECK(r.err().message == "duplicate key \"text\"");
  }
}

TEST_CASE("input that is not a map is malformed") {
  const auto r = decode<chat_message>(mp::array(0));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_malformed);
  CHECK(r.err().message == "expected a map, got array");
}

TEST_CASE("input truncated at any length is refused as truncated") {
#define SB_CHECK_TRUNCATIONS(T) check_every_truncation_is_refused<T>();
  SB_FOR_EACH_MESSAGE_TYPE(SB_CHECK_TRUNCATIONS)
#undef SB_CHECK_TRUNCATIONS
}

TEST_CASE("trailing bytes after the message are malformed") {
  const auto r = decode<chat_accepted>(encode(chat_accepted{}) + "\xc0\x01");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_malformed);
  CHECK(r.err().message == "2 trailing bytes after the message");
}

TEST_CASE("a field of the wrong type is malformed and the error names the field") {
  SUBCASE("in a nested struct") {
    const auto r = decode<envelope>(mp::map(4) + mp::message_header("envelope", 1, 1) +
                                    mp::str("to") + mp::map(1) + mp::str("kind") + mp::uint(5));
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::decode_malformed);
    CHECK(r.err().message == "to.kind: expected string, got integer");
  }
  SUBCASE("in an array element") {
    const auto r = decode<conversation_state>(
        mp::map(4) + mp::message_header("conversation.state", 1, 1) + mp::str("transcript") +
        mp::array(2) + mp::map(0) + mp::map(1) + mp::str("text") + mp::bin("x"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().message == "transcript[1].text: expected string, got binary");
  }
  SUBCASE("bytes written as a string") {
    const auto r = decode<timer_fired>(mp::map(4) + mp::message_header("timer.fired", 1, 1) +
                                       mp::str("payload") + mp::str("text"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().message == "payload: expected binary, got string");
  }
  SUBCASE("a boolean written as an integer") {
    const auto r = decode<chat_accepted>(mp::map(4) + mp::message_header("chat.accepted", 1, 1) +
                                         mp::str("duplicate") + mp::uint(1));
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().message == "duplicate: expected boolean, got integer");
  }
}

TEST_CASE("an integer out of the field's range is malformed, not wrapped") {
  const auto r = decode<chat_accepted>(mp::map(4) + mp::message_header("chat.accepted", 1, 1) +
                                       mp::str("seq") + mp::uint(uint64_t{1} << 63));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_malformed);
  CHECK(
      r.err().message ==
      "seq: integer 9223372036854775808 out of range [-9223372036854775808, 9223372036854775807]");
}

TEST_CASE("a length header larger than the input is refused without allocating it") {
  // array32 of 2^31 items and map32 of 2^32-1 entries pass the limits only by allocating 32 GiB or
  // more up front; each is five bytes long.
  for (const std::string& bytes : {mp::byte(0xdd) + mp::big_endian(uint64_t{1} << 31, 4),
                                   mp::byte(0xdf) + mp::big_endian(0xffffffff, 4)}) {
    const auto r = decode<envelope>(bytes);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::decode_malformed);
  }
  // A str32 of 4 GiB is waited for, not allocated: the input just ends early.
  const auto r = decode<envelope>(mp::map(1) + mp::byte(0xdb) + mp::big_endian(0xffffffff, 4));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_truncated);
}

TEST_CASE("a complete string longer than 4 MiB is refused") {
  const auto r = decode<chat_message>(mp::map(4) + mp::message_header("chat.message", 1, 1) +
                                      mp::str("text") + mp::str(std::string((4 << 20) + 1, 'x')));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_malformed);
}

TEST_CASE("input over 8 MiB is refused before parsing") {
  const auto r = decode<chat_message>(std::string((8 << 20) + 1, '\0'));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_malformed);
}

TEST_CASE("deeply nested input is refused") {
  std::string bytes = mp::map(4) + mp::message_header("envelope", 1, 1) + mp::str("x");
  for (int i = 0; i < 40; ++i)
    bytes += mp::array(1);
  bytes += mp::nil();
  const auto r = decode<envelope>(bytes);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::decode_malformed);
}

TEST_CASE("empty input and reserved bytes are refused") {
  CHECK(decode<envelope>("").err().code == errc::decode_truncated);
  CHECK(decode<envelope>("\xc1").err().code == errc::decode_malformed);
}

TEST_CASE("a decode failure counts sb_decode_errors_total by type and reason") {
  const double truncated_before = decode_errors("timer.fired", "decode_truncated");
  const double wrong_type_before = decode_errors("timer.fired", "decode_wrong_type");
  const std::string bytes = encode(test::sample<timer_fired>());
  CHECK_FALSE(decode<timer_fired>(bytes.substr(0, 5)).ok());
  CHECK_FALSE(decode<timer_fired>(bytes.substr(0, 6)).ok());
  CHECK_FALSE(decode<timer_fired>(encode(timer_record{})).ok());
  CHECK(decode<timer_fired>(bytes).ok());
  CHECK(decode_errors("timer.fired", "decode_truncated") == truncated_before + 2);
  CHECK(decode_errors("timer.fired", "decode_wrong_type") == wrong_type_before + 1);
}
