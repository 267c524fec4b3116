#pragma once

// The one runtime header that includes spdlog: components log through the loggers it hands out.
#include <spdlog/logger.h>

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/result.hpp"

namespace sb {

/// How the node writes its log. Filled from the node config at start-up and passed to
/// setup_logging(); plain values, no validation until then.
struct logging_options {
  /// Minimum level written: "trace", "debug", "info", "warn" or "error".
  std::string level = "info";
  /// "text" (one human-readable line per message) or "json" (one JSON object per line).
  std::string format = "text";
  /// This node's id, written on every line.
  std::string node_id;
  /// Where lines go; nullptr means stderr. For tests: the stream must outlive this configuration,
  /// so call setup_logging() again (e.g. with defaults) before destroying it.
  std::ostream* output = nullptr;
};

/// Configures every logger handed out by get_logger(), past and future, and makes the "main"
/// logger spdlog's default (so `spdlog::info(...)` uses it too). Safe to call again to reconfigure.
/// Text lines look like `2024-05-01T12:34:56.789Z [info] [node-1] [timers] message key=value`;
/// JSON lines are objects with keys ts (ISO-8601 UTC, ms), level, node, logger, msg and then any
/// context fields. Level names are spdlog's ("warning" for warn).
/// Returns invalid_argument for an unknown level or format, and then changes nothing.
/// Do not call `set_pattern`/`set_formatter` on these loggers or spdlog globally: it would replace
/// the formatters configured here.
result<void> setup_logging(const logging_options& opts);

/// Returns the logger named `component` ("registry", "timers", "gateway", ...), created on first
/// use with the configured sinks and level. Thread-safe; the same object for the same name. Before
/// setup_logging() is called, loggers write text at level info to stderr.
std::shared_ptr<spdlog::logger> get_logger(std::string_view component);

/// Context fields of one log line, e.g. {{"actor_kind", "conversation"}, {"actor_key", "web:v1"}}.
using log_fields = std::vector<std::pair<std::string, std::string>>;

/// Writes `msg` (taken verbatim, not as a format string) at `level` with context `fields`: in JSON
/// they become top-level string keys of the line (a key clashing with ts, level, node, logger or
/// msg is written as `ctx_<key>`); in text they are appended as ` key=value`, with values quoted
/// and escaped when they contain spaces, quotes, '=' or control characters. Fields reach only the
/// sinks configured by setup_logging(), and only for synchronous loggers such as those of
/// get_logger().
void log_with(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg,
              const log_fields& fields);

/// Same as above, for the shared pointer that get_logger() returns.
inline void log_with(const std::shared_ptr<spdlog::logger>& logger, spdlog::level::level_enum level,
                     std::string_view msg, const log_fields& fields) {
  log_with(*logger, level, msg, fields);
}

}  // namespace sb
