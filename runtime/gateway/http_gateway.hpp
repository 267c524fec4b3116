#pragma once

#include <memory>
#include <string>

#include "runtime/node.hpp"
#include "runtime/result.hpp"

namespace sb {

/// The node's HTTP front door (cpp-httplib): health and readiness, Prometheus metrics, channel
/// intake (web chat, the signed app API, the WeChat Official Account; chat_routes.cpp,
/// wechat_routes.cpp), business events (event_routes.cpp), the agent desk (agent_routes.cpp) and
/// the operators' actor API (admin_routes.cpp); README lists every endpoint. Later messages to
/// people (agent replies) leave through its outbound dispatcher. Errors are JSON:
/// {"error": {"code", "message"}}.
///
/// Lifetime: start() binds and serves on its own thread pool until stop() (or destruction); the
/// node must outlive the gateway.
class http_gateway {
 public:
  /// Binds `node.config().gateway_listen` ("host:port"; port 0 picks a free one) and starts
  /// serving.
  static result<std::unique_ptr<http_gateway>> start(node& n);

  ~http_gateway();
  http_gateway(const http_gateway&) = delete;
  http_gateway& operator=(const http_gateway&) = delete;

  /// Returns the port actually bound.
  [[nodiscard]] int port() const;

  /// Stops accepting connections and waits for requests in progress. Idempotent.
  void stop();

 private:
  struct impl;
  explicit http_gateway(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace sb
