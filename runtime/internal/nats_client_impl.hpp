#pragma once

// Private to nats_client.cpp, nats_jetstream.cpp and nats_kv.cpp: the state those files share,
// the one place where natsStatus becomes sb::error, and the C callbacks handed to NATS.c.
// Nothing outside runtime/internal/nats_* includes it.

#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "runtime/internal/nats_client.hpp"

namespace sb::nats::detail {

// -- errors
// ----------------------------------------------------------------------------------------

/// Returns the error for a failed NATS.c call `what`: NATS_TIMEOUT -> timeout, NATS_NOT_FOUND and
/// NATS_NO_RESPONDERS -> not_found, NATS_INVALID_ARG -> invalid_argument, anything else ->
/// bus_unavailable. The message holds the status text, the library's last error of this thread
/// and the JetStream error code when `jerr` is not 0.
error to_error(natsStatus s, std::string_view what, int jerr = 0);

/// Returns a duration as JetStream's nanoseconds.
inline int64_t to_nanos(std::chrono::milliseconds ms) {
  return ms.count() * 1'000'000;
}

// -- connection state shared with C callbacks ----------------------------------------------------

/// What the library's callbacks of one client update: counters, the connection-change observer
/// and the `done` callbacks of asynchronous publishes. Owned by shared_ptr; callbacks find it by
/// an id (see register_state), so a callback that runs after the client died finds nothing.
struct conn_state {
  std::atomic<int64_t> reconnects{0};
  std::atomic<int64_t> disconnects{0};
  std::atomic<int64_t> async_errors{0};

  std::mutex mu;  // Guards the two members below.
  std::function<void(bool)> on_change;
  /// Pending asynchronous publishes by the address of their natsMsg (unique while in flight).
  std::unordered_map<natsMsg*, std::function<void(result<publish_ack>)>> pending;
};

/// Registers `state` and returns the opaque closure that the C callbacks get. Thread-safe.
void* register_state(std::shared_ptr<conn_state> state);
/// Returns the state registered under `closure`, or nullptr once unregistered. Thread-safe.
std::shared_ptr<conn_state> find_state(void* closure);
/// Forgets `closure`; callbacks running later do nothing. Thread-safe.
void unregister_state(void* closure);

/// Returns a new natsMsg (owned by the caller) with `headers` set; `reply` may be empty.
result<natsMsg*> build_msg(std::string_view subject, std::string_view data, std::string_view reply,
                           const std::map<std::string, std::string>& headers);

/// Calls `done` (if set) with `r`, catching and logging what it throws.
void call_done(const std::function<void(result<publish_ack>)>& done, result<publish_ack> r);

/// The jsPubAckHandler of every client: routes the ack to the publish's `done` (closure: a
/// registry id) and destroys the message.
void on_publish_ack(jsCtx* js, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure);

// -- subscriptions --------------------------------------------------------------------------------

/// Shared by a subscription and its messages: acks take `mu` and check `open`, and the
/// subscription's completion callback clears `open` (under `mu`) before NATS.c may free the
/// natsSubscription that natsMsg_Ack would touch.
struct ack_guard {
  std::mutex mu;
  bool open = true;
  /// Only JetStream messages may be acked (natsMsg_Ack dereferences JetStream state).
  bool jetstream = false;
};

/// Builds messages bound to their subscription's guard (a friend of `message`).
struct message_access {
  static message make(natsMsg* msg, std::shared_ptr<ack_guard> guard);
};

/// Everything a subscription's callbacks need; lives as long as the subscription object or the
/// last callback, whichever is later.
struct sub_state {
  message_handler handler;
  std::shared_ptr<ack_guard> guard = std::make_shared<ack_guard>();
  /// The connection, kept alive by the natsSubscription until natsSubscription_Destroy.
  natsConnection* conn = nullptr;

  std::mutex mu;  // Guards `complete`.
  std::condition_variable completed;
  bool complete = false;  ///< The library will call no callback of this subscription anymore.
};

/// The natsMsgHandler of every subscription: wraps the natsMsg and calls the handler.
void on_message(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* closure);

/// Takes a subscription just created with closure `state.get()` and on_message: installs the
/// completion callback and returns the owning object; on failure destroys `sub`.
result<std::unique_ptr<subscription>> adopt_subscription(natsSubscription* sub,
                                                         std::shared_ptr<sub_state> state);

// -- key-value ------------------------------------------------------------------------------------

/// What a kv_bucket owns: the kvStore plus what conditional writes need to publish themselves
/// (kvStore_Create/Update hide the JetStream error code that tells "exists" from a failure).
struct kv_handle {
  kvStore* kv = nullptr;
  jsCtx* js = nullptr;         ///< The client's context (the client outlives the bucket).
  std::string stream;          ///< "KV_<bucket>".
  std::string subject_prefix;  ///< "$KV.<bucket>.".
  std::chrono::milliseconds api_timeout{5000};
};

}  // namespace sb::nats::detail

namespace sb::nats {

/// The state of a client: the connection, its JetStream context and the callbacks' state.
struct client::impl {
  settings cfg;
  natsConnection* conn = nullptr;
  jsCtx* js = nullptr;
  std::shared_ptr<detail::conn_state> state;
  void* closure = nullptr;  ///< register_state(state), given to every C callback.

  impl() = default;
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
  ~impl();
};

}  // namespace sb::nats
