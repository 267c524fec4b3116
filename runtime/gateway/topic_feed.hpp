#pragma once

#include <cstdint>
#include <mutex>

#include "runtime/analysis/topic_tracker.hpp"
#include "runtime/bus.hpp"

namespace sb::gateway {

/// Feeds a topic_tracker from the node's `conversation.message` events, for GET /v1/topics.
/// Lifetime: owned by the gateway; subscribes in start(), unsubscribes in stop() (or the
/// destructor). Thread-safe: the bus thread adds, HTTP threads read.
class topic_feed {
 public:
  explicit topic_feed(bus& b) : bus_(b) {}
  ~topic_feed() { stop(); }
  topic_feed(const topic_feed&) = delete;
  topic_feed& operator=(const topic_feed&) = delete;

  void start();
  void stop();

  /// Returns the hottest intents, products and words since `since_ms`.
  [[nodiscard]] topic_tracker::hot top(int64_t since_ms, size_t limit) const;

 private:
  bus& bus_;
  mutable std::mutex mutex_;
  topic_tracker tracker_;
  uint64_t subscription_ = 0;
  bool started_ = false;
};

}  // namespace sb::gateway
