#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/node.hpp"
#include "runtime/result.hpp"

namespace sb::test {

/// Waits until a node has handled everything set off so far: publishes a barrier event (the
/// in-process bus routes events in publication order, so its arrival means every earlier event
/// reached its subscribers' mailboxes) and repeats until three rounds in a row, 20 ms apart,
/// handled no message (an actor being activated from the store holds its messages meanwhile). For
/// tests that drive a node with a manual clock. Lifetime: subscribes on construction, unsubscribes
/// on destruction; must not outlive the node. Used from one test thread.
class node_settler {
 public:
  explicit node_settler(node& n) : node_(n), state_(std::make_shared<shared>()) {
    auto st = state_;
    id_ = n.message_bus().subscribe(topic, [st](const std::string&, const schemas::envelope&) {
      std::lock_guard<std::mutex> guard{st->mutex};
      ++st->seen;
      st->cv.notify_all();
    });
  }
  ~node_settler() { node_.message_bus().unsubscribe(id_); }
  node_settler(const node_settler&) = delete;
  node_settler& operator=(const node_settler&) = delete;

  /// Returns once the node is quiet; errc::timeout after 2,000 rounds or a lost barrier.
  result<void> settle() {
    int quiet = 0;
    for (int round = 0; round < 2000; ++round) {
      auto handled = node_.stats().messages_handled;
      node_.message_bus().publish(topic, schemas::envelope{});
      std::unique_lock<std::mutex> lock{state_->mutex};
      const int64_t want = ++sent_;
      if (!state_->cv.wait_for(lock, std::chrono::seconds(30),
                               [&] { return state_->seen >= want; })) {
        return error{errc::timeout, "barrier event did not arrive"};
      }
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      quiet = node_.stats().messages_handled == handled ? quiet + 1 : 0;
      if (quiet == 3) {
        return {};
      }
    }
    return error{errc::timeout, "the node did not settle"};
  }

  static constexpr const char* topic = "test.barrier";

 private:
  struct shared {
    std::mutex mutex;
    std::condition_variable cv;
    int64_t seen = 0;
  };
  node& node_;
  std::shared_ptr<shared> state_;
  int64_t sent_ = 0;
  uint64_t id_ = 0;
};

}  // namespace sb::test
