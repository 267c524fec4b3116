#pragma once

// How sbctl talks to a node: over NATS request/reply to any member of a cluster (`--nats URL`,
// default $SB_NATS when no --node is given; `--node ID` then picks the member), or over one
// node's admin HTTP API (`--node URL`, default $SB_NODE or http://127.0.0.1:8080); either way with
// the admin token (`--token`, default $SB_ADMIN_TOKEN). Each call turns the outcome into an sbctl
// exit code and a message, so subcommands only format answers and never see the transport.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace sb::sbctl {

/// Exit codes of the commands that talk to a node (besides commands.hpp's).
constexpr int exit_unreachable = 4;  ///< No node answered (refused, timeout, no responder).
constexpr int exit_not_found = 5;    ///< The node answered 404: no such actor, campaign, ...

/// Where a command's node is and how it answers; filled from the command line.
struct node_options {
  /// --node as given ("" if not): a URL over HTTP, a member id over NATS.
  std::string url;
  std::string token;
  bool json = false;
  /// --nats as given ("" if not).
  std::string nats;
  /// Over NATS, the member a command targets itself (`sbctl nodes` asks each); "" follows --node.
  std::string member;
};

/// Adds --node, --nats, --token and --json to `cmd`, with the environment's defaults.
void add_node_options(CLI::App& cmd, node_options& opts);

/// Returns the NATS URL the command talks to: --nats, else $SB_NATS when --node is not given or
/// names a member (no "://"), else "" (HTTP).
std::string nats_url_of(const node_options& opts);

/// Returns the node's admin URL over HTTP: --node, else $SB_NODE, else http://127.0.0.1:8080.
std::string node_url_of(const node_options& opts);

/// Returns the member a NATS call goes to ("" for any node): `member`, else --node.
std::string member_of(const node_options& opts);

/// Returns whether `id` can name a member (1 to 64 letters, digits, '-' or '_', as node.id).
bool is_member_id(const std::string& id);

/// An answer of the node: the exit code to use and the JSON body (an error body's message is in
/// `message`).
struct node_answer {
  int exit_code = 0;
  nlohmann::json body;
  std::string message;
};

/// Sends `method` (GET or POST) of `path` with an optional JSON body and the admin token, over
/// NATS (to member_of(opts), or any node) or HTTP; a non-2xx status or an unreachable node gives
/// a non-zero exit code and a message naming them. Extra headers go over NATS only when X-SB-*.
node_answer call_node(const node_options& opts, const std::string& method, const std::string& path,
                      const nlohmann::json* body = nullptr,
                      const std::vector<std::pair<std::string, std::string>>& headers = {});

/// Streams `path` (newline-delimited JSON) and calls `on_line` for each non-empty line until it
/// returns false, `seconds` pass (0: no limit) or the node closes the stream; returns the exit code
/// (0, or as call_node for a refused or unreachable node).
int stream_node(const node_options& opts, const std::string& path, double seconds,
                const std::function<bool(const std::string& line)>& on_line, std::string& message);

/// Follows the events matching the topic `pattern` as GET /v1/events/stream prints them: over
/// HTTP that stream of one node; over NATS, after one admin request has checked the token, a
/// subscription to `sb.events.<pattern>` (every node's events). Calls `on_line` for each until it
/// returns false or `seconds` pass (0: no limit); returns the exit code (message set when not 0).
int follow_events(const node_options& opts, const std::string& pattern, double seconds,
                  const std::function<bool(const std::string& line)>& on_line,
                  std::string& message);

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

/// Returns a number of seconds as a short duration cell: "45s", "12m05s", "3h07m", "2d04h"; "-"
/// when `seconds` is not a number or negative.
std::string duration_cell(const nlohmann::json& seconds);

}  // namespace sb::sbctl
