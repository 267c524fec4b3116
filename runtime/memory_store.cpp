#include <charconv>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "runtime/clock.hpp"
#include "runtime/store.hpp"

namespace sb {

namespace {

// Parses an integer the way Redis INCRBY does: the whole string, base 10, nothing else.
std::optional<int64_t> parse_int64(std::string_view text) {
  int64_t out = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (text.empty() || ec != std::errc{} || ptr != end) {
    return std::nullopt;
  }
  return out;
}

class memory_store final : public store {
 public:
  explicit memory_store(const clock& clk) : clock_(clk) {}

  // -- plain values
  // ----------------------------------------------------------------------------------

  result<std::optional<std::string>> get(std::string_view key) override {
    std::lock_guard<std::mutex> guard{mutex_};
    purge_expired();
    if (auto* e = find(key)) {
      return std::optional<std::string>{e->value};
    }
    return std::optional<std::string>{};
  }

  result<void> put(std::string_view key, std::string_view value, int64_t ttl_ms) override {
    if (ttl_ms < 0) {
      return error{errc::invalid_argument, "negative ttl_ms"};
    }
    std::lock_guard<std::mutex> guard{mutex_};
    purge_expired();
    assign(key, std::string{value}, expiry_for(ttl_ms));
    return {};
  }

  result<bool> put_if_absent(std::string_view key, std::string_view value,
                             int64_t ttl_ms) override {
    if (ttl_ms < 0) {
      return error{errc::invalid_argument, "negative ttl_ms"};
    }
    std::lock_guard<std::mutex> guard{mutex_};
    purge_expired();
    if (find(key) != nullptr) {
      return false;
    }
    assign(key, std::string{value}, expiry_for(ttl_ms));
    return true;
  }

  result<bool> compare_and_set(std::string_view key, const std::optional<std::string>& expected,
                               const std::optional<std::string>& desired) override {
    std::lock_guard<std::mutex> guard{mutex_};
    purge_expired();
    auto* current = find(key);
    bool matches = current == nullptr ? !expected.has_value()
                                      : expected.has_value() && current->value == *expected;
    if (!matches) {
      return false;
    }
    if (desired) {
      assign(key, *desired, 0);
    } else {
      remove(key);
    }
    return true;
  }

  result<bool> erase(std::string_view key) override {
    std::lock_guard<std::mutex> guard{mutex_};
    purge_expired();
    return remove(key);
  }

  result<int64_t> increment(std::string_view key, int64_t delta) override {
    std::lock_guard<std::mutex> guard{mutex_};
    purge_expired();
    auto* current = find(key);
    int64_t old_value = 0;
    int64_t expires_at = 0;
    if (current != nullptr) {
      auto parsed = parse_int64(current->value);
      if (!parsed) {
        return error{errc::store_protocol, "value is not an integer"};
      }
      old_value = *parsed;
      // Like Redis INCRBY, an existing TTL survives the increment.
      expires_at = current->expires_at_ms;
    }
    int64_t new_value = 0;
    if (__builtin_add_overflow(old_value, delta, &new_value)) {
      return error{errc::store_protocol, "increment would overflow"};
    }
    assign(key, std::to_string(new_value), expires_at);
    return new_value;
  }

  result<std::optional<int64_t>> ttl_ms(std::string_view key) override {
    std::lock_guard<std::mutex> guard{mutex_};
    int64_t now = purge_expired();
    auto* e = find(key);
    if (e == nullptr) {
      return std::optional<int64_t>{};
    }
    if (e->expires_at_ms == 0) {
      return std::optional<int64_t>{0};
    }
    // At least 1 after the purge above, so it never reads as "no expiry".
    return std::optional<int64_t>{e->expires_at_ms - now};
  }

  // -- claims
  // ----------------------------------------------------------------------------------------

  result<claim_outcome> claim(const claim_request& req) override {
    if (auto valid = validate_claim(req); !valid) {
      return valid.err();
    }
    std::lock_guard<std::mutex> guard{mutex_};
    purge_expired();
    if (auto* existing = find(req.once_key)) {
      return claim_outcome{claim_status::already_claimed, existing->value, -1};
    }
    // Check every counter before writing anything; a key listed twice sees its earlier delta.
    std::map<std::string_view, int64_t> pending;
    for (size_t i = 0; i < req.counters.size(); ++i) {
      const auto& c = req.counters[i];
      auto [it, fresh] = pending.try_emplace(c.key, 0);
      if (fresh) {
        auto* current = find(c.key);
        auto parsed = current == nullptr ? std::optional<int64_t>{0} : parse_int64(current->value);
        if (!parsed || *parsed < -claim_exact_max || *parsed > claim_exact_max) {
          return error{errc::store_protocol,
                       "claim: counter " + std::to_string(i) + " is not an integer within 2^53-1"};
        }
        it->second = *parsed;
      }
      const int64_t next = it->second + c.delta;  // both within 2^53, so no overflow
      if (next < -claim_exact_max || next > claim_exact_max) {
        return error{errc::store_protocol,
                     "claim: counter " + std::to_string(i) + " would leave 2^53-1"};
      }
      if (c.limit >= 0 && next > c.limit) {
        return claim_outcome{claim_status::limit_reached, std::string{}, static_cast<int64_t>(i)};
      }
      it->second = next;
    }
    assign(req.once_key, req.once_value, expiry_for(req.once_ttl_ms));
    for (const auto& [key, value] : pending) {
      // Like increment(), a counter keeps its TTL.
      auto* current = find(key);
      assign(key, std::to_string(value), current == nullptr ? 0 : current->expires_at_ms);
    }
    for (const auto& [key, value] : req.puts) {
      assign(key, value, 0);
    }
    for (const auto& [set, m] : req.index_adds) {
      add_to_set(set, m.member, m.score);
    }
    return claim_outcome{claim_status::claimed, req.once_value, -1};
  }

  // -- fenced writes
  // ---------------------------------------------------------------------------------

  result<bool> raise_fence(std::string_view fence_key, int64_t token) override {
    if (auto valid = validate_fence_token(token); !valid) {
      return valid.err();
    }
    std::lock_guard<std::mutex> guard{mutex_};
    purge_expired();
    auto current = fence_value(fence_key);
    if (!current) {
      return current.err();
    }
    if (token > *current) {
      assign(fence_key, std::to_string(token), 0);
    }
    return token >= *current;
  }

  result<bool> put_fenced(std::string_view key, std::string_view value, std::string_view fence_key,
                          int64_t token) override {
    if (auto valid = validate_fence_token(token); !valid) {
      return valid.err();
    }
    if (key == fence_key) {
      return error{errc::invalid_argument, "put_fenced: the key is its own fence"};
    }
    std::lock_guard<std::mutex> guard{mutex_};
    purge_expired();
    auto current = fence_value(fence_key);
    if (!current) {
      return current.err();
    }
    if (*current != token) {
      return false;
    }
    assign(key, std::string{value}, 0);
    return true;
  }

  // -- sorted sets
  // -----------------------------------------------------------------------------------

  result<void> sorted_set_add(std::string_view set, std::string_view member,
                              int64_t score) override {
    std::lock_guard<std::mutex> guard{mutex_};
    add_to_set(set, member, score);
    return {};
  }

  result<bool> sorted_set_remove(std::string_view set, std::string_view member) override {
    std::lock_guard<std::mutex> guard{mutex_};
    auto s = sets_.find(set);
    if (s == sets_.end()) {
      return false;
    }
    auto it = s->second.scores.find(member);
    if (it == s->second.scores.end()) {
      return false;
    }
    s->second.by_score.erase({it->second, it->first});
    s->second.scores.erase(it);
    // Redis deletes an emptied sorted set; doing the same keeps memory bounded.
    if (s->second.scores.empty()) {
      sets_.erase(s);
    }
    return true;
  }

  result<std::vector<scored_member>> sorted_set_range_by_score(std::string_view set, int64_t min,
                                                               int64_t max, size_t limit) override {
    std::lock_guard<std::mutex> guard{mutex_};
    std::vector<scored_member> out;
    auto s = sets_.find(set);
    if (s == sets_.end() || min > max) {
      return out;
    }
    const auto& by_score = s->second.by_score;
    for (auto it = by_score.lower_bound({min, std::string{}});
         it != by_score.end() && it->first <= max && out.size() < limit; ++it) {
      out.push_back(scored_member{it->second, it->first});
    }
    return out;
  }

  result<int64_t> sorted_set_size(std::string_view set) override {
    std::lock_guard<std::mutex> guard{mutex_};
    auto s = sets_.find(set);
    return s == sets_.end() ? int64_t{0} : static_cast<int64_t>(s->second.scores.size());
  }

  // -- admin
  // -----------------------------------------------------------------------------------------

  result<void> ping() override { return {}; }

  [[nodiscard]] std::string_view kind() const override { return "memory"; }

 private:
  struct entry {
    std::string value;
    int64_t expires_at_ms = 0;  // 0 = never
  };

  // Ordered by score, then member (std::string compares bytes as unsigned, like Redis).
  struct sorted_set {
    std::set<std::pair<int64_t, std::string>> by_score;
    std::map<std::string, int64_t, std::less<>> scores;
  };

  // Returns the absolute expiry of a value written now with `ttl_ms` (0 = never).
  int64_t expiry_for(int64_t ttl_ms) const {
    int64_t expires_at = 0;
    if (ttl_ms == 0 || __builtin_add_overflow(clock_.now_ms(), ttl_ms, &expires_at)) {
      return ttl_ms == 0 ? 0 : std::numeric_limits<int64_t>::max();
    }
    return expires_at;
  }

  // Drops every expired value. Run first in every call, so keys written with a TTL and never read
  // again do not pile up, and everything left in values_ is live. Returns the time it used.
  int64_t purge_expired() {
    int64_t now = clock_.now_ms();
    while (!expiries_.empty() && expiries_.begin()->first <= now) {
      values_.erase(expiries_.begin()->second);
      expiries_.erase(expiries_.begin());
    }
    return now;
  }

  // Returns the integer a fence holds (absent = 0), with the range Redis can compare exactly.
  result<int64_t> fence_value(std::string_view fence_key) {
    auto* e = find(fence_key);
    if (e == nullptr) {
      return int64_t{0};
    }
    auto parsed = parse_int64(e->value);
    if (!parsed || *parsed < -claim_exact_max || *parsed > claim_exact_max) {
      return error{errc::store_protocol, "fence is not an integer within 2^53-1"};
    }
    return *parsed;
  }

  // Returns the value at `key`, or nullptr.
  entry* find(std::string_view key) {
    auto it = values_.find(key);
    return it == values_.end() ? nullptr : &it->second;
  }

  void add_to_set(std::string_view set, std::string_view member, int64_t score) {
    auto& s = sets_[std::string{set}];
    auto [it, inserted] = s.scores.try_emplace(std::string{member}, score);
    if (!inserted) {
      s.by_score.erase({it->second, it->first});
      it->second = score;
    }
    s.by_score.emplace(score, it->first);
  }

  void assign(std::string_view key, std::string value, int64_t expires_at_ms) {
    remove(key);
    values_.emplace(std::string{key}, entry{std::move(value), expires_at_ms});
    if (expires_at_ms != 0) {
      expiries_.emplace(expires_at_ms, std::string{key});
    }
  }

  // Returns true if `key` had a value.
  bool remove(std::string_view key) {
    auto it = values_.find(key);
    if (it == values_.end()) {
      return false;
    }
    if (it->second.expires_at_ms != 0) {
      expiries_.erase({it->second.expires_at_ms, it->first});
    }
    values_.erase(it);
    return true;
  }

  const clock& clock_;
  std::mutex mutex_;
  std::map<std::string, entry, std::less<>> values_;
  std::set<std::pair<int64_t, std::string>> expiries_;  // (expires_at_ms, key) of values with a TTL
  std::map<std::string, sorted_set, std::less<>> sets_;
};

}  // namespace

std::unique_ptr<store> make_memory_store(const clock& clk) {
  return std::make_unique<memory_store>(clk);
}

}  // namespace sb
