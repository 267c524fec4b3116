#include "actors/churn/model.hpp"

#include <cmath>
#include <set>

#include "actors/churn/features.hpp"

namespace sb::churn {

namespace {

// Exact comparison on purpose: to_yaml writes every digit, so a round trip must be exact.
bool same(const training_info& a, const training_info& b) {
  return a.rows == b.rows && a.auc == b.auc && a.at == b.at && a.data == b.data;
}

}  // namespace

bool operator==(const model& a, const model& b) {
  if (a.intercept != b.intercept || a.weights != b.weights || a.threshold != b.threshold ||
      a.hysteresis != b.hysteresis || a.scaling_of.size() != b.scaling_of.size() ||
      a.trained.has_value() != b.trained.has_value()) {
    return false;
  }
  for (const auto& [name, s] : a.scaling_of) {
    auto it = b.scaling_of.find(name);
    if (it == b.scaling_of.end() || it->second.mean != s.mean || it->second.std != s.std) {
      return false;
    }
  }
  return !a.trained || same(*a.trained, *b.trained);
}

bool operator!=(const model& a, const model& b) {
  return !(a == b);
}

// A model trained on CSV columns the node does not compute would score them as their mean
// forever, silently; refusing it at start makes the mismatch visible.
result<void> check_online_features(const model& m, const std::string& path) {
  const auto& names = feature_names();
  const std::set<std::string> online(names.begin(), names.end());
  std::string message;
  for (const auto& [name, w] : m.weights) {
    if (online.count(name) == 0) {
      message += message.empty() ? "" : "\n";
      message += path + ": weights." + name + ": not a feature the node computes online";
    }
  }
  if (message.empty()) {
    return {};
  }
  std::string expected;
  for (const auto& n : names) {
    expected += (expected.empty() ? "" : ", ") + n;
  }
  return error{errc::config_bad_value, message + "\n(online features: " + expected + ")"};
}

// -- online scoring -------------------------------------------------------------------------------

double score(const model& m, const std::map<std::string, double>& x) {
  double z = m.intercept;
  for (const auto& [name, w] : m.weights) {
    auto it = x.find(name);
    if (it == x.end()) {
      continue;
    }
    auto s = m.scaling_of.find(name);
    const scaling sc = s == m.scaling_of.end() ? scaling{} : s->second;
    z += w * (it->second - sc.mean) / sc.std;
  }
  // Written so that exp() never overflows for a large |z|.
  return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
}

// The band below the threshold keeps a score that hovers around it from alerting on every
// message.
bool update_alert(const model& m, alert_state& state, double s) {
  if (state.alerted) {
    if (s < m.threshold - m.hysteresis) {
      state.alerted = false;
    }
    return false;
  }
  if (s >= m.threshold) {
    state.alerted = true;
    return true;
  }
  return false;
}

}  // namespace sb::churn
