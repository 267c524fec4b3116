#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <utility>

#include "runtime/internal/redis_pool.hpp"
#include "runtime/store.hpp"

namespace sb {

namespace {

using internal::redis_reply;

// Compare-and-set as one atomic step. ARGV: expected-present flag, expected, desired-present
// flag, desired. SET without KEEPTTL clears the TTL, as the store contract asks.
constexpr std::string_view cas_script = R"lua(
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[3] == '1' then
  redis.call('SET', KEYS[1], ARGV[4])
else
  redis.call('DEL', KEYS[1])
end
return 1
)lua";

error unexpected(std::string_view command, const redis_reply& reply) {
  return error{errc::store_protocol, std::string{command} + " got an unexpected reply (type " +
                                         std::to_string(static_cast<int>(reply.kind)) + ")"};
}

result<int64_t> integer_of(result<redis_reply> reply, std::string_view command) {
  if (!reply) {
    return reply.err();
  }
  if (reply->kind != redis_reply::type::integer) {
    return unexpected(command, *reply);
  }
  return reply->integer;
}

// Scores come back as the text of a double. Timestamps in ms are integers below 2^53, which
// Redis prints without exponent or fraction; anything else is parsed as a double and must still
// be an integer.
std::optional<int64_t> parse_score(const std::string& text) {
  int64_t out = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (ec == std::errc{} && ptr == end) {
    return out;
  }
  char* parsed_end = nullptr;
  double d = std::strtod(text.c_str(), &parsed_end);
  if (parsed_end != end || !std::isfinite(d) || std::trunc(d) != d || d < -9.2233720368547758e18 ||
      d >= 9.2233720368547758e18) {
    return std::nullopt;
  }
  return static_cast<int64_t>(d);
}

class redis_store final : public store {
 public:
  redis_store(std::unique_ptr<internal::redis_pool> pool, std::string prefix, std::string cas_sha)
      : pool_(std::move(pool)), prefix_(std::move(prefix)), cas_sha_(std::move(cas_sha)) {}

  // -- plain values
  // ----------------------------------------------------------------------------------

  result<std::optional<std::string>> get(std::string_view key) override {
    auto reply = pool_->command({"GET", full(key)});
    if (!reply) {
      return reply.err();
    }
    if (reply->kind == redis_reply::type::nil) {
      return std::optional<std::string>{};
    }
    if (reply->kind != redis_reply::type::string) {
      return unexpected("GET", *reply);
    }
    return std::optional<std::string>{std::move(reply->str)};
  }

  result<void> put(std::string_view key, std::string_view value, int64_t ttl_ms) override {
    if (ttl_ms < 0) {
      return error{errc::invalid_argument, "negative ttl_ms"};
    }
    auto reply = set(key, value, ttl_ms, false);
    if (!reply) {
      return reply.err();
    }
    return {};
  }

  result<bool> put_if_absent(std::string_view key, std::string_view value,
                             int64_t ttl_ms) override {
    if (ttl_ms < 0) {
      return error{errc::invalid_argument, "negative ttl_ms"};
    }
    return set(key, value, ttl_ms, true);
  }

  result<bool> compare_and_set(std::string_view key, const std::optional<std::string>& expected,
                               const std::optional<std::string>& desired) override {
    const std::string k = full(key);
    std::string_view expected_value = expected ? std::string_view{*expected} : "";
    std::string_view desired_value = desired ? std::string_view{*desired} : "";
    std::vector<std::string_view> args{
        "EVALSHA",           cas_sha_,     "1", k, expected ? "1" : "0", expected_value,
        desired ? "1" : "0", desired_value};
    auto reply = pool_->command(args);
    // A restarted server has forgotten the script; EVAL sends it again (and caches it).
    if (!reply && internal::is_error_reply(reply.err(), "NOSCRIPT")) {
      args[0] = "EVAL";
      args[1] = cas_script;
      reply = pool_->command(args);
    }
    auto swapped = integer_of(std::move(reply), "compare_and_set");
    if (!swapped) {
      return swapped.err();
    }
    return *swapped == 1;
  }

  result<bool> erase(std::string_view key) override {
    auto removed = integer_of(pool_->command({"DEL", full(key)}), "DEL");
    if (!removed) {
      return removed.err();
    }
    return *removed > 0;
  }

  result<int64_t> increment(std::string_view key, int64_t delta) override {
    return integer_of(pool_->command({"INCRBY", full(key), std::to_string(delta)}), "INCRBY");
  }

  result<std::optional<int64_t>> ttl_ms(std::string_view key) override {
    auto ttl = integer_of(pool_->command({"PTTL", full(key)}), "PTTL");
    if (!ttl) {
      return ttl.err();
    }
    if (*ttl == -2) {
      return std::optional<int64_t>{};
    }
    if (*ttl == -1) {
      return std::optional<int64_t>{0};
    }
    // PTTL says 0 in the last millisecond before expiry; 0 means "never" in our contract.
    return std::optional<int64_t>{*ttl < 1 ? 1 : *ttl};
  }

  // -- sorted sets
  // -----------------------------------------------------------------------------------

  result<void> sorted_set_add(std::string_view set, std::string_view member,
                              int64_t score) override {
    auto added =
        integer_of(pool_->command({"ZADD", full(set), std::to_string(score), member}), "ZADD");
    if (!added) {
      return added.err();
    }
    return {};
  }

  result<bool> sorted_set_remove(std::string_view set, std::string_view member) override {
    auto removed = integer_of(pool_->command({"ZREM", full(set), member}), "ZREM");
    if (!removed) {
      return removed.err();
    }
    return *removed == 1;
  }

  result<std::vector<scored_member>> sorted_set_range_by_score(std::string_view set, int64_t min,
                                                               int64_t max, size_t limit) override {
    std::vector<scored_member> out;
    if (limit == 0) {
      return out;
    }
    // A negative count means "all" to Redis, so keep the count within int64.
    const auto count = static_cast<int64_t>(
        std::min<size_t>(limit, static_cast<size_t>(std::numeric_limits<int64_t>::max())));
    auto reply =
        pool_->command({"ZRANGEBYSCORE", full(set), std::to_string(min), std::to_string(max),
                        "WITHSCORES", "LIMIT", "0", std::to_string(count)});
    if (!reply) {
      return reply.err();
    }
    if (reply->kind != redis_reply::type::array || reply->elements.size() % 2 != 0) {
      return unexpected("ZRANGEBYSCORE", *reply);
    }
    out.reserve(reply->elements.size() / 2);
    for (size_t i = 0; i < reply->elements.size(); i += 2) {
      auto& member = reply->elements[i];
      auto score = parse_score(reply->elements[i + 1].str);
      if (member.kind != redis_reply::type::string || !score) {
        return unexpected("ZRANGEBYSCORE", reply->elements[i + 1]);
      }
      out.push_back(scored_member{std::move(member.str), *score});
    }
    return out;
  }

  result<int64_t> sorted_set_size(std::string_view set) override {
    return integer_of(pool_->command({"ZCARD", full(set)}), "ZCARD");
  }

  // -- admin
  // -----------------------------------------------------------------------------------------

  result<void> ping() override {
    auto reply = pool_->command({"PING"});
    if (!reply) {
      return reply.err();
    }
    return {};
  }

  [[nodiscard]] std::string_view kind() const override { return "redis"; }

 private:
  std::string full(std::string_view key) const {
    std::string out;
    out.reserve(prefix_.size() + key.size());
    out.append(prefix_).append(key);
    return out;
  }

  // SET with an optional PX and NX; returns true if the value was written.
  result<bool> set(std::string_view key, std::string_view value, int64_t ttl_ms,
                   bool only_if_absent) {
    const std::string k = full(key);
    const std::string ttl = std::to_string(ttl_ms);
    std::vector<std::string_view> args{"SET", k, value};
    if (ttl_ms > 0) {
      args.insert(args.end(), {"PX", ttl});
    }
    if (only_if_absent) {
      args.emplace_back("NX");
    }
    auto reply = pool_->command(args);
    if (!reply) {
      return reply.err();
    }
    if (reply->kind == redis_reply::type::nil && only_if_absent) {
      return false;
    }
    if (reply->kind != redis_reply::type::status) {
      return unexpected("SET", *reply);
    }
    return true;
  }

  std::unique_ptr<internal::redis_pool> pool_;
  const std::string prefix_;
  const std::string cas_sha_;
};

}  // namespace

result<std::unique_ptr<store>> make_redis_store(const redis_settings& settings) {
  if (settings.pool_size < 1 || settings.timeout_ms < 1 || settings.port < 1 ||
      settings.port > 65535 || settings.db < 0) {
    return error{errc::invalid_argument,
                 "redis settings need pool_size >= 1, timeout_ms >= 1, a port and db >= 0"};
  }
  auto pool = internal::redis_pool::connect(settings);
  if (!pool) {
    return pool.err();
  }
  auto sha = (*pool)->command({"SCRIPT", "LOAD", cas_script});
  if (!sha) {
    return sha.err();
  }
  if (sha->kind != redis_reply::type::string) {
    return unexpected("SCRIPT LOAD", *sha);
  }
  return std::unique_ptr<store>{
      new redis_store(std::move(*pool), settings.key_prefix, std::move(sha->str))};
}

}  // namespace sb
