#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/result.hpp"
#include "runtime/store.hpp"

// hiredis's context, declared here so that this header does not pull in hiredis.h.
struct redisContext;

namespace sb::internal {

/// One Redis (RESP2) reply, copied out of hiredis's `redisReply`. Error replies never become a
/// `redis_reply`: redis_connection turns them into errc::store_protocol.
struct redis_reply {
  /// The RESP2 reply types other than errors.
  enum class type { nil, string, integer, status, array };

  type kind = type::nil;
  std::string str;                    ///< The bytes of a string or status reply.
  int64_t integer = 0;                ///< The value of an integer reply.
  std::vector<redis_reply> elements;  ///< The elements of an array reply.
};

/// One synchronous connection to Redis: the only place where hiredis's context, replies and
/// errors are converted into `redis_reply` and `sb::error`.
///
/// Lifetime: owns its `redisContext` and frees it on destruction; move-only. Not thread-safe:
/// one thread at a time (the redis store's pool hands each connection to one caller at a time).
/// Every (re)connect sets the socket timeout, sends AUTH (if a password is set) and SELECT.
class redis_connection {
 public:
  /// Returns a connected connection, or errc::store_unavailable if Redis cannot be reached or
  /// refuses AUTH/SELECT.
  static result<redis_connection> connect(const redis_settings& settings);

  redis_connection(redis_connection&& other) noexcept;
  redis_connection& operator=(redis_connection&& other) noexcept;
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;
  ~redis_connection();

  /// Sends one command (binary-safe arguments) and returns its reply. An error reply becomes
  /// errc::store_protocol carrying the server's text (see is_error_reply). If the connection turns
  /// out to be closed, it reconnects and resends once; a timeout is not retried (the server may
  /// have run the command). Fails with errc::store_unavailable when Redis cannot be reached.
  result<redis_reply> command(const std::vector<std::string_view>& args);

  /// Returns true if the context is open and not in an error state.
  [[nodiscard]] bool is_connected() const noexcept;

 private:
  explicit redis_connection(redis_settings settings) : settings_(std::move(settings)) {}

  result<void> reconnect();
  void disconnect() noexcept;
  // One send and receive without retry; sets *retryable when a resend is safe.
  result<redis_reply> round_trip(const std::vector<std::string_view>& args, bool* retryable);

  redis_settings settings_;
  redisContext* context_ = nullptr;
};

/// Returns true if `err` is an error reply whose code (its first word) is `code`, e.g. "NOSCRIPT".
bool is_error_reply(const error& err, std::string_view code);

}  // namespace sb::internal
