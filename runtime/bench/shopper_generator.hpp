#pragma once

// The simulated shoppers of `sbbench`: seedable scripts of realistic Chinese and English
// conversations (greetings, product inquiries, price objections, order questions, requests for a
// human) on the web, app and WeChat channels, some followed by business events (a recommendation
// clicked, an order placed). Pure logic: no sockets, no clock; the load tool plays the scripts.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

namespace sb::bench {

/// The channel a simulated shopper writes on.
enum class channel_kind { web, app, wechat };

/// Returns "web", "app" or "wechat".
std::string_view to_string(channel_kind c) noexcept;

/// Relative weights of the three channels, as written on the command line (`6:2:2`).
struct channel_mix {
  uint32_t web = 1;
  uint32_t app = 1;
  uint32_t wechat = 1;

  /// Returns the sum of the weights.
  [[nodiscard]] uint64_t total() const noexcept { return uint64_t{web} + app + wechat; }
};

/// Returns the mix written `web:app:wechat` (three whole numbers, at least one above zero);
/// invalid_argument saying why otherwise.
result<channel_mix> parse_mix(std::string_view text);

/// What one step of a script does: send a chat message, or report a business event.
enum class step_kind { message, event };

/// One step of a shopper's script. A message carries `text`; an event carries `event_type`
/// (`recommendation.clicked` or `order.placed`) with the `sku` and, for orders, `order_id`.
struct shopper_step {
  step_kind kind = step_kind::message;
  std::string text;
  std::string event_type;
  std::string sku;
  std::string order_id;
};

/// One simulated person and what they will do, in order. `person_id` is the channel's own id
/// (visitor id, app user id, WeChat OpenID); the node names the person `channel:person_id`.
/// A request for a human, when present, is the last message (the bot stays quiet after it).
struct shopper_script {
  std::string person_id;
  channel_kind channel = channel_kind::web;
  bool chinese = true;
  std::vector<shopper_step> steps;
};

/// How a generator draws its shoppers.
struct generator_options {
  uint64_t seed = 1;           ///< The same seed and options give the same scripts.
  channel_mix mix;             ///< Channel weights.
  double event_share = 0.3;    ///< Share of shoppers who click a recommendation (half then order).
  double chinese_share = 0.7;  ///< Share of shoppers who write Chinese (the rest write English).
  std::string id_prefix = "sbb-";  ///< Prefix of person ids (a run tag keeps runs apart).
};

/// Draws shopper scripts from a seeded pseudo-random sequence (splitmix64, identical on every
/// platform). Lifetime: a plain value; one owner thread (the load tool gives each simulated
/// person slot its own generator).
class shopper_generator {
 public:
  explicit shopper_generator(generator_options options);

  /// Returns the next shopper: a fresh person id (`prefix` + a counter) and its script.
  shopper_script next();

  /// Returns the next pseudo-random 64-bit number (exposed for the load tool's nonces).
  uint64_t next_u64() noexcept;

 private:
  // Returns a number in [0, n).
  uint64_t below(uint64_t n) noexcept;
  // Returns true with probability p.
  bool chance(double p) noexcept;

  generator_options options_;
  uint64_t state_;
  uint64_t count_ = 0;
};

/// Returns a seed for person slot `slot` derived from the run's `seed` (distinct per slot).
uint64_t slot_seed(uint64_t seed, uint64_t slot) noexcept;

}  // namespace sb::bench
