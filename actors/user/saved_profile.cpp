#include "actors/user/saved_profile.hpp"

#include "runtime/saved_state.hpp"
#include "schemas/user.hpp"

namespace sb {

result<std::optional<profile>> read_saved_profile(store& st, const std::string& user_key) {
  std::string key = user_key;
  // A merge chain is one step long in practice; the bound only guards against a cycle.
  for (int hops = 0; hops < 4; ++hops) {
    auto saved = read_saved_state<schemas::user_state>(st, schemas::address{"user", key});
    if (!saved) {
      return saved.err();
    }
    if (!saved->has_value()) {
      return std::optional<profile>{};
    }
    const auto& state = **saved;
    if (!state.merged_into.empty()) {
      key = state.merged_into;
      continue;
    }
    if (state.profile_json.empty()) {
      return std::optional<profile>{};
    }
    auto p = profile_from_json(state.profile_json);
    if (!p) {
      return p.err();
    }
    return std::optional<profile>{std::move(*p)};
  }
  return error{errc::internal, "user " + user_key + ": merge chain too long"};
}

}  // namespace sb
