#pragma once

// How sbctl talks to one node: its admin HTTP API (`--node URL`, default $SB_NODE or
// http://127.0.0.1:8080) with the admin token (`--token`, default $SB_ADMIN_TOKEN). Each call
// turns the outcome into an sbctl exit code and a message, so subcommands only format answers.

#include <functional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace sb::sbctl {

/// Exit codes of the commands that talk to a node (besides commands.hpp's).
constexpr int exit_unreachable = 4;  ///< The node did not answer (refused, timeout, bad URL).
constexpr int exit_not_found = 5;    ///< The node answered 404: no such actor, campaign, ...

/// Where a command's node is and how it answers; filled from the command line.
struct node_options {
  std::string url;
  std::string token;
  bool json = false;
};

/// Adds --node, --token and --json to `cmd`, with the environment's defaults.
void add_node_options(CLI::App& cmd, node_options& opts);

/// An answer of the node: the exit code to use and the JSON body (an error body's message is in
/// `message`).
struct node_answer {
  int exit_code = 0;
  nlohmann::json body;
  std::string message;
};

/// Sends `method` (GET or POST) of `path` with an optional JSON body and the admin token; a
/// non-2xx status or an unreachable node gives a non-zero exit code and a message naming them.
node_answer call_node(const node_options& opts, const std::string& method, const std::string& path,
                      const nlohmann::json* body = nullptr,
                      const std::vector<std::pair<std::string, std::string>>& headers = {});

/// Streams `path` (newline-delimited JSON) and calls `on_line` for each non-empty line until it
/// returns false, `seconds` pass (0: no limit) or the node closes the stream; returns the exit code
/// (0, or as call_node for a refused or unreachable node).
int stream_node(const node_options& opts, const std::string& path, double seconds,
                const std::function<bool(const std::string& line)>& on_line, std::string& message);

/// Prints `answer` when it failed (message on stderr) and returns its exit code; prints nothing and
/// returns 0 on success.
int report_failure(const node_answer& answer, const char* command);

/// Prints a successful answer as JSON (with --json) or through `show`, a failed one as
/// report_failure() does; returns the exit code.
int print_answer(const node_options& opts, const node_answer& answer, const char* command,
                 const std::function<void(const nlohmann::json&)>& show);

/// Returns `text` percent-encoded for one URL path segment ("web:v-1#2" -> "web%3Av-1%232").
std::string path_segment(const std::string& text);

/// Renders rows as a table with a header line, each column as wide as its widest cell, cells cut
/// with "…" so that the line fits `width` columns (counting a CJK character as two).
std::string table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows, size_t width = 100);

/// Returns a JSON value as a table cell: strings bare, null as "-", numbers as written.
std::string cell(const nlohmann::json& value);

}  // namespace sb::sbctl
