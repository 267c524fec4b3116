#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/bus.hpp"
#include "schemas/conversation.hpp"

namespace sb::gateway {

/// Takes messages that leave a conversation later than the request that caused them (agent
/// replies, proactive offers) and hands them to the person's channel: web and app long-polls are
/// woken; WeChat messages go to the customer-service message API on a sender thread of their own,
/// so the bus thread never waits on the network.
///
/// Lifetime: subscribes on construction; stop() (or destruction) unsubscribes and joins its thread.
/// The bus must stay alive until stop() returned. Thread-safe.
class outbound_dispatcher {
 public:
  /// Sends one WeChat text message (openid, text); returns an error to log and count.
  using wechat_sender = std::function<result<void>(const std::string&, const std::string&)>;

  outbound_dispatcher(bus& b, wechat_sender send_wechat);
  ~outbound_dispatcher();
  outbound_dispatcher(const outbound_dispatcher&) = delete;
  outbound_dispatcher& operator=(const outbound_dispatcher&) = delete;

  /// Returns the number of outbound messages seen so far for "channel:person".
  [[nodiscard]] int64_t version(const std::string& identity);

  /// Waits until version(identity) exceeds `seen` or `timeout` passes; returns the new version.
  int64_t wait(const std::string& identity, int64_t seen, std::chrono::milliseconds timeout);

  /// Unsubscribes, wakes waiters (they return at once) and stops the sender thread. Idempotent.
  void stop();

 private:
  void on_event(const schemas::envelope& env);
  void send_loop();

  bus& bus_;
  wechat_sender send_wechat_;
  uint64_t subscription_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, int64_t> versions_;
  std::deque<std::pair<std::string, std::string>> wechat_queue_;
  bool stopped_ = false;
  std::thread sender_;
};

}  // namespace sb::gateway
