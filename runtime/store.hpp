#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/result.hpp"

namespace sb {

class clock;

/// A member of a sorted set with its score (timers use the due time in ms as the score).
struct scored_member {
  std::string member;
  int64_t score = 0;

  bool operator==(const scored_member& o) const { return member == o.member && score == o.score; }
};

/// One counter that a claim checks and bumps: the claim succeeds only if value + delta <= limit.
/// The counter is a plain value holding a decimal integer (absent = 0), the same keys that
/// `store::increment` works on; it keeps its TTL. Claims count exactly only within +-(2^53 - 1):
/// a delta or limit outside is errc::invalid_argument, a value or result outside
/// errc::store_protocol (Redis runs claims in Lua, whose numbers are doubles).
struct claim_counter {
  std::string key;
  int64_t delta = 1;   ///< Added on success; may be negative (a refund).
  int64_t limit = -1;  ///< The highest value allowed after the claim; negative = no limit.
};

/// An all-or-nothing claim, the step that exactly-once coupons and budgets are built on.
/// If `once_key` already has a value, nothing changes and that value is returned (so a retry of
/// the same claim gets the same answer); else, if any counter would pass its limit, nothing
/// changes; else, in one atomic step: `once_key` := `once_value` (with `once_ttl_ms`, 0 = no
/// expiry), every counter += delta, every `puts` entry is set (without TTL) and every
/// `index_adds` member is added to its sorted set. A counter listed twice gets both deltas, each
/// checked against its own limit in order. Writes happen in that order, so a put to `once_key`
/// or to a counter replaces what was written before it. A counter must not be `once_key`, and a
/// sorted-set key of `index_adds` must not also be `once_key`, a counter or a put key
/// (errc::invalid_argument).
struct claim_request {
  std::string once_key;
  std::string once_value;
  int64_t once_ttl_ms = 0;
  std::vector<claim_counter> counters;
  std::vector<std::pair<std::string, std::string>> puts;          ///< (key, value)
  std::vector<std::pair<std::string, scored_member>> index_adds;  ///< (sorted set, member+score)
};

/// How a claim ended.
enum class claim_status {
  claimed,          ///< This call wrote everything.
  already_claimed,  ///< `once_key` had a value; nothing changed.
  limit_reached,    ///< A counter would have passed its limit; nothing changed.
};

/// The answer to a claim.
struct claim_outcome {
  claim_status status = claim_status::claimed;
  /// The value of `once_key`: `once_value` if claimed, the existing one if already_claimed,
  /// empty if limit_reached.
  std::string value;
  /// When limit_reached, the index of the first counter over its limit; else -1.
  int64_t counter = -1;
};

/// The node's durable key-value store: actor state plus the atomic operations that timers,
/// coupons, budgets, leases and partition ownership are built on (compare_and_set, increment,
/// claim, fenced writes, sorted-set remove). Two implementations share one contract (and one
/// test suite): `memory_store` (embedded default, lost on exit) and `redis_store` (hiredis,
/// survives restarts).
///
/// Thread-safety: every method may be called from any thread at any time; each call is atomic on
/// its own. Calls block the calling thread for at most one store round trip (bounded by the
/// configured timeout); actors call the store directly from their handlers.
/// Errors: errc::store_unavailable when the store cannot be reached, errc::store_protocol when it
/// answers something unexpected. TTLs are in milliseconds; `0` means "no expiry", a negative TTL
/// is errc::invalid_argument. Keys and values are arbitrary bytes. Plain values and sorted sets
/// must not share a key: Redis keeps them in one keyspace (using a sorted set's key as a plain
/// value fails with errc::store_protocol there), the memory store keeps them apart.
class store {
 public:
  virtual ~store() = default;

  // -- plain values
  // ----------------------------------------------------------------------------------

  /// Returns the value at `key`, or nullopt if there is none (or it expired).
  virtual result<std::optional<std::string>> get(std::string_view key) = 0;
  /// Sets `key` to `value`, replacing any value and its TTL, with an optional TTL.
  virtual result<void> put(std::string_view key, std::string_view value, int64_t ttl_ms = 0) = 0;
  /// Sets `key` only if it has no value; returns true if this call set it.
  virtual result<bool> put_if_absent(std::string_view key, std::string_view value,
                                     int64_t ttl_ms = 0) = 0;
  /// Replaces the value of `key` by `desired` only if it currently equals `expected`
  /// (nullopt = "absent"; a desired nullopt deletes). Returns true if the swap happened.
  /// The TTL of a key that is swapped is cleared.
  virtual result<bool> compare_and_set(std::string_view key,
                                       const std::optional<std::string>& expected,
                                       const std::optional<std::string>& desired) = 0;
  /// Deletes `key`; returns true if it existed.
  virtual result<bool> erase(std::string_view key) = 0;
  /// Adds `delta` to the integer at `key` (absent = 0) and returns the new value; the key keeps
  /// its TTL. errc::store_protocol if the value is not a decimal integer or the sum overflows.
  virtual result<int64_t> increment(std::string_view key, int64_t delta = 1) = 0;
  /// Returns the remaining TTL of `key` in ms: nullopt if the key is absent, 0 if it never expires.
  virtual result<std::optional<int64_t>> ttl_ms(std::string_view key) = 0;

  // -- claims
  // ----------------------------------------------------------------------------------------

  /// Runs `req` as one atomic step (see claim_request) and returns how it ended. Fails, changing
  /// nothing, with errc::invalid_argument for a negative TTL, an out-of-range delta or limit or
  /// clashing keys, and with errc::store_protocol if a counter holds no decimal
  /// integer (or leaves the exact range).
  virtual result<claim_outcome> claim(const claim_request& req) = 0;

  // -- fenced writes
  // ---------------------------------------------------------------------------------

  /// Raises the fence at `fence_key` to `token`; returns true if the fence now holds `token`.
  /// What it is for: in a cluster a node writes an actor's state only while it holds the lease of
  /// the actor's partition, and that lease's revision is the token. A node that takes a partition
  /// raises the partition's fence to its new token first, so the late writes of the node that
  /// lost it (put_fenced with the older token) are refused. The fence is a plain value holding a
  /// decimal integer (absent = 0). In one atomic step: token > current sets the fence to `token`
  /// (without TTL) and returns true; token == current changes nothing and returns true; token <
  /// current changes nothing and returns false. A token outside [1, 2^53 - 1] is
  /// errc::invalid_argument; a fence holding no decimal integer within +-(2^53 - 1) is
  /// errc::store_protocol (Redis compares in Lua, whose numbers are doubles).
  virtual result<bool> raise_fence(std::string_view fence_key, int64_t token) = 0;
  /// Sets `key` to `value` (without TTL) only if the fence at `fence_key` holds exactly `token`,
  /// in one atomic step; returns true if written, false (writing nothing) if the fence holds
  /// anything else. An absent fence counts as 0, so it refuses every token: the writer must have
  /// raised it. The same token range and errors as raise_fence; `key` equal to `fence_key` is
  /// errc::invalid_argument.
  virtual result<bool> put_fenced(std::string_view key, std::string_view value,
                                  std::string_view fence_key, int64_t token) = 0;

  // -- sorted sets
  // -----------------------------------------------------------------------------------

  /// Adds `member` to the sorted set `set` with `score`, or updates its score. Redis keeps scores
  /// as doubles: they are exact up to 2^53 (ms timestamps are far below).
  virtual result<void> sorted_set_add(std::string_view set, std::string_view member,
                                      int64_t score) = 0;
  /// Removes `member`; returns true if it was there. Atomic: of two concurrent callers removing the
  /// same member, exactly one gets true (timers use this to claim a due entry).
  virtual result<bool> sorted_set_remove(std::string_view set, std::string_view member) = 0;
  /// Returns up to `limit` members with min <= score <= max, lowest score first (ties by member).
  virtual result<std::vector<scored_member>> sorted_set_range_by_score(std::string_view set,
                                                                       int64_t min, int64_t max,
                                                                       size_t limit) = 0;
  /// Returns the number of members of `set`.
  virtual result<int64_t> sorted_set_size(std::string_view set) = 0;

  // -- admin
  // -----------------------------------------------------------------------------------------

  /// Returns ok if the store answers.
  virtual result<void> ping() = 0;
  /// Returns the name of the implementation ("memory", "redis").
  [[nodiscard]] virtual std::string_view kind() const = 0;
};

/// The largest counter value, delta and limit that a claim handles exactly (2^53 - 1).
inline constexpr int64_t claim_exact_max = (int64_t{1} << 53) - 1;

/// Returns errc::invalid_argument if `req` breaks a rule of claim_request that does not depend
/// on stored data (negative TTL, inexact delta or limit, clashing keys). Every store
/// calls it before touching anything, so both reject the same requests.
inline result<void> validate_claim(const claim_request& req) {
  if (req.once_ttl_ms < 0) {
    return error{errc::invalid_argument, "claim: negative once_ttl_ms"};
  }
  for (size_t i = 0; i < req.counters.size(); ++i) {
    const auto& c = req.counters[i];
    if (c.delta < -claim_exact_max || c.delta > claim_exact_max || c.limit > claim_exact_max) {
      return error{errc::invalid_argument,
                   "claim: counter " + std::to_string(i) + " has a delta or limit beyond 2^53-1"};
    }
    if (c.key == req.once_key) {
      return error{errc::invalid_argument,
                   "claim: counter " + std::to_string(i) + " is the once_key"};
    }
  }
  for (const auto& add : req.index_adds) {
    const std::string& set = add.first;
    bool clash = set == req.once_key;
    for (const auto& c : req.counters) {
      clash = clash || set == c.key;
    }
    for (const auto& p : req.puts) {
      clash = clash || set == p.first;
    }
    if (clash) {
      return error{errc::invalid_argument,
                   "claim: sorted set \"" + set + "\" is also a plain key of the claim"};
    }
  }
  return {};
}

/// Returns errc::invalid_argument if `token` cannot be a fence token (outside [1, 2^53 - 1]).
/// Every store calls it first in raise_fence and put_fenced, so both reject the same tokens.
inline result<void> validate_fence_token(int64_t token) {
  if (token < 1 || token > claim_exact_max) {
    return error{errc::invalid_argument,
                 "fence token " + std::to_string(token) + " is outside [1, 2^53-1]"};
  }
  return {};
}

/// Settings of the Redis store (from the `store.redis.*` config keys).
struct redis_settings {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;
  int db = 0;
  int64_t timeout_ms = 2000;
  int pool_size = 4;
  std::string key_prefix = "sb:";
};

/// Returns a new in-memory store; TTLs follow `clk`, which must outlive the store.
std::unique_ptr<store> make_memory_store(const clock& clk);

/// Connects to Redis; fails with errc::store_unavailable if it cannot reach it (or AUTH/SELECT
/// fail).
result<std::unique_ptr<store>> make_redis_store(const redis_settings& settings);

}  // namespace sb
