#pragma once

// Shoppers chatting with a test cluster while a test kills, stops or restarts its parts. Each
// person sends numbered messages in order; a message counts as accepted when a gateway answered
// 200 (applied, with the bot's reply) or 202 (in the durable intake, the answer comes later).
// A failed send (node gone, 503, 504) is retried with the same client_msg_id, on another node if
// its own is down, so the conversation sees each message once however often it was sent.

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/cluster_harness.hpp"

namespace sb::test {

class cluster_traffic {
 public:
  /// `people` web visitors "t-0".."t-{people-1}" spread over `threads` threads; person p prefers
  /// node p % size.
  cluster_traffic(test_cluster& c, int people, int threads = 4)
      : people_(people), accepted_(static_cast<size_t>(people)) {
    for (int i = 0; i < c.size(); ++i) {
      ports_.push_back(c.port(i));
      down_.push_back(std::make_unique<std::atomic<bool>>(false));
    }
    for (auto& a : accepted_) {
      a = 0;
    }
    threads_count_ = threads;
  }
  ~cluster_traffic() { stop(); }

  void start() {
    for (int t = 0; t < threads_count_; ++t) {
      threads_.emplace_back([this, t] { run(t); });
    }
  }

  /// Stops sending; every send in progress finishes first.
  void stop() {
    stopping_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) {
        t.join();
      }
    }
    threads_.clear();
  }

  /// Tells the shoppers node `i` is gone (they would find out anyway) or back on `port`.
  void node_down(int i) { *down_.at(static_cast<size_t>(i)) = true; }
  void node_up(int i, int port) {
    std::lock_guard<std::mutex> lock{ports_mutex_};
    ports_.at(static_cast<size_t>(i)) = port;
    *down_.at(static_cast<size_t>(i)) = false;
  }

  /// Messages accepted for person `p`.
  [[nodiscard]] int accepted(int p) const { return accepted_.at(static_cast<size_t>(p)); }
  [[nodiscard]] int total_accepted() const {
    int n = 0;
    for (const auto& a : accepted_) {
      n += a;
    }
    return n;
  }
  [[nodiscard]] int failed_sends() const { return failed_; }
  [[nodiscard]] static std::string person(int p) { return "t-" + std::to_string(p); }

 private:
  void run(int t) {
    const int n = static_cast<int>(down_.size());
    while (!stopping_) {
      for (int p = t; p < people_ && !stopping_; p += threads_count_) {
        const int k = accepted_[static_cast<size_t>(p)];
        nlohmann::json body{{"visitor_id", person(p)},
                            {"text", "第" + std::to_string(k) + "个问题：这款耳机续航多久？"},
                            {"client_msg_id", person(p) + "-" + std::to_string(k)}};
        bool ok = false;
        for (int attempt = 0; attempt < n && !ok; ++attempt) {
          const int node = (p + attempt) % n;
          if (*down_[static_cast<size_t>(node)]) {
            continue;
          }
          int port = 0;
          {
            std::lock_guard<std::mutex> lock{ports_mutex_};
            port = ports_[static_cast<size_t>(node)];
          }
          httplib::Client http{"127.0.0.1", port};
          http.set_connection_timeout(std::chrono::seconds(1));
          http.set_read_timeout(std::chrono::seconds(10));
          auto res = http.Post("/v1/web/messages", body.dump(), "application/json");
          ok = res && (res->status == 200 || res->status == 202);
          if (!ok) {
            ++failed_;
          }
        }
        if (ok) {
          ++accepted_[static_cast<size_t>(p)];
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  int people_;
  int threads_count_ = 4;
  std::vector<std::atomic<int>> accepted_;
  std::vector<std::unique_ptr<std::atomic<bool>>> down_;
  std::mutex ports_mutex_;
  std::vector<int> ports_;
  std::atomic<int> failed_{0};
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

/// Waits until every person's conversation counts exactly the messages accepted for them (read
/// through node `via`); returns the people whose count differs (empty when all agree), each as
/// "t-7: 12 accepted, 13 applied".
inline std::vector<std::string> applied_mismatches(test_cluster& c, const cluster_traffic& traffic,
                                                   int people, int via,
                                                   std::chrono::milliseconds timeout) {
  std::vector<std::string> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    out.clear();
    for (int p = 0; p < people; ++p) {
      auto j = c.get(via, "/v1/actors/conversation/web:" + cluster_traffic::person(p));
      const int applied = j ? (*j)["state"].value("message_count", -1) : -1;
      if (applied != traffic.accepted(p)) {
        out.push_back(cluster_traffic::person(p) + ": " + std::to_string(traffic.accepted(p)) +
                      " accepted, " + std::to_string(applied) + " applied");
      }
    }
    if (out.empty() || std::chrono::steady_clock::now() >= deadline) {
      return out;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace sb::test
