#pragma once

// Asking every member of a cluster, for the commands that show the whole cluster (`nodes`,
// `actors`): over NATS each member directly on `sb.admin.<id>`; over HTTP through the gateway
// each member announced. A member that does not answer is reported, not fatal.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/sbctl/node_client.hpp"

namespace sb::sbctl {

/// One member's answer to the same request.
struct member_answer {
  std::string member;  ///< The node id.
  node_answer answer;
};

/// Returns the members listed in a GET /v1/node answer (`nodes[0].cluster.members`), sorted;
/// empty for a node that is not in a cluster.
std::vector<std::string> members_in(const nlohmann::json& node_body);

/// Returns the member gateways announced in a GET /v1/node answer (`member_gateways`), as
/// (node id, URL) pairs sorted by node id.
std::vector<std::pair<std::string, std::string>> gateways_in(const nlohmann::json& node_body);

/// Over NATS, sends `method` `path` to each of `members` on `sb.admin.<id>`, in order, and
/// returns every answer (failed ones too).
std::vector<member_answer> ask_members(const node_options& opts,
                                       const std::vector<std::string>& members,
                                       const std::string& method, const std::string& path);

/// The members a cluster-wide command asks, or why there are none.
struct member_list {
  std::vector<std::string> members;
  node_answer failure;  ///< exit_code != 0 when the list could not be had.
};

/// Returns the members a cluster-wide command asks over NATS: --node's member alone when given,
/// else every member that any node lists (one GET /v1/node on `sb.admin.any`).
member_list members_to_ask(const node_options& opts);

}  // namespace sb::sbctl
