#pragma once

#include <optional>
#include <string>

#include "runtime/codec.hpp"
#include "runtime/result.hpp"
#include "runtime/store.hpp"
#include "schemas/actor_record.hpp"
#include "schemas/address.hpp"

namespace sb {

/// Returns the store key of an actor's record (state, applied timer generations, recent ids).
inline std::string actor_record_key(const schemas::address& addr) {
  return "actor:" + addr.kind + "/" + addr.key;
}

/// Reads the state an actor last saved, decoded as `State` (its kind's state schema), or nullopt
/// if it never saved one. Actors save after every message they apply, so this is the latest state
/// they applied; for readers that need another actor's facts without a round trip (a campaign
/// checking a person's profile). Thread-safe as the store is.
template <class State>
result<std::optional<State>> read_saved_state(store& st, const schemas::address& addr) {
  auto raw = st.get(actor_record_key(addr));
  if (!raw) {
    return raw.err();
  }
  if (!raw->has_value()) {
    return std::optional<State>{};
  }
  auto record = decode<schemas::actor_record>(**raw);
  if (!record) {
    return record.err();
  }
  auto state = decode<State>(record->state.data);
  if (!state) {
    return state.err();
  }
  return std::optional<State>{std::move(*state)};
}

}  // namespace sb
