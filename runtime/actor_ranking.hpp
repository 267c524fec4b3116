#pragma once

// Ranking live actors the way GET /v1/actors?top= does, for lists gathered from several nodes
// (`sbctl actors` over NATS asks every member and merges their answers).

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb {

/// What `top` ranks live actors by.
enum class actor_order {
  recent,    ///< Most recently active first (last_active_ms descending).
  mailbox,   ///< Longest mailbox first (mailbox_depth descending).
  age,       ///< Activated longest ago first (activated_at_ms ascending).
  messages,  ///< Most messages handled since activation first (messages_handled descending).
};

/// Returns the order named `name` ("recent", "mailbox", "age", "messages"), or nullopt.
std::optional<actor_order> actor_order_of(std::string_view name);

/// Returns whether the live-actor entry `a` ranks before `b` (entries as GET /v1/actors lists
/// them: activated_at_ms, last_active_ms, messages_handled, mailbox_depth; a missing number counts
/// as 0). Ties go to the most recently active, then to node_id, kind and key in ascending order,
/// so that a merged list does not depend on the order the nodes answered in. Pure.
bool ranks_before(const nlohmann::json& a, const nlohmann::json& b, actor_order order);

/// Merges answers of GET /v1/actors from several nodes ({"node_id", "total", "actors": [...]})
/// into one: {"top": <order name>, "total": <sum of totals>, "nodes": [{"node_id", "total"}...],
/// "actors": [...]}, each actor tagged with its node's node_id, ranked by `order` and cut to
/// `limit`. Answers that are not objects are skipped. Pure.
nlohmann::json merge_actor_lists(const std::vector<nlohmann::json>& answers, actor_order order,
                                 size_t limit);

/// Returns the name of `order` ("recent", ...).
std::string_view to_string(actor_order order) noexcept;

}  // namespace sb
