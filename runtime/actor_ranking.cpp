#include "runtime/actor_ranking.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>

namespace sb {

namespace {

int64_t number(const nlohmann::json& entry, const char* key) {
  if (!entry.is_object()) {
    return 0;
  }
  auto it = entry.find(key);
  return it != entry.end() && it->is_number() ? it->get<int64_t>() : 0;
}

std::string text(const nlohmann::json& entry, const char* key) {
  if (!entry.is_object()) {
    return {};
  }
  auto it = entry.find(key);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

std::optional<actor_order> actor_order_of(std::string_view name) {
  for (auto o :
       {actor_order::recent, actor_order::mailbox, actor_order::age, actor_order::messages}) {
    if (to_string(o) == name) {
      return o;
    }
  }
  return std::nullopt;
}

std::string_view to_string(actor_order order) noexcept {
  switch (order) {
    case actor_order::mailbox:
      return "mailbox";
    case actor_order::age:
      return "age";
    case actor_order::messages:
      return "messages";
    case actor_order::recent:
      break;
  }
  return "recent";
}

bool ranks_before(const nlohmann::json& a, const nlohmann::json& b, actor_order order) {
  auto differ = [&](const char* key) { return number(a, key) != number(b, key); };
  switch (order) {
    case actor_order::mailbox:
      if (differ("mailbox_depth")) {
        return number(a, "mailbox_depth") > number(b, "mailbox_depth");
      }
      break;
    case actor_order::age:
      if (differ("activated_at_ms")) {
        return number(a, "activated_at_ms") < number(b, "activated_at_ms");
      }
      break;
    case actor_order::messages:
      if (differ("messages_handled")) {
        return number(a, "messages_handled") > number(b, "messages_handled");
      }
      break;
    case actor_order::recent:
      break;
  }
  if (differ("last_active_ms")) {
    return number(a, "last_active_ms") > number(b, "last_active_ms");
  }
  return std::make_tuple(text(a, "node_id"), text(a, "kind"), text(a, "key")) <
         std::make_tuple(text(b, "node_id"), text(b, "kind"), text(b, "key"));
}

nlohmann::json merge_actor_lists(const std::vector<nlohmann::json>& answers, actor_order order,
                                 size_t limit) {
  std::vector<nlohmann::json> all;
  nlohmann::json nodes = nlohmann::json::array();
  int64_t total = 0;
  for (const auto& answer : answers) {
    if (!answer.is_object()) {
      continue;
    }
    const auto node_id = text(answer, "node_id");
    total += number(answer, "total");
    nodes.push_back({{"node_id", node_id}, {"total", number(answer, "total")}});
    auto list = answer.find("actors");
    if (list == answer.end() || !list->is_array()) {
      continue;
    }
    for (auto entry : *list) {
      if (entry.is_object()) {
        entry["node_id"] = node_id;
        all.push_back(std::move(entry));
      }
    }
  }
  const size_t shown = std::min(limit, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(shown), all.end(),
                    [order](const nlohmann::json& a, const nlohmann::json& b) {
                      return ranks_before(a, b, order);
                    });
  all.resize(shown);
  return {{"top", std::string{to_string(order)}},
          {"total", total},
          {"nodes", std::move(nodes)},
          {"actors", std::move(all)}};
}

}  // namespace sb
