#include "runtime/internal/redis_pool.hpp"

#include <utility>

namespace sb::internal {

result<std::unique_ptr<redis_pool>> redis_pool::connect(const redis_settings& settings) {
  std::vector<redis_connection> connections;
  for (int i = 0; i < settings.pool_size; ++i) {
    auto conn = redis_connection::connect(settings);
    if (!conn) {
      return conn.err();
    }
    connections.push_back(std::move(*conn));
  }
  return std::unique_ptr<redis_pool>{new redis_pool(std::move(connections))};
}

redis_pool::redis_pool(std::vector<redis_connection> connections) : idle_(std::move(connections)) {}

result<redis_reply> redis_pool::command(const std::vector<std::string_view>& args) {
  std::unique_lock<std::mutex> lock{mutex_};
  returned_.wait(lock, [this] { return !idle_.empty(); });
  // Hands the connection back even if the call throws (bad_alloc), so the pool never shrinks.
  struct lease {
    redis_pool& pool;
    redis_connection conn;
    ~lease() {
      {
        std::lock_guard<std::mutex> guard{pool.mutex_};
        pool.idle_.push_back(std::move(conn));
      }
      pool.returned_.notify_one();
    }
  } leased{*this, std::move(idle_.back())};
  idle_.pop_back();
  lock.unlock();
  // The round trip runs without the lock: that is what lets callers proceed in parallel.
  return leased.conn.command(args);
}

}  // namespace sb::internal
