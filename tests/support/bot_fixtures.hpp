#pragma once

// The bot's knowledge as a node loads it, for tests of the bot and of the conversation kind.

#include <memory>

#include "actors/conversation/bot.hpp"
#include "runtime/clock.hpp"
#include "runtime/config/node_config.hpp"
#include "tests/support/require.hpp"

namespace sb::test {

/// Returns the knowledge of a default node_config (the shipped config/ files and jieba's
/// dictionary; paths are relative, so tests run with the repository root as working directory),
/// loaded once per test binary on a clock that never moves. Shared read-only: tests that apply
/// product updates must load their own with load_bot().
inline std::shared_ptr<const bot_knowledge> shipped_bot() {
  static const manual_clock clk;
  static const std::shared_ptr<const bot_knowledge> kb =
      SB_REQUIRE_OK(bot_knowledge::load(node_config{}, clk));
  return kb;
}

/// Returns a fresh copy of the shipped knowledge on `clk` (which must outlive it).
inline std::shared_ptr<bot_knowledge> load_bot(const clock& clk) {
  return SB_REQUIRE_OK(bot_knowledge::load(node_config{}, clk));
}

}  // namespace sb::test
