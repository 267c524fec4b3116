// The raw NATS baseline: how many messages one publisher gets through nats-server to one
// subscriber on this machine, as the ceiling the node's rate is compared with.
#include <nats/nats.h>

#include <atomic>
#include <thread>

#include "tools/sbbench/sbbench.hpp"

namespace sb::sbbench {

namespace {

void on_message(natsConnection* /*nc*/, natsSubscription* /*sub*/, natsMsg* msg, void* closure) {
  static_cast<std::atomic<int64_t>*>(closure)->fetch_add(1, std::memory_order_relaxed);
  natsMsg_Destroy(msg);
}

error nats_error(const char* what, natsStatus s) {
  return error{errc::not_found, std::string{what} + ": " + natsStatus_GetText(s)};
}

// Owns the two connections and the subscription; destroys them in the right order.
struct nats_pair {
  natsConnection* pub = nullptr;
  natsConnection* sub_conn = nullptr;
  natsSubscription* sub = nullptr;
  ~nats_pair() {
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(pub);
    natsConnection_Destroy(sub_conn);
  }
};

}  // namespace

result<double> nats_baseline(const std::string& url, double duration_s, size_t payload_bytes) {
  std::atomic<int64_t> received{0};
  const std::string subject = "sbbench.baseline";
  const std::string payload(payload_bytes, 'x');
  double rate = 0;
  {
    nats_pair p;
    if (auto s = natsConnection_ConnectTo(&p.sub_conn, url.c_str()); s != NATS_OK) {
      return nats_error(("cannot connect to " + url).c_str(), s);
    }
    if (auto s = natsConnection_ConnectTo(&p.pub, url.c_str()); s != NATS_OK) {
      return nats_error(("cannot connect to " + url).c_str(), s);
    }
    if (auto s =
            natsConnection_Subscribe(&p.sub, p.sub_conn, subject.c_str(), on_message, &received);
        s != NATS_OK) {
      return nats_error("subscribe", s);
    }
    natsSubscription_SetPendingLimits(p.sub, -1, -1);  // count, do not drop
    natsConnection_Flush(p.sub_conn);
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>{duration_s});
    const auto len = static_cast<int>(payload.size());
    while (std::chrono::steady_clock::now() < end) {
      for (int i = 0; i < 1000; ++i) {
        if (auto s = natsConnection_Publish(p.pub, subject.c_str(), payload.data(), len);
            s != NATS_OK) {
          return nats_error("publish", s);
        }
      }
      // A flush per batch keeps the publisher from racing arbitrarily far ahead of the server.
      natsConnection_FlushTimeout(p.pub, 5000);
    }
    natsConnection_FlushTimeout(p.pub, 5000);
    const auto published_for = std::chrono::steady_clock::now() - start;
    // Messages still on their way to the subscriber count if they arrive within a moment.
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
    rate =
        static_cast<double>(received.load()) / std::chrono::duration<double>(published_for).count();
  }
  return rate;
}

}  // namespace sb::sbbench
