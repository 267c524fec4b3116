#pragma once

// sbctl's NATS side (`--nats URL`): admin requests on `sb.admin.<member>` / `sb.admin.any`,
// answered by the nodes' responders (runtime/gateway/nats_admin.hpp), and the live events on
// `sb.events.<pattern>`. node_client.cpp chooses between this and HTTP; subcommands do not see it.

#include <chrono>
#include <functional>
#include <string>

#include "runtime/gateway/admin_protocol.hpp"
#include "runtime/result.hpp"

namespace sb::sbctl {

/// Returns `url` with any password replaced by "***" (nats://ops:***@host:4222), for messages.
std::string redacted(const std::string& url);

/// Sends `req` to node `member` (empty: any node) of the cluster behind the NATS server(s) `url`
/// (comma-separated; credentials may be in them) and returns the node's reply. Errors:
/// bus_unavailable (cannot connect), not_found (no node listens), timeout; each message names
/// the URL. One connection per URL is kept for the process's life. Main thread only.
result<gateway::admin_reply> nats_call(const std::string& url, const std::string& member,
                                       const gateway::admin_request& req,
                                       std::chrono::milliseconds timeout);

/// Subscribes to `sb.events.<pattern>` and calls `on_line` on the calling thread with each event
/// as GET /v1/events/stream writes it (runtime/event_lines.hpp), until it returns false or
/// `seconds` pass (0: never). Returns an error when the subscription cannot be made.
result<void> nats_follow(const std::string& url, const std::string& pattern, double seconds,
                         const std::function<bool(const std::string& line)>& on_line);

}  // namespace sb::sbctl
