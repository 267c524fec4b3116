#include "actors/experiment/variant_choice.hpp"

#include "actors/experiment/assignment.hpp"
#include "runtime/saved_state.hpp"
#include "schemas/marketing.hpp"
#include "schemas/subjects.hpp"

namespace sb::experiments {

namespace {

std::optional<size_t> index_of(const experiment_spec& spec, const std::string& name) {
  for (size_t i = 0; i < spec.variants.size(); ++i) {
    if (spec.variants[i].name == name) {
      return i;
    }
  }
  return std::nullopt;
}

int64_t count_at(const std::map<std::string, int64_t>& m, const std::string& name) {
  auto it = m.find(name);
  return it == m.end() ? 0 : it->second;
}

}  // namespace

result<std::vector<variant_counts>> saved_counts(store& st, const experiment_spec& spec) {
  std::vector<variant_counts> out(spec.variants.size());
  auto saved = read_saved_state<schemas::experiment_state>(
      st, schemas::address{schemas::kinds::experiment, spec.id});
  if (!saved) {
    return saved.err();
  }
  if (!saved->has_value()) {
    return out;
  }
  const auto& state = **saved;
  for (size_t i = 0; i < spec.variants.size(); ++i) {
    const auto& name = spec.variants[i].name;
    out[i] = {count_at(state.impressions, name), count_at(state.clicks, name),
              count_at(state.conversions, name)};
  }
  return out;
}

result<size_t> choose_variant(store& st, const experiment_spec& spec, const std::string& person) {
  if (!spec.thompson || spec.variants.empty()) {
    return assign(spec, person);
  }
  const std::string key = "experiment:" + spec.id + ":variant:" + person;
  auto known = st.get(key);
  if (!known) {
    return known.err();
  }
  if (known->has_value()) {
    if (auto i = index_of(spec, **known)) {
      return *i;
    }
  }
  auto counts = saved_counts(st, spec);
  if (!counts) {
    return counts.err();
  }
  auto drawn = assign_thompson(spec, *counts, person);
  const auto& name = spec.variants[drawn].name;
  if (known->has_value()) {
    // The stored variant was removed from the spec: replace it.
    if (auto r = st.put(key, name); !r) {
      return r.err();
    }
    return drawn;
  }
  auto set = st.put_if_absent(key, name);
  if (!set) {
    return set.err();
  }
  if (*set) {
    return drawn;
  }
  auto winner = st.get(key);  // another node drew first: its draw sticks
  if (!winner) {
    return winner.err();
  }
  if (winner->has_value()) {
    if (auto i = index_of(spec, **winner)) {
      return *i;
    }
  }
  return drawn;
}

}  // namespace sb::experiments
