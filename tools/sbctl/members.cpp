#include "tools/sbctl/members.hpp"

#include <algorithm>

#include "tools/sbctl/commands.hpp"

namespace sb::sbctl {

namespace {

using json = nlohmann::json;

json cluster_of(const json& node_body) {
  if (!node_body.is_object() || !node_body.contains("nodes") || !node_body["nodes"].is_array() ||
      node_body["nodes"].empty() || !node_body["nodes"][0].is_object()) {
    return nullptr;
  }
  return node_body["nodes"][0].value("cluster", json{});
}

}  // namespace

std::vector<std::string> members_in(const json& node_body) {
  std::vector<std::string> out;
  const auto cluster = cluster_of(node_body);
  if (cluster.is_object() && cluster.contains("members") && cluster["members"].is_array()) {
    for (const auto& m : cluster["members"]) {
      if (m.is_string()) {
        out.push_back(m.get<std::string>());
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::pair<std::string, std::string>> gateways_in(const json& node_body) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto cluster = cluster_of(node_body);
  if (cluster.is_object() && cluster.contains("member_gateways") &&
      cluster["member_gateways"].is_object()) {
    for (const auto& [id, url] : cluster["member_gateways"].items()) {
      if (url.is_string()) {
        out.emplace_back(id, url.get<std::string>());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<member_answer> ask_members(const node_options& opts,
                                       const std::vector<std::string>& members,
                                       const std::string& method, const std::string& path) {
  std::vector<member_answer> out;
  for (const auto& m : members) {
    node_options one = opts;
    one.member = m;
    out.push_back({m, call_node(one, method, path)});
  }
  return out;
}

member_list members_to_ask(const node_options& opts) {
  member_list out;
  if (!member_of(opts).empty()) {
    out.members.push_back(member_of(opts));
    return out;
  }
  auto any = call_node(opts, "GET", "/v1/node");
  if (any.exit_code != 0) {
    out.failure = std::move(any);
    return out;
  }
  out.members = members_in(any.body);
  if (out.members.empty()) {
    out.failure.exit_code = exit_failure;
    out.failure.message = "the node that answered lists no cluster members";
  }
  return out;
}

}  // namespace sb::sbctl
