#pragma once

#include <atomic>
#include <cstdint>

namespace sb {

/// The node's source of "now", in milliseconds since the Unix epoch. Injected everywhere time
/// matters (timers, passivation, TTLs in the memory store) so that tests and the demo drive time
/// instead of sleeping. Implementations are thread-safe.
class clock {
 public:
  virtual ~clock() = default;
  /// Returns the current time in ms since the epoch.
  [[nodiscard]] virtual int64_t now_ms() const = 0;
};

/// The wall clock (std::chrono::system_clock).
class system_clock final : public clock {
 public:
  [[nodiscard]] int64_t now_ms() const override;
};

/// A clock that only moves when told to; for tests and the scripted demo.
class manual_clock final : public clock {
 public:
  explicit manual_clock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  [[nodiscard]] int64_t now_ms() const override { return now_.load(); }
  /// Moves time forward by `ms` (never backwards).
  void advance(int64_t ms) { now_.fetch_add(ms < 0 ? 0 : ms); }
  void set(int64_t ms) { now_.store(ms); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace sb
