#pragma once

// The responder a cluster node runs by its gateway for the admin API over NATS request/reply
// (`sbctl --nats URL`; the messages are in admin_protocol.hpp).

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/config/node_config.hpp"
#include "runtime/gateway/admin_protocol.hpp"
#include "runtime/result.hpp"

namespace sb::gateway {

/// Sizes of a responder.
struct nats_admin_options {
  /// Threads that perform requests (off the NATS delivery thread).
  int threads = 4;
  /// Requests waiting for a thread; one more is answered 503 at once.
  size_t queue_limit = 64;
  /// How long one request may take on the gateway (`sbctl send` waits for the bot's answer).
  std::chrono::milliseconds request_timeout{30'000};
  /// Wait between attempts while NATS cannot be reached.
  std::chrono::milliseconds retry_wait{2'000};
};

/// Answers a cluster node's admin requests on `sb.admin.<node id>` and (queue group `sb-admin`)
/// `sb.admin.any`, with its own NATS connection. Each request is performed against the node's
/// gateway on loopback, so HTTP and NATS share the routes and the token check; bad requests get
/// 400, a full queue 503, a body too large for NATS 413. Nothing throws out of a callback.
///
/// Lifetime: start() once the gateway is bound, stop() before the gateway stops. Without NATS at
/// start it logs a warning and retries in the background. Thread-safety: stop() from one thread;
/// the rest runs on the responder's own threads.
class nats_admin {
 public:
  /// Starts answering for the node `cfg` whose gateway listens on `listen_host`:`port`.
  static std::unique_ptr<nats_admin> start(const node_config& cfg, const std::string& listen_host,
                                           int port, nats_admin_options options = {});
  ~nats_admin();
  nats_admin(const nats_admin&) = delete;
  nats_admin& operator=(const nats_admin&) = delete;

  /// Unsubscribes, lets requests in progress finish, answers 503 to those still queued and
  /// closes the connection. Idempotent.
  void stop();

  /// Returns the host the responder sends requests to ("127.0.0.1" for "0.0.0.0", "::1" for
  /// "::" or "[::]", else `listen_host` itself).
  static std::string loopback_of(const std::string& listen_host);

 private:
  struct impl;
  explicit nats_admin(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace sb::gateway
