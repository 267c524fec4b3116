#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/result.hpp"

// A small C++ face over NATS.c 3.4 (libnats): one connection with core publish/subscribe and
// request, JetStream streams, publishes with message ids, durable push consumers with manual
// acks, and key-value buckets. Nothing here knows about actors or envelopes; the NATS bus
// (runtime/cluster/) and the partition leases are built on it. No NATS.c type leaks out.
//
// Errors: errc::bus_unavailable when the server cannot be reached or a call fails on the
// connection, errc::timeout when a JetStream call gets no answer in time, errc::invalid_argument
// for bad settings; messages carry NATS's own status text and, for JetStream, its error code.
namespace sb::nats {

namespace detail {
struct ack_guard;       // Defined in nats_client_impl.hpp; refuses acks once a subscription closed.
struct message_access;  // Defined in nats_client_impl.hpp; binds a message to its subscription.
}  // namespace detail

/// How to connect. Every field is optional except `servers`.
struct settings {
  /// Server URLs tried in order ("nats://127.0.0.1:4222", "tls://host:4443"); at least one.
  std::vector<std::string> servers;
  /// The connection's name, shown by the server's monitoring (`/connz`).
  std::string name;
  /// User and password authentication (both or neither).
  std::string user;
  std::string password;
  /// Token authentication.
  std::string token;
  /// TLS: set `tls` to require it; `tls_ca_file` to trust a private CA; `tls_cert_file` and
  /// `tls_key_file` for a client certificate; `tls_hostname` to check another name than the URL's.
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_hostname;
  std::chrono::milliseconds connect_timeout{2000};
  /// Wait between reconnect attempts; reconnects are retried forever.
  std::chrono::milliseconds reconnect_wait{250};
  /// Timeout of JetStream API calls (stream and consumer management, synchronous publish, KV).
  std::chrono::milliseconds api_timeout{5000};
  /// Maximum asynchronous JetStream publishes waiting for their ack before publish stalls.
  int64_t max_pending_publishes = 4096;
  /// Subscriptions share a pool of this many delivery threads (natsOptions_UseGlobalMessageDelivery
  /// and nats_SetMessageDeliveryPoolSize); 0 gives each subscription its own thread.
  int delivery_threads = 2;
};

/// Counters of one connection (natsConnection_GetStats plus our own).
struct connection_stats {
  bool connected = false;
  int64_t reconnects = 0;
  int64_t disconnects = 0;
  int64_t in_msgs = 0;
  int64_t in_bytes = 0;
  int64_t out_msgs = 0;
  int64_t out_bytes = 0;
  /// Bytes buffered in the client, not yet sent (natsConnection_Buffered).
  int64_t pending_bytes = 0;
  /// Asynchronous errors reported by the library (slow consumer and the like).
  int64_t async_errors = 0;
};

/// A received message. Owns the underlying natsMsg; move-only. ack()/nak()/term() are for
/// JetStream messages with manual acks and may be called from any thread; after the first of them
/// succeeded, later calls are ignored. The object may be kept after the callback returned (that
/// is how a message is acked after an actor applied it); once its subscription is destroyed,
/// ack()/nak()/in_progress()/term() fail with errc::bus_unavailable and the server redelivers the
/// message after the consumer's ack wait.
class message {
 public:
  message() = default;
  explicit message(void* native) noexcept;  ///< Takes ownership of a natsMsg*.
  message(message&& other) noexcept;
  message& operator=(message&& other) noexcept;
  message(const message&) = delete;
  message& operator=(const message&) = delete;
  ~message();

  [[nodiscard]] std::string_view subject() const;
  [[nodiscard]] std::string_view data() const;
  /// The reply subject ("" if none).
  [[nodiscard]] std::string_view reply() const;
  /// The value of header `name`, or nullopt.
  [[nodiscard]] std::optional<std::string> header(const char* name) const;
  /// JetStream metadata: stream sequence and how many times it was delivered (0, 0 for a core
  /// NATS message).
  [[nodiscard]] uint64_t stream_sequence() const;
  [[nodiscard]] uint64_t delivery_count() const;

  /// Acknowledges (JetStream); fire-and-forget.
  result<void> ack();
  /// Asks for redelivery after `delay` (0 = at once).
  result<void> nak(std::chrono::milliseconds delay = std::chrono::milliseconds{0});
  /// Tells the server the message is still being worked on (resets the ack wait).
  result<void> in_progress();
  /// Tells the server never to redeliver it.
  result<void> term();

  [[nodiscard]] bool valid() const noexcept { return native_ != nullptr; }

 private:
  friend struct detail::message_access;

  void* native_ = nullptr;
  bool acked_ = false;
  // Shared with the subscription: acks go through it so that none touches a freed subscription.
  std::shared_ptr<detail::ack_guard> guard_;
};

/// Called for each message of a subscription, on a NATS delivery thread; messages of one
/// subscription arrive one at a time, in order. Must not block for long; must not throw (an
/// exception is caught, logged and the message dropped).
using message_handler = std::function<void(message)>;

/// An active subscription. Destroying it unsubscribes from the subject (for a durable JetStream
/// consumer the consumer stays on the server, so another subscriber can take it over) and waits
/// until no callback of it is running. Exception: destroyed on a delivery thread (inside any
/// message handler) it does not wait, since that could deadlock the shared delivery pool; the
/// handler is then kept alive until its last call returned. Not copyable; methods thread-safe.
class subscription {
 public:
  subscription(void* native, std::shared_ptr<void> keep_alive) noexcept;
  ~subscription();
  subscription(const subscription&) = delete;
  subscription& operator=(const subscription&) = delete;

  /// Stops new deliveries, lets the messages already received run through the handler, then
  /// closes; waits up to `timeout`. Afterwards the destructor has nothing left to do.
  result<void> drain(std::chrono::milliseconds timeout);

  /// Messages dropped by the client because the handler fell behind (slow consumer).
  [[nodiscard]] int64_t dropped() const;

 private:
  void* native_ = nullptr;
  std::shared_ptr<void> keep_alive_;  // The handler, alive as long as callbacks may run.
  std::atomic<bool> closed_{false};
};

/// A JetStream stream to create or update.
struct stream_config {
  std::string name;
  std::vector<std::string> subjects;
  bool memory_storage = false;           ///< false: file storage.
  std::chrono::milliseconds max_age{0};  ///< 0: keep forever (limits retention).
  std::chrono::milliseconds duplicate_window{std::chrono::minutes(2)};
  int64_t max_bytes = -1;  ///< -1: unlimited.
};

/// The server's answer to a JetStream publish.
struct publish_ack {
  uint64_t sequence = 0;
  bool duplicate = false;  ///< The message id was seen within the duplicate window.
};

/// A durable push consumer with manual acks, bound by js_subscribe().
struct consumer_config {
  std::string stream;
  std::string durable;         ///< Durable name: another subscriber with it resumes its position.
  std::string filter_subject;  ///< Only messages on this subject (wildcards allowed).
  std::chrono::milliseconds ack_wait{std::chrono::seconds(5)};
  int64_t max_ack_pending = 1000;
  int64_t max_deliver = -1;  ///< -1: unlimited redeliveries.
};

/// What the server says about a consumer.
struct consumer_state {
  uint64_t num_pending = 0;      ///< Messages in the stream not yet delivered to it.
  uint64_t num_ack_pending = 0;  ///< Delivered, not yet acked.
  uint64_t num_redelivered = 0;
  uint64_t delivered_stream_seq = 0;
  uint64_t ack_floor_stream_seq = 0;
  bool push_bound = false;  ///< A subscriber is bound to it.
};

/// One entry of a key-value bucket.
struct kv_entry {
  std::string value;
  uint64_t revision = 0;
};

/// A JetStream key-value bucket. Thread-safe; lives as long as the client that opened it.
class kv_bucket {
 public:
  /// Takes ownership of a handle made by client::key_value() (not a bare kvStore*).
  kv_bucket(void* native) noexcept;
  ~kv_bucket();
  kv_bucket(const kv_bucket&) = delete;
  kv_bucket& operator=(const kv_bucket&) = delete;

  /// Writes `key` only if it has no live value (absent, deleted, purged or expired by the
  /// bucket's TTL); returns the new revision, or nullopt if a live value exists.
  result<std::optional<uint64_t>> create(std::string_view key, std::string_view value);
  /// Writes `key` only if its latest revision is `last_revision`; returns the new revision, or
  /// nullopt if the revision did not match (someone else wrote, or it expired).
  result<std::optional<uint64_t>> update(std::string_view key, std::string_view value,
                                         uint64_t last_revision);
  /// Writes `key` unconditionally; returns the new revision.
  result<uint64_t> put(std::string_view key, std::string_view value);
  /// Returns the live value of `key`, or nullopt if there is none.
  result<std::optional<kv_entry>> get(std::string_view key);
  /// Deletes `key` (a delete marker; create() succeeds afterwards).
  result<void> erase(std::string_view key);
  /// Returns every key with a live value, sorted.
  result<std::vector<std::string>> keys();

 private:
  void* native_ = nullptr;
};

/// One connection to a NATS server (or cluster), with its JetStream context. Reconnects by
/// itself forever; publishes made while disconnected are buffered by the library.
///
/// Lifetime: create with connect(); destroy after every subscription and bucket it made. (A
/// subscription that outlives its client is still safe to destroy; it received nothing since.)
/// Destroying it waits up to api_timeout for acks of asynchronous publishes.
/// Thread-safety: every method may be called from any thread.
class client {
 public:
  /// Connects (trying `servers` in order) and opens the JetStream context.
  static result<std::unique_ptr<client>> connect(const settings& s);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // -- core NATS ---------------------------------------------------------------------------------

  /// Publishes `data` on `subject`, optionally with a reply subject and headers.
  result<void> publish(std::string_view subject, std::string_view data, std::string_view reply = {},
                       const std::map<std::string, std::string>& headers = {});
  /// Subscribes; `queue` non-empty makes it a queue subscription (load-balanced).
  result<std::unique_ptr<subscription>> subscribe(const std::string& subject,
                                                  message_handler handler,
                                                  const std::string& queue = {});
  /// Sends a request and waits for the first reply (errc::timeout, or errc::not_found when
  /// nobody listens on `subject`).
  result<std::string> request(std::string_view subject, std::string_view data,
                              std::chrono::milliseconds timeout);
  /// Waits until the server has seen everything published so far.
  result<void> flush(std::chrono::milliseconds timeout);
  /// Returns a fresh unique inbox subject ("_INBOX.…").
  [[nodiscard]] std::string new_inbox() const;
  [[nodiscard]] connection_stats stats() const;
  /// Calls `on_change(connected)` on a library thread whenever the connection drops or comes back.
  void on_connection_change(std::function<void(bool connected)> on_change);

  // -- JetStream ---------------------------------------------------------------------------------

  /// Creates the stream, or updates it if it exists with another config.
  result<void> ensure_stream(const stream_config& cfg);
  /// Publishes and waits for the stream's ack; `msg_id` (may be empty) deduplicates within the
  /// stream's duplicate window.
  result<publish_ack> js_publish(std::string_view subject, std::string_view data,
                                 std::string_view msg_id,
                                 const std::map<std::string, std::string>& headers = {});
  /// Publishes without waiting; `done` is called exactly once with the ack or the error: on a
  /// library thread, or on the caller's thread before returning when the publish could not even
  /// be sent. An ack that does not come within api_timeout gives errc::timeout; publishes still
  /// pending when the client is destroyed get errc::shutting_down. Stalls (up to api_timeout)
  /// while max_pending_publishes are unacknowledged.
  void js_publish_async(std::string_view subject, std::string_view data, std::string_view msg_id,
                        const std::map<std::string, std::string>& headers,
                        std::function<void(result<publish_ack>)> done);
  /// Waits until every asynchronous publish so far has its ack (or `timeout`).
  result<void> js_publish_async_complete(std::chrono::milliseconds timeout);
  /// Binds a durable push consumer with manual acks (creating it if missing, starting with the
  /// stream's first message). Fails while another subscriber is bound to the same durable. An
  /// existing durable keeps its filter subject; its ack wait, max ack pending and max deliver are
  /// updated to `cfg`'s.
  result<std::unique_ptr<subscription>> js_subscribe(const consumer_config& cfg,
                                                     message_handler handler);
  /// Returns the consumer's state, errc::not_found if it does not exist.
  result<consumer_state> consumer_info(const std::string& stream, const std::string& durable);
  /// Deletes a stream and its messages; ok if it did not exist.
  result<void> delete_stream(const std::string& stream);
  /// Deletes a consumer; ok if it did not exist.
  result<void> delete_consumer(const std::string& stream, const std::string& durable);

  /// Opens the key-value bucket `name`, creating it if missing with `ttl` (0: values never expire)
  /// and a history of 1.
  result<std::unique_ptr<kv_bucket>> key_value(const std::string& name,
                                               std::chrono::milliseconds ttl);

 private:
  struct impl;
  explicit client(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace sb::nats
