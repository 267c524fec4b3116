#include "runtime/internal/redis_connection.hpp"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <sys/time.h>

#include <cerrno>
#include <csignal>
#include <ctime>

namespace sb::internal {

namespace {

constexpr std::string_view error_reply_marker = "error reply: ";

// hiredis 0.14 writes with write(2), so a server that went away raises SIGPIPE, which would kill
// the process. As libpq does, block SIGPIPE on this thread for the call and swallow any SIGPIPE
// the call itself raised, without touching the process-wide disposition.
class sigpipe_guard {
 public:
  sigpipe_guard() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &sigpipe_, &old_mask_);
    was_pending_ = pending();
  }

  sigpipe_guard(const sigpipe_guard&) = delete;
  sigpipe_guard& operator=(const sigpipe_guard&) = delete;

  ~sigpipe_guard() {
    if (!was_pending_ && pending()) {
      timespec zero{0, 0};
      sigtimedwait(&sigpipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }

 private:
  static bool pending() {
    sigset_t set;
    sigemptyset(&set);
    sigpending(&set);
    return sigismember(&set, SIGPIPE) == 1;
  }

  sigset_t sigpipe_;
  sigset_t old_mask_;
  bool was_pending_ = false;
};

timeval to_timeval(int64_t ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

result<redis_reply> convert(const redisReply* reply, std::string_view command) {
  redis_reply out;
  switch (reply->type) {
    case REDIS_REPLY_STRING:
      out.kind = redis_reply::type::string;
      out.str.assign(reply->str, reply->len);
      return out;
    case REDIS_REPLY_STATUS:
      out.kind = redis_reply::type::status;
      out.str.assign(reply->str, reply->len);
      return out;
    case REDIS_REPLY_INTEGER:
      out.kind = redis_reply::type::integer;
      out.integer = reply->integer;
      return out;
    case REDIS_REPLY_NIL:
      return out;
    case REDIS_REPLY_ARRAY:
      out.kind = redis_reply::type::array;
      out.elements.reserve(reply->elements);
      for (size_t i = 0; i < reply->elements; ++i) {
        auto element = convert(reply->element[i], command);
        if (!element) {
          return element.err();
        }
        out.elements.push_back(std::move(*element));
      }
      return out;
    case REDIS_REPLY_ERROR:
      return error{errc::store_protocol, std::string{command} + " got " +
                                             std::string{error_reply_marker} +
                                             std::string{reply->str, reply->len}};
    default:
      return error{errc::store_protocol,
                   std::string{command} + " got reply type " + std::to_string(reply->type)};
  }
}

}  // namespace

result<redis_connection> redis_connection::connect(const redis_settings& settings) {
  redis_connection conn{settings};
  if (auto connected = conn.reconnect(); !connected) {
    return connected.err();
  }
  return conn;
}

redis_connection::redis_connection(redis_connection&& other) noexcept
    : settings_(std::move(other.settings_)), context_(other.context_) {
  other.context_ = nullptr;
}

redis_connection& redis_connection::operator=(redis_connection&& other) noexcept {
  if (this != &other) {
    disconnect();
    settings_ = std::move(other.settings_);
    context_ = other.context_;
    other.context_ = nullptr;
  }
  return *this;
}

redis_connection::~redis_connection() {
  disconnect();
}

bool redis_connection::is_connected() const noexcept {
  return context_ != nullptr && context_->err == 0;
}

void redis_connection::disconnect() noexcept {
  if (context_ != nullptr) {
    redisFree(context_);
    context_ = nullptr;
  }
}

result<void> redis_connection::reconnect() {
  disconnect();
  const std::string where = settings_.host + ":" + std::to_string(settings_.port);
  const timeval timeout = to_timeval(settings_.timeout_ms);
  redisContext* ctx = redisConnectWithTimeout(settings_.host.c_str(), settings_.port, timeout);
  if (ctx == nullptr) {
    return error{errc::store_unavailable, "cannot allocate a Redis context for " + where};
  }
  if (ctx->err != 0) {
    // On "connection refused" hiredis returns a context with err set, which we must free.
    error err{errc::store_unavailable, "cannot connect to Redis at " + where + ": " + ctx->errstr};
    redisFree(ctx);
    return err;
  }
  context_ = ctx;
  // A fresh context has no socket timeout (hiredis forgets it on every reconnect), so set it here,
  // before AUTH and SELECT, which could block as well.
  if (redisSetTimeout(context_, timeout) != REDIS_OK) {
    disconnect();
    return error{errc::store_unavailable, "cannot set the socket timeout for " + where};
  }
  redisEnableKeepAlive(context_);
  bool ignored = false;
  if (!settings_.password.empty()) {
    if (auto auth = round_trip({"AUTH", settings_.password}, &ignored); !auth) {
      disconnect();
      return error{errc::store_unavailable, "Redis at " + where + ": " + auth.err().message};
    }
  }
  const std::string db = std::to_string(settings_.db);
  if (auto select = round_trip({"SELECT", db}, &ignored); !select) {
    disconnect();
    return error{errc::store_unavailable, "Redis at " + where + ": " + select.err().message};
  }
  return {};
}

result<redis_reply> redis_connection::round_trip(const std::vector<std::string_view>& args,
                                                 bool* retryable) {
  *retryable = false;
  std::vector<const char*> argv;
  std::vector<size_t> argv_len;
  argv.reserve(args.size());
  argv_len.reserve(args.size());
  for (auto arg : args) {
    argv.push_back(arg.data());
    argv_len.push_back(arg.size());
  }
  const std::string_view name = args.empty() ? std::string_view{"(empty)"} : args.front();
  void* raw = nullptr;
  int saved_errno = 0;
  {
    sigpipe_guard guard;
    errno = 0;
    raw = redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), argv_len.data());
    saved_errno = errno;
  }
  if (raw == nullptr) {
    // The context is unusable after any failure without a reply.
    const int kind = context_->err;
    std::string why = name.empty() ? std::string{} : std::string{name} + ": ";
    why += context_->errstr;
    disconnect();
    if (kind == REDIS_ERR_PROTOCOL) {
      return error{errc::store_protocol, why};
    }
    // A closed connection is worth one fresh try; after a timeout the server may still run the
    // command, so resending it could apply it twice.
    const bool timed_out =
        kind == REDIS_ERR_IO && (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK);
    *retryable = kind == REDIS_ERR_EOF || (kind == REDIS_ERR_IO && !timed_out);
    if (timed_out) {
      why += " (timed out after " + std::to_string(settings_.timeout_ms) + " ms)";
    }
    return error{errc::store_unavailable, why};
  }
  auto* reply = static_cast<redisReply*>(raw);
  auto out = convert(reply, name);
  freeReplyObject(reply);
  return out;
}

result<redis_reply> redis_connection::command(const std::vector<std::string_view>& args) {
  // At most one reconnect per command: either the lazy one for a connection that failed earlier,
  // or the one after finding this connection closed.
  bool reconnected = false;
  if (!is_connected()) {
    if (auto connected = reconnect(); !connected) {
      return connected.err();
    }
    reconnected = true;
  }
  bool retryable = false;
  auto reply = round_trip(args, &retryable);
  if (reply.ok() || !retryable || reconnected) {
    return reply;
  }
  if (auto connected = reconnect(); !connected) {
    return connected.err();
  }
  return round_trip(args, &retryable);
}

bool is_error_reply(const error& err, std::string_view code) {
  if (err.code != errc::store_protocol) {
    return false;
  }
  auto pos = err.message.find(error_reply_marker);
  if (pos == std::string::npos) {
    return false;
  }
  std::string_view text{err.message};
  text.remove_prefix(pos + error_reply_marker.size());
  return text.substr(0, code.size()) == code &&
         (text.size() == code.size() || text[code.size()] == ' ');
}

}  // namespace sb::internal
