// A deterministic fuzz test of every registered decoder: purely random buffers and mutations of
// valid encodings must each give a value or an error, never an exception or a crash (run it under
// ASan and UBSan to catch the latter). The seed is fixed so that a failure reproduces.

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <string>

#include "runtime/codec.hpp"
#include "tests/support/sample_messages.hpp"

using namespace sb;

namespace {

constexpr int random_inputs = 20000;
constexpr int mutated_inputs = 80000;

// Bytes that mean something to a msgpack parser: type boundaries, the reserved 0xc1, 32-bit
// headers.
constexpr std::array<uint8_t, 30> interesting_bytes = {
    0x00, 0x01, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc6,
    0xca, 0xcb, 0xcc, 0xcf, 0xd0, 0xd3, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xfe, 0xff};

// Headers that declare far more than any input holds: array32, map32, str32, bin32, array16, map16.
const std::array<std::string, 7> inflated_headers = {std::string("\xdd\xff\xff\xff\xff", 5),
                                                     std::string("\xdf\x7f\xff\xff\xff", 5),
                                                     std::string("\xdb\xff\xff\xff\xff", 5),
                                                     std::string("\xc6\x00\x40\x00\x01", 5),
                                                     std::string("\xdc\xff\xff", 3),
                                                     std::string("\xde\x01\x00", 3),
                                                     std::string("\xd9\xff", 2)};

/// Produces random and mutated inputs from a fixed seed.
class input_maker {
 public:
  explicit input_maker(uint64_t seed) : rng_(seed) {}

  /// Returns a buffer of random bytes, mostly short, sometimes up to 1 KiB.
  std::string random_buffer() {
    const std::size_t len = below(4) == 0 ? below(1025) : below(33);
    std::string out(len, '\0');
    for (auto& c : out)
      c = static_cast<char>(random_byte());
    return out;
  }

  /// Returns `s` changed by one to three random mutations.
  std::string mutate(std::string s) {
    const std::size_t count = below(4) == 0 ? 2 + below(2) : 1;
    for (std::size_t i = 0; i < count; ++i)
      mutate_once(s);
    return s;
  }

 private:
  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }

  uint8_t random_byte() {
    return below(2) == 0 ? interesting_bytes[below(interesting_bytes.size())]
                         : static_cast<uint8_t>(below(256));
  }

  void mutate_once(std::string& s) {
    if (s.empty()) {
      s += static_cast<char>(random_byte());
      return;
    }
    const std::size_t at = below(s.size());
    switch (below(8)) {
      case 0:  // bit flip
        s[at] = static_cast<char>(static_cast<uint8_t>(s[at]) ^ (1u << below(8)));
        break;
      case 1:  // interesting byte
        s[at] = static_cast<char>(interesting_bytes[below(interesting_bytes.size())]);
        break;
      case 2:  // random byte
        s[at] = static_cast<char>(below(256));
        break;
      case 3: {  // insertion
        std::string bytes(1 + below(4), '\0');
        for (auto& c : bytes)
          c = static_cast<char>(random_byte());
        s.insert(at, bytes);
        break;
      }
      case 4:  // deletion
        s.erase(at, 1 + below(8));
        break;
      case 5:  // truncation
        s.resize(at);
        break;
      case 6:  // a header that declares a huge length, written over whatever was there
        s.replace(at, inflated_headers[0].size(), inflated_headers[below(inflated_headers.size())]);
        break;
      default:  // a fix-size header (fixmap, fixarray, fixstr) grown by one to fifteen
        for (std::size_t i = at; i < s.size(); ++i) {
          const auto b = static_cast<uint8_t>(s[i]);
          if (b >= 0x80 && b <= 0xbf) {
            const uint8_t mask = b >= 0xa0 ? 0x1f : 0x0f;
            const auto grown =
                static_cast<uint8_t>((b & ~mask) | (((b & mask) + 1 + below(15)) & mask));
            s[i] = static_cast<char>(grown);
            break;
          }
        }
        break;
    }
  }

  std::mt19937_64 rng_;
};

/// Returns `encoded` as a newer writer would send it: version 5 (still readable from 1) and one
/// unknown key, so that mutations of its min_compatible_version reach the compatibility check.
std::string as_newer_writer(std::string encoded) {
  const std::string version_key = "\xa7version";
  const std::size_t at = encoded.find(version_key);
  REQUIRE(at != std::string::npos);
  REQUIRE(static_cast<uint8_t>(encoded[at + version_key.size()]) < 0x05);  // a positive fixint
  encoded[at + version_key.size()] = '\x05';
  // One more key in the top map: a fixmap grows in place, a full one becomes a map16.
  const auto head = static_cast<uint8_t>(encoded[0]);
  if ((head & 0xf0) == 0x80 && (head & 0x0f) < 0x0f) {
    encoded[0] = static_cast<char>(head + 1);
  } else if (head == 0x8f) {
    encoded = std::string("\xde\x00\x10", 3) + encoded.substr(1);
  } else {
    REQUIRE(head == 0xde);
    auto n = static_cast<uint16_t>(
        (static_cast<uint8_t>(encoded[1]) << 8 | static_cast<uint8_t>(encoded[2])) + 1);
    encoded[1] = static_cast<char>(n >> 8);
    encoded[2] = static_cast<char>(n & 0xff);
  }
  return encoded +
         "\xa6"
         "future"
         "\x91\xc0";
}

struct tally {
  int decoded = 0;
  int refused = 0;
  int threw = 0;
  int bad_round_trips = 0;
  std::map<errc, int> codes;
};

template <class T>
void try_decode(const std::string& input, tally& t) {
  try {
    const result<T> r = decode<T>(input);
    if (!r) {
      ++t.refused;
      ++t.codes[r.err().code];
      return;
    }
    ++t.decoded;
    // Whatever decodes must encode and decode again to the same message.
    const result<T> again = decode<T>(encode(*r));
    if (!again || test::describe(*again) != test::describe(*r))
      ++t.bad_round_trips;
  } catch (...) {
    ++t.threw;
  }
}

template <class T>
void fuzz(uint64_t seed) {
  const auto start = std::chrono::steady_clock::now();
  input_maker maker{seed};
  const std::array<std::string, 3> seeds = {encode(test::sample<T>()), encode(T{}),
                                            as_newer_writer(encode(test::sample<T>()))};
  REQUIRE(decode<T>(seeds[2]).ok());
  tally from_random;
  tally from_mutation;
  for (int i = 0; i < random_inputs; ++i)
    try_decode<T>(maker.random_buffer(), from_random);
  for (int i = 0; i < mutated_inputs; ++i) {
    try_decode<T>(maker.mutate(seeds[static_cast<std::size_t>(i) % seeds.size()]), from_mutation);
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);

  std::string codes;
  for (const auto& [code, n] : from_mutation.codes)
    codes += " " + std::string{to_string(code)} + "=" + std::to_string(n);
  MESSAGE(std::string{T::type_name}
          << ": random " << from_random.decoded << " decoded / " << from_random.refused
          << " refused; mutated " << from_mutation.decoded << " decoded / " << from_mutation.refused
          << " refused (" << codes << " ); " << ms.count() << " ms");
  CHECK(from_random.threw == 0);
  CHECK(from_mutation.threw == 0);
  CHECK(from_random.decoded + from_random.refused == random_inputs);
  CHECK(from_mutation.decoded + from_mutation.refused == mutated_inputs);
  // Mutations that still decode prove that the mutator reaches past the header into the fields.
  CHECK(from_mutation.decoded > mutated_inputs / 100);
  CHECK(from_mutation.refused > mutated_inputs / 10);
  CHECK(from_random.bad_round_trips + from_mutation.bad_round_trips == 0);
  // Bad input is always the input's fault: errc::internal would mean a bug in the decoder.
  for (const tally* t : {&from_random, &from_mutation}) {
    for (const auto& entry : t->codes) {
      const errc code = entry.first;
      CAPTURE(to_string(code));
      CHECK((code == errc::decode_malformed || code == errc::decode_truncated ||
             code == errc::decode_incompatible || code == errc::decode_wrong_type));
    }
  }
}

}  // namespace

#define SB_FUZZ_TEST(T)                                                                          \
  TEST_CASE("decode<" #T "> returns a value or an error for 100000 random and mutated inputs") { \
    fuzz<T>(0x5b0a7d5eedULL);                                                                    \
  }
SB_FOR_EACH_MESSAGE_TYPE(SB_FUZZ_TEST)
#undef SB_FUZZ_TEST
