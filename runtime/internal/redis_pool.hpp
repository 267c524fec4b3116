#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "runtime/internal/redis_connection.hpp"
#include "runtime/result.hpp"
#include "runtime/store.hpp"

namespace sb::internal {

/// A fixed number of Redis connections shared by the threads of one node, so that store calls
/// from several actors run in parallel (one round trip per connection at a time).
///
/// Lifetime: owned by the redis store; every connection is returned before a call ends, so the
/// pool may be destroyed once no call is running. Thread-safe.
class redis_pool {
 public:
  /// Returns a pool of `settings.pool_size` connected connections, or the first connect error.
  static result<std::unique_ptr<redis_pool>> connect(const redis_settings& settings);

  /// Runs one command on an idle connection, waiting for one while all are busy. Each call takes
  /// at most about two socket timeouts (one reconnect), so the wait is bounded too.
  result<redis_reply> command(const std::vector<std::string_view>& args);

 private:
  explicit redis_pool(std::vector<redis_connection> connections);

  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<redis_connection> idle_;
};

}  // namespace sb::internal
