#include "runtime/logging.hpp"
#include "runtime/privacy/pii_mask.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <optional>

namespace sb {
namespace {

// The context fields of the line being logged on this thread. log_with() sets them around a
// synchronous log call, so the formatters (running on the same thread) see them without the
// fields having to be smuggled through the message text.
thread_local const log_fields* current_fields = nullptr;

const log_fields& fields_of_current_line() {
  static const log_fields none;
  return current_fields != nullptr ? *current_fields : none;
}

void append(spdlog::memory_buf_t& dest, std::string_view s) {
  dest.append(s.data(), s.data() + s.size());
}

std::string_view to_std(spdlog::string_view_t s) {
  return {s.data(), s.size()};
}

// logfmt-style quoting, so that a value with a space or '=' cannot be read as another field.
void append_text_value(spdlog::memory_buf_t& dest, std::string_view v) {
  bool plain = !v.empty();
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20 ||
        c == 0x7f)
      plain = false;
  if (plain) {
    append(dest, v);
    return;
  }
  dest.push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') {
      dest.push_back('\\');
      dest.push_back(c);
    } else if (c == '\n') {
      append(dest, "\\n");
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char hex[8];
      auto byte = static_cast<unsigned>(static_cast<unsigned char>(c));
      std::snprintf(hex, sizeof hex, "\\x%02x", byte);
      append(dest, hex);
    } else {
      dest.push_back(c);
    }
  }
  dest.push_back('"');
}

/// The `%&` flag of the text pattern: the context fields as ` key=value`.
class fields_flag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    for (const auto& [key, value] : fields_of_current_line()) {
      dest.push_back(' ');
      append(dest, key);
      dest.push_back('=');
      append_text_value(dest, mask_pii(value));
    }
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<fields_flag>();
  }
};

std::string iso8601_utc_ms(spdlog::log_clock::time_point tp) {
  using namespace std::chrono;
  auto secs = floor<seconds>(tp);
  auto ms = duration_cast<milliseconds>(tp - secs).count();
  std::time_t t = system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

// A formatter rather than a pattern string: a pattern cannot escape the message for JSON.
class json_formatter final : public spdlog::formatter {
 public:
  explicit json_formatter(std::string node) : node_(std::move(node)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json line;
    line["ts"] = iso8601_utc_ms(msg.time);
    line["level"] = to_std(spdlog::level::to_string_view(msg.level));
    line["node"] = node_;
    line["logger"] = to_std(msg.logger_name);
    line["msg"] = to_std(msg.payload);
    for (const auto& [key, value] : fields_of_current_line()) {
      bool reserved =
          key == "ts" || key == "level" || key == "node" || key == "logger" || key == "msg";
      line[reserved ? "ctx_" + key : key] = mask_pii(value);
    }
    // Invalid UTF-8 becomes U+FFFD instead of an exception thrown from inside a sink.
    append(dest, line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    append(dest, spdlog::details::os::default_eol);
  }

  [[nodiscard]] std::unique_ptr<formatter> clone() const override {
    return std::make_unique<json_formatter>(node_);
  }

 private:
  std::string node_;
};

std::unique_ptr<spdlog::formatter> make_text_formatter(const std::string& node) {
  std::string escaped;  // the node id is pasted into the pattern, where '%' is special
  for (char c : node)
    escaped += c == '%' ? std::string{"%%"} : std::string(1, c);
  auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  f->add_flag<fields_flag>('&').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ [%^%l%$] [" + escaped +
                                            "] [%n] %v%&");
  return f;
}

// Masks personal data (phones, ID and card numbers, e-mails) in every message before any
// formatter sees it: logs never hold them, whatever a caller passes.
class masking_sink final : public spdlog::sinks::sink {
 public:
  explicit masking_sink(spdlog::sink_ptr inner) : inner_(std::move(inner)) {}

  void log(const spdlog::details::log_msg& msg) override {
    auto masked = mask_pii(std::string_view{msg.payload.data(), msg.payload.size()});
    spdlog::details::log_msg copy{msg};
    copy.payload = spdlog::string_view_t{masked.data(), masked.size()};
    inner_->log(copy);
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> f) override {
    inner_->set_formatter(std::move(f));
  }

 private:
  spdlog::sink_ptr inner_;
};

spdlog::sink_ptr make_target(const logging_options& opts) {
  bool json = opts.format == "json";
  spdlog::sink_ptr sink;
  if (opts.output != nullptr)
    sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*opts.output);
  else if (json)
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  else
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  if (json)
    sink->set_formatter(std::make_unique<json_formatter>(opts.node_id));
  else
    sink->set_formatter(make_text_formatter(opts.node_id));
  return std::make_shared<masking_sink>(std::move(sink));
}

std::optional<spdlog::level::level_enum> parse_level(std::string_view s) {
  using spdlog::level::level_enum;
  if (s == "trace")
    return level_enum::trace;
  if (s == "debug")
    return level_enum::debug;
  if (s == "info")
    return level_enum::info;
  if (s == "warn")
    return level_enum::warn;
  if (s == "error")
    return level_enum::err;
  return std::nullopt;
}

// Every logger writes into one distributing sink whose target setup_logging() swaps, so loggers
// that components created and cached earlier follow a reconfiguration.
struct logging_state {
  std::mutex mutex;
  std::shared_ptr<spdlog::sinks::dist_sink_mt> sink;
  spdlog::level::level_enum level = spdlog::level::info;
};

logging_state& state() {
  // Never destroyed: static destructors and late threads may still log during exit.
  static logging_state* s = [] {
    auto* st = new logging_state;
    st->sink = std::make_shared<spdlog::sinks::dist_sink_mt>();
    st->sink->set_sinks({make_target(logging_options{})});
    return st;
  }();
  return *s;
}

/// Restores the previous thread's fields even if logging throws.
class fields_scope {
 public:
  explicit fields_scope(const log_fields& f) : previous_(current_fields) { current_fields = &f; }
  ~fields_scope() { current_fields = previous_; }
  fields_scope(const fields_scope&) = delete;
  fields_scope& operator=(const fields_scope&) = delete;

 private:
  const log_fields* previous_;
};

}  // namespace

result<void> setup_logging(const logging_options& opts) {
  auto level = parse_level(opts.level);
  if (!level)
    return {errc::invalid_argument,
            "log level '" + opts.level + "' is not one of trace, debug, info, warn, error"};
  if (opts.format != "text" && opts.format != "json")
    return {errc::invalid_argument, "log format '" + opts.format + "' is not one of text, json"};
  auto target = make_target(opts);
  auto& s = state();
  {
    std::lock_guard<std::mutex> guard{s.mutex};
    s.level = *level;
    s.sink->set_sinks({std::move(target)});
  }
  spdlog::set_level(*level);
  spdlog::set_default_logger(get_logger("main"));
  return {};
}

std::shared_ptr<spdlog::logger> get_logger(std::string_view component) {
  auto& s = state();
  std::string name{component};
  // Under our mutex so that two first uses of a name cannot both try to register it.
  std::lock_guard<std::mutex> guard{s.mutex};
  if (auto existing = spdlog::get(name))
    return existing;
  auto logger = std::make_shared<spdlog::logger>(name, s.sink);
  logger->set_level(s.level);
  spdlog::register_logger(logger);
  return logger;
}

void log_with(spdlog::logger& logger, spdlog::level::level_enum level, std::string_view msg,
              const log_fields& fields) {
  if (!logger.should_log(level))
    return;
  fields_scope scope{fields};
  logger.log(level, spdlog::string_view_t{msg.data(), msg.size()});
}

}  // namespace sb
