#pragma once

// Waiting in tests for what another thread (an actor, a router) does: poll a condition on wall
// time, with a bound, instead of sleeping a fixed time.

#include <chrono>
#include <thread>

namespace sb::test {

/// Polls `done` every 2 ms until it returns true (then true) or `within` passes (then false).
template <class F>
bool eventually(F done, std::chrono::milliseconds within = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace sb::test
