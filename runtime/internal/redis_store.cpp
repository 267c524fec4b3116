#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <limits>
#include <optional>
#include <utility>

#include "runtime/internal/redis_pool.hpp"
#include "runtime/metrics.hpp"
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

// A claim as one atomic step; store.hpp's claim_request says what it does. KEYS: once_key, the
// counters, the put keys, the sorted sets. ARGV: once_value, once_ttl_ms, the three counts, then
// (delta, limit) per counter, the put values, (member, score) per sorted-set add. Everything that
// can fail is read and checked before the first write, since Redis does not roll a script back.
// Lua numbers are doubles: values within 2^53-1 stay exact, and '%.0f' prints them as integers.
// SET KEEPTTL (Redis >= 6) writes a counter the way INCRBY would, keeping its TTL.
constexpr std::string_view claim_script = R"lua(
local existing = redis.call('GET', KEYS[1])
if existing then return {1, existing, -1} end
local nc, np, ni = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local exact = 9007199254740991
local pending = {}
for i = 1, nc do
  local key = KEYS[1 + i]
  local value = pending[key]
  if value == nil then
    local text = redis.call('GET', key) or '0'
    value = string.match(text, '^%-?%d+$') and tonumber(text)
    if not value or value < -exact or value > exact then
      return redis.error_reply('ERR claim: counter ' .. (i - 1) .. ' is not an integer within 2^53-1')
    end
  end
  local delta, limit = tonumber(ARGV[4 + 2 * i]), tonumber(ARGV[5 + 2 * i])
  local next_value = value + delta
  if next_value < -exact or next_value > exact then
    return redis.error_reply('ERR claim: counter ' .. (i - 1) .. ' would leave 2^53-1')
  end
  if limit >= 0 and next_value > limit then return {2, '', i - 1} end
  pending[key] = next_value
end
local sets = 1 + nc + np
for i = 1, ni do
  local kind = redis.call('TYPE', KEYS[sets + i]).ok
  if kind ~= 'none' and kind ~= 'zset' then
    return redis.error_reply('WRONGTYPE claim: sorted set ' .. (i - 1) .. ' holds a ' .. kind)
  end
end
if ARGV[2] ~= '0' then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
for i = 1, nc do
  local key = KEYS[1 + i]
  redis.call('SET', key, string.format('%.0f', pending[key]), 'KEEPTTL')
end
local argv = 5 + 2 * nc
for i = 1, np do
  redis.call('SET', KEYS[1 + nc + i], ARGV[argv + i])
end
argv = argv + np
for i = 1, ni do
  redis.call('ZADD', KEYS[sets + i], ARGV[argv + 2 * i], ARGV[argv + 2 * i - 1])
end
return {0, '', -1}
)lua";

// raise_fence and put_fenced as one atomic step each; store.hpp says what they do. KEYS: the
// fence, then (put only) the key. ARGV: the token (checked by the caller), "raise" or "put", then
// (put only) the value. The fence is written as the caller's text, never as a Lua number, so it
// reads back exactly; values within 2^53-1 compare exactly as doubles.
constexpr std::string_view fence_script = R"lua(
local text = redis.call('GET', KEYS[1]) or '0'
local current = string.match(text, '^%-?%d+$') and tonumber(text)
if not current or current < -9007199254740991 or current > 9007199254740991 then
  return redis.error_reply('ERR fence is not an integer within 2^53-1')
end
local token = tonumber(ARGV[1])
if ARGV[2] == 'raise' then
  if token > current then redis.call('SET', KEYS[1], ARGV[1]) end
  if token >= current then return 1 end
  return 0
end
if token ~= current then return 0 end
redis.call('SET', KEYS[2], ARGV[3])
return 1
)lua";

// A Lua script and the SHA1 under which SCRIPT LOAD cached it.
struct lua_script {
  std::string_view source;
  std::string sha;
};

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
  redis_store(std::unique_ptr<internal::redis_pool> pool, std::string prefix, lua_script cas,
              lua_script claim, lua_script fence)
      : pool_(std::move(pool)),
        prefix_(std::move(prefix)),
        cas_(std::move(cas)),
        claim_(std::move(claim)),
        fence_(std::move(fence)) {}

  // -- plain values
  // ----------------------------------------------------------------------------------

  result<std::optional<std::string>> get(std::string_view key) override {
    auto reply = command({"GET", full(key)});
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
    auto reply = run(
        cas_, {"1", k, expected ? "1" : "0", expected_value, desired ? "1" : "0", desired_value});
    auto swapped = integer_of(std::move(reply), "compare_and_set");
    if (!swapped) {
      return swapped.err();
    }
    return *swapped == 1;
  }

  result<bool> erase(std::string_view key) override {
    auto removed = integer_of(command({"DEL", full(key)}), "DEL");
    if (!removed) {
      return removed.err();
    }
    return *removed > 0;
  }

  result<int64_t> increment(std::string_view key, int64_t delta) override {
    return integer_of(command({"INCRBY", full(key), std::to_string(delta)}), "INCRBY");
  }

  result<std::optional<int64_t>> ttl_ms(std::string_view key) override {
    auto ttl = integer_of(command({"PTTL", full(key)}), "PTTL");
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

  // -- claims
  // ----------------------------------------------------------------------------------------

  result<claim_outcome> claim(const claim_request& req) override {
    if (auto valid = validate_claim(req); !valid) {
      return valid.err();
    }
    // The arguments view into `owned`, whose elements never move (a deque only appends).
    std::deque<std::string> owned;
    std::vector<std::string_view> args;
    auto add = [&](std::string text) { args.emplace_back(owned.emplace_back(std::move(text))); };
    // numkeys and KEYS, then ARGV, in the order claim_script reads them.
    add(std::to_string(1 + req.counters.size() + req.puts.size() + req.index_adds.size()));
    add(full(req.once_key));
    for (const auto& c : req.counters) {
      add(full(c.key));
    }
    for (const auto& put : req.puts) {
      add(full(put.first));
    }
    for (const auto& index : req.index_adds) {
      add(full(index.first));
    }
    args.emplace_back(req.once_value);
    add(std::to_string(req.once_ttl_ms));
    add(std::to_string(req.counters.size()));
    add(std::to_string(req.puts.size()));
    add(std::to_string(req.index_adds.size()));
    for (const auto& c : req.counters) {
      add(std::to_string(c.delta));
      add(std::to_string(c.limit));
    }
    for (const auto& put : req.puts) {
      args.emplace_back(put.second);
    }
    for (const auto& index : req.index_adds) {
      args.emplace_back(index.second.member);
      add(std::to_string(index.second.score));
    }
    auto reply = run(claim_, args);
    if (!reply) {
      return reply.err();
    }
    const auto& e = reply->elements;
    if (reply->kind != redis_reply::type::array || e.size() != 3 ||
        e[0].kind != redis_reply::type::integer || e[1].kind != redis_reply::type::string ||
        e[2].kind != redis_reply::type::integer || e[0].integer < 0 || e[0].integer > 2) {
      return unexpected("claim", *reply);
    }
    switch (e[0].integer) {
      case 0:
        return claim_outcome{claim_status::claimed, req.once_value, -1};
      case 1:
        return claim_outcome{claim_status::already_claimed, std::move(reply->elements[1].str), -1};
      default:
        return claim_outcome{claim_status::limit_reached, std::string{}, e[2].integer};
    }
  }

  // -- fenced writes
  // ---------------------------------------------------------------------------------

  result<bool> raise_fence(std::string_view fence_key, int64_t token) override {
    if (auto valid = validate_fence_token(token); !valid) {
      return valid.err();
    }
    const std::string fence = full(fence_key);
    const std::string token_text = std::to_string(token);
    return fenced(run(fence_, {"1", fence, token_text, "raise"}), "raise_fence");
  }

  result<bool> put_fenced(std::string_view key, std::string_view value, std::string_view fence_key,
                          int64_t token) override {
    if (auto valid = validate_fence_token(token); !valid) {
      return valid.err();
    }
    if (key == fence_key) {
      return error{errc::invalid_argument, "put_fenced: the key is its own fence"};
    }
    const std::string fence = full(fence_key);
    const std::string k = full(key);
    const std::string token_text = std::to_string(token);
    return fenced(run(fence_, {"2", fence, k, token_text, "put", value}), "put_fenced");
  }

  // -- sorted sets
  // -----------------------------------------------------------------------------------

  result<void> sorted_set_add(std::string_view set, std::string_view member,
                              int64_t score) override {
    auto added = integer_of(command({"ZADD", full(set), std::to_string(score), member}), "ZADD");
    if (!added) {
      return added.err();
    }
    return {};
  }

  result<bool> sorted_set_remove(std::string_view set, std::string_view member) override {
    auto removed = integer_of(command({"ZREM", full(set), member}), "ZREM");
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
    auto reply = command({"ZRANGEBYSCORE", full(set), std::to_string(min), std::to_string(max),
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
    return integer_of(command({"ZCARD", full(set)}), "ZCARD");
  }

  // -- admin
  // -----------------------------------------------------------------------------------------

  result<void> ping() override {
    auto reply = command({"PING"});
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
    auto reply = command(args);
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

  // Returns the fence script's answer (1 or 0) as a bool.
  static result<bool> fenced(result<redis_reply> reply, std::string_view command) {
    auto answer = integer_of(std::move(reply), command);
    if (!answer) {
      return answer.err();
    }
    return *answer == 1;
  }

  // Runs `script` by its SHA with `args` (numkeys, KEYS, ARGV). A restarted server has forgotten
  // the script; EVAL then sends it again (and caches it).
  result<redis_reply> run(const lua_script& script, std::vector<std::string_view> args) {
    args.insert(args.begin(), {"EVALSHA", script.sha});
    auto reply = command(args);
    if (!reply && internal::is_error_reply(reply.err(), "NOSCRIPT")) {
      args[0] = "EVAL";
      args[1] = script.source;
      reply = command(args);
    }
    return reply;
  }

  // Every call to Redis goes through here, so that its latency and failures are measured in one
  // place. The label is the command name: a small fixed set, never a key.
  result<redis_reply> command(const std::vector<std::string_view>& args) {
    const auto started = std::chrono::steady_clock::now();
    auto reply = pool_->command(args);
    const std::string name{args.empty() ? std::string_view{"none"} : args.front()};
    auto& reg = metrics::registry::global();
    reg.get_histogram("sb_redis_command_duration_seconds",
                      "Time of one Redis command, pool wait included, by command",
                      metrics::default_latency_buckets(), {{"command", name}})
        .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (!reply) {
      reg.get_counter("sb_redis_errors_total",
                      "Redis commands that failed (connection, timeout or error reply), by command",
                      {{"command", name}})
          .inc();
    }
    return reply;
  }

  std::unique_ptr<internal::redis_pool> pool_;
  const std::string prefix_;
  const lua_script cas_;
  const lua_script claim_;
  const lua_script fence_;
};

// Returns `source` cached on the server under its SHA.
result<lua_script> load(internal::redis_pool& pool, std::string_view source) {
  auto sha = pool.command({"SCRIPT", "LOAD", source});
  if (!sha) {
    return sha.err();
  }
  if (sha->kind != redis_reply::type::string) {
    return unexpected("SCRIPT LOAD", *sha);
  }
  return lua_script{source, std::move(sha->str)};
}

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
  auto cas = load(**pool, cas_script);
  if (!cas) {
    return cas.err();
  }
  auto claim = load(**pool, claim_script);
  if (!claim) {
    return claim.err();
  }
  auto fence = load(**pool, fence_script);
  if (!fence) {
    return fence.err();
  }
  return std::unique_ptr<store>{new redis_store(std::move(*pool), settings.key_prefix,
                                                std::move(*cas), std::move(*claim),
                                                std::move(*fence))};
}

}  // namespace sb
