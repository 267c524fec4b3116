// The in-process bus's address rules and shard placement (plain functions; no actor system).
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "runtime/engine/inproc_bus.hpp"

namespace {

using sb::engine::shard_index;
using sb::engine::valid_address;
using sb::schemas::address;

// With count = 2^64-1, shard_index returns the 64-bit hash itself (unless it is exactly 2^64-1).
uint64_t full_hash(const address& a) {
  return shard_index(a, std::numeric_limits<size_t>::max());
}

}  // namespace

TEST_CASE("an address with a lower-case kind and a printable key is valid") {
  CHECK(valid_address({"conversation", "web:v-1001"}));
  CHECK(valid_address({"a", "b"}));
  CHECK(valid_address({"user_2", "u-42"}));
  CHECK(valid_address({"conversation", "wechat:oXYZ#3"}));
  CHECK(valid_address({"conversation", "a key with spaces | bars / slashes ~"}));
  CHECK(valid_address({"conversation", "wechat:顾客"}));
}

TEST_CASE("an empty kind or key is not a valid address") {
  CHECK_FALSE(valid_address({"", "k"}));
  CHECK_FALSE(valid_address({"conversation", ""}));
  CHECK_FALSE(valid_address({"", ""}));
}

TEST_CASE("a kind outside a-z, 0-9 and underscore is not valid") {
  for (const std::string kind : {"Conversation", "conver-sation", "con/versation", "con.versation",
                                 "con versation", "顾客", "kind\n"}) {
    CAPTURE(kind);
    CHECK_FALSE(valid_address({kind, "k"}));
  }
}

TEST_CASE("a kind may be 64 bytes long and a key 256 bytes, no more") {
  CHECK(valid_address({std::string(64, 'k'), "k"}));
  CHECK_FALSE(valid_address({std::string(65, 'k'), "k"}));
  CHECK(valid_address({"k", std::string(256, 'x')}));
  CHECK_FALSE(valid_address({"k", std::string(257, 'x')}));
  // Bytes, not characters: 85 Chinese characters are 255 bytes, 86 are 258.
  std::string chinese;
  for (int i = 0; i < 85; ++i) {
    chinese += "客";
  }
  CHECK(valid_address({"k", chinese}));
  CHECK_FALSE(valid_address({"k", chinese + "客"}));
}

TEST_CASE("a key with a control character is not valid") {
  for (const std::string& key : {std::string{"a\nb"}, std::string{"a\tb"},
                                 std::string{"a\x1f"
                                             "b"},
                                 std::string{"a\x7f"}, std::string{"\r"}, std::string{"a\0b", 3}}) {
    CAPTURE(key);
    CHECK_FALSE(valid_address({"k", key}));
  }
}

TEST_CASE("the shard of an address is the FNV-1a hash of kind/key and never changes") {
  // Reference values: FNV-1a 64 (offset basis 14695981039346656037, prime 1099511628211) of the
  // text "kind/key". A change of hash moves every actor to another shard; it must be deliberate.
  CHECK(full_hash({"conversation", "web:v-1001"}) == 0xd7e9afc6294b477cULL);
  CHECK(full_hash({"conversation", "wechat:oXYZ42"}) == 0xaeb0e83e548af857ULL);
  CHECK(full_hash({"", ""}) == 0xaf63a24c860189feULL);  // the hash of "/"
  CHECK(shard_index({"conversation", "web:v-1001"}, 16) == 12);
  CHECK(shard_index({"conversation", "web:v-1001"}, 4) == 0);
  CHECK(shard_index({"conversation", "wechat:oXYZ42"}, 16) == 7);
  CHECK(shard_index({"conversation", "u-42"}, 4) == 3);
}

TEST_CASE("kind and key are hashed with a separator between them") {
  CHECK(full_hash({"ab", "c"}) == 0xfce3c083eeb4c354ULL);  // "ab/c"
  CHECK(full_hash({"a", "bc"}) == 0x727a85827e17c066ULL);  // "a/bc"
  CHECK(full_hash({"ab", "c"}) != full_hash({"a", "bc"}));
}

TEST_CASE("a shard index is always below the shard count") {
  for (size_t count : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{16}, size_t{1000}}) {
    for (int i = 0; i < 200; ++i) {
      auto idx = shard_index({"conversation", "k-" + std::to_string(i)}, count);
      CHECK(idx < count);
    }
  }
  CHECK(shard_index({"conversation", "anything"}, 1) == 0);
}

TEST_CASE("ten thousand keys spread evenly over sixteen shards") {
  constexpr int keys = 10'000;
  constexpr size_t shards = 16;
  for (const std::string prefix : {"u-", "web:v-", "wechat:o"}) {
    CAPTURE(prefix);
    std::vector<int> per_shard(shards, 0);
    for (int i = 0; i < keys; ++i) {
      ++per_shard[shard_index({"conversation", prefix + std::to_string(i)}, shards)];
    }
    // 625 expected per shard; a binomial standard deviation of about 24, so +-100 is over 4 sigma.
    for (size_t s = 0; s < shards; ++s) {
      CAPTURE(s);
      CHECK(per_shard[s] > 525);
      CHECK(per_shard[s] < 725);
    }
  }
}
