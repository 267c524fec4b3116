#include "actors/user/saved_profile.hpp"

#include "runtime/codec.hpp"
#include "schemas/actor_record.hpp"
#include "schemas/user.hpp"

namespace sb {

result<std::optional<profile>> read_saved_profile(store& st, const std::string& user_key) {
  std::string key = user_key;
  // A merge chain is one step long in practice; the bound only guards against a cycle.
  for (int hops = 0; hops < 4; ++hops) {
    auto raw = st.get("actor:user/" + key);
    if (!raw) {
      return raw.err();
    }
    if (!raw->has_value()) {
      return std::optional<profile>{};
    }
    auto record = decode<schemas::actor_record>(**raw);
    if (!record) {
      return record.err();
    }
    auto state = decode<schemas::user_state>(record->state.data);
    if (!state) {
      return state.err();
    }
    if (!state->merged_into.empty()) {
      key = state->merged_into;
      continue;
    }
    if (state->profile_json.empty()) {
      return std::optional<profile>{};
    }
    auto p = profile_from_json(state->profile_json);
    if (!p) {
      return p.err();
    }
    return std::optional<profile>{std::move(*p)};
  }
  return error{errc::internal, "user " + user_key + ": merge chain too long"};
}

}  // namespace sb
