#include "runtime/logging.hpp"

#include <doctest/doctest.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

/// Returns whether `s` starts with an ISO-8601 UTC timestamp with milliseconds,
/// e.g. 2024-05-01T12:34:56.789Z. (Not std::regex: GCC 12 warns inside it under sanitizers.)
bool starts_with_iso_utc_ms(std::string_view s) {
  constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (s.size() < shape.size())
    return false;
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
      return false;
  return true;
}

/// Captures log lines in a string stream and restores stderr logging at the end of the test, so no
/// logger is left writing into a destroyed stream.
struct captured_log {
  std::ostringstream out;

  explicit captured_log(const std::string& format, const std::string& level = "info") {
    sb::logging_options opts;
    opts.level = level;
    opts.format = format;
    opts.node_id = "node-1";
    opts.output = &out;
    REQUIRE(sb::setup_logging(opts).ok());
  }
  ~captured_log() { CHECK(sb::setup_logging(sb::logging_options{}).ok()); }
  captured_log(const captured_log&) = delete;
  captured_log& operator=(const captured_log&) = delete;

  [[nodiscard]] std::vector<std::string> lines() const {
    std::vector<std::string> result;
    std::istringstream in{out.str()};
    for (std::string line; std::getline(in, line);)
      result.push_back(line);
    return result;
  }

  [[nodiscard]] std::vector<nlohmann::json> json_lines() const {
    std::vector<nlohmann::json> result;
    for (const auto& line : lines())
      result.push_back(nlohmann::json::parse(line));  // throws, failing the test, if not JSON
    return result;
  }
};

}  // namespace

TEST_CASE("json format writes one parseable object per line with ts, level, node, logger and msg") {
  captured_log log{"json"};
  sb::get_logger("registry")->info("spawned {} actors", 3);
  sb::get_logger("timers")->warn("late by {} ms", 12);
  spdlog::info("through the default logger");
  auto lines = log.json_lines();
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["level"] == "info");
  CHECK(lines[0]["node"] == "node-1");
  CHECK(lines[0]["logger"] == "registry");
  CHECK(lines[0]["msg"] == "spawned 3 actors");
  CHECK(lines[1]["level"] == "warning");
  CHECK(lines[1]["logger"] == "timers");
  CHECK(lines[2]["logger"] == "main");
  for (const auto& line : lines) {
    CHECK(line.size() == 5);
    auto ts = line["ts"].get<std::string>();
    CHECK(ts.size() == 24);
    CHECK(starts_with_iso_utc_ms(ts));
  }
}

TEST_CASE("json messages with quotes, newlines, control characters and Chinese text survive") {
  captured_log log{"json"};
  const std::string tricky = "say \"hi\"\nback\\slash\ttab\x01 你好，客服";
  sb::get_logger("gateway")->info(tricky);
  sb::get_logger("gateway")->info("broken utf-8: \xff\xfe end");
  REQUIRE(log.lines().size() == 2);  // the newline in the message is escaped, not a line break
  auto lines = log.json_lines();
  CHECK(lines[0]["msg"] == tricky);
  CHECK(lines[1]["msg"] == "broken utf-8: \xEF\xBF\xBD\xEF\xBF\xBD end");  // two U+FFFD
}

TEST_CASE("context fields become top-level keys of the json line") {
  captured_log log{"json"};
  auto logger = sb::get_logger("registry");
  sb::log_with(logger, spdlog::level::info, "activated {not a format}",
               {{"actor_kind", "conversation"}, {"actor_key", "web:v1"}, {"msg", "clash"}});
  logger->info("no fields here");
  auto lines = log.json_lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["msg"] == "activated {not a format}");
  CHECK(lines[0]["actor_kind"] == "conversation");
  CHECK(lines[0]["actor_key"] == "web:v1");
  CHECK(lines[0]["ctx_msg"] == "clash");
  CHECK(lines[1].size() == 5);
}

TEST_CASE("text format contains the level, node, logger name and message") {
  captured_log log{"text"};
  sb::get_logger("timers")->error("timer {} fired twice", "t-7");
  auto lines = log.lines();
  REQUIRE(lines.size() == 1);
  CHECK(starts_with_iso_utc_ms(lines[0]));
  CHECK(lines[0].find("[error]") != std::string::npos);
  CHECK(lines[0].find("[node-1]") != std::string::npos);
  CHECK(lines[0].find("[timers]") != std::string::npos);
  CHECK(lines[0].find("timer t-7 fired twice") != std::string::npos);
}

TEST_CASE("context fields are appended as key=value in text, quoted when needed") {
  captured_log log{"text"};
  sb::log_with(sb::get_logger("registry"), spdlog::level::info, "activated",
               {{"actor_kind", "conversation"}, {"note", "two words"}, {"why", "a\"b\nc"}});
  auto lines = log.lines();
  REQUIRE(lines.size() == 1);  // the newline in a value is escaped too
  const std::string expected_tail =
      "activated actor_kind=conversation note=\"two words\" why=\"a\\\"b\\nc\"";
  REQUIRE(lines[0].size() > expected_tail.size());
  CHECK(lines[0].substr(lines[0].size() - expected_tail.size()) == expected_tail);
}

TEST_CASE("messages below the configured level are dropped, also by loggers created earlier") {
  auto early = sb::get_logger("early");
  captured_log log{"json", "warn"};
  early->info("dropped");
  sb::log_with(early, spdlog::level::debug, "dropped too", {{"k", "v"}});
  early->warn("kept");
  auto lines = log.json_lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["msg"] == "kept");
}

TEST_CASE("the same component gets the same logger") {
  CHECK(sb::get_logger("gateway") == sb::get_logger("gateway"));
  CHECK(sb::get_logger("gateway") != sb::get_logger("registry"));
}

TEST_CASE("an unknown level or format is an error value and changes nothing") {
  captured_log log{"json"};
  sb::logging_options bad_level;
  bad_level.level = "verbose";
  auto r = sb::setup_logging(bad_level);
  REQUIRE(!r.ok());
  CHECK(r.err().code == sb::errc::invalid_argument);
  sb::logging_options bad_format;
  bad_format.format = "xml";
  CHECK(!sb::setup_logging(bad_format).ok());
  sb::get_logger("registry")->info("still json");
  CHECK(log.json_lines().at(0)["msg"] == "still json");
}

TEST_CASE("personal data is masked in log messages and context fields, text and json alike") {
  for (const char* format : {"text", "json"}) {
    CAPTURE(format);
    captured_log log{format};
    sb::log_with(sb::get_logger("gateway"), spdlog::level::warn,
                 "shopper 13812345678 wrote from alice@example.com",
                 {{"person", "phone:13912345678"}});
    auto text = log.out.str();
    CHECK(text.find("13812345678") == std::string::npos);
    CHECK(text.find("13912345678") == std::string::npos);
    CHECK(text.find("alice@example.com") == std::string::npos);
    CHECK(text.find("138****5678") != std::string::npos);
    CHECK(text.find("139****5678") != std::string::npos);
  }
}
