#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/result.hpp"

namespace sb::churn {

/// How one feature is standardised before its weight applies: (x − mean) / std, std > 0.
struct scaling {
  double mean = 0;
  double std = 1;
};

/// Where a model came from (the `trained` map of the model file); informational only.
struct training_info {
  int64_t rows = 0;  ///< rows of the training CSV (train and held-out together)
  double auc = 0;    ///< rank AUC on the held-out rows
  std::string at;    ///< when, ISO 8601 UTC; empty when unknown
  std::string data;  ///< the training CSV; empty when unknown
};

/// A logistic churn-risk model: the probability that a person leaves, from the features of their
/// conversation. Loaded once from config/churn-model.yaml at node start, then read-only: share it
/// between threads. Written by `sbctl train-churn`.
struct model {
  double intercept = 0;
  std::map<std::string, double> weights;      ///< feature name -> weight per standard deviation
  std::map<std::string, scaling> scaling_of;  ///< feature name -> standardisation; else {0, 1}
  double threshold = 0.5;                     ///< a score at or above it is high risk; in (0, 1)
  double hysteresis = 0.1;  ///< re-alert only after the score fell below threshold − hysteresis
  std::optional<training_info> trained;
};

/// Returns whether two models have the same numbers and training information.
bool operator==(const model& a, const model& b);
/// Returns whether two models differ in a number or in their training information.
bool operator!=(const model& a, const model& b);

/// Returns the model in the YAML file at `path`: keys `intercept` (required), `weights` (feature
/// -> number, at least one), `scaling` (feature -> {mean, std}; std > 0; only weighted features),
/// `threshold` (in (0, 1), default 0.5), `hysteresis` (in [0, threshold), default 0.1) and
/// `trained` ({rows, auc, at, data}, optional). Unknown keys are errors; every problem is
/// reported as `file:line:column: key: reason`, one per line (config_io, config_syntax,
/// config_unknown_key, config_bad_value).
result<model> load_model(const std::string& path);

/// Checks that every weighted feature is one the node computes online (feature_names()), so that
/// a model trained on other columns is refused at node start rather than scoring them as their
/// mean. `path` names the file in the error (config_bad_value, one line per unknown feature).
result<void> check_online_features(const model& m, const std::string& path);

/// Returns the model as YAML that load_model() reads back equal (numbers in shortest round-trip
/// form), under a comment header saying how the model was trained, then `header_lines` (each
/// written as a `# ` comment line).
std::string to_yaml(const model& m, const std::vector<std::string>& header_lines = {});

/// Returns the probability of churn, sigmoid(intercept + Σ w_f · (x_f − mean_f) / std_f), over
/// the weighted features; a feature missing from `x` counts as its mean (adds nothing).
double score(const model& m, const std::map<std::string, double>& x);

/// The alert state of one conversation, kept by the caller (the conversation actor) between
/// messages; starts not alerted.
struct alert_state {
  bool alerted = false;
};

/// Returns true exactly when `s` should raise `churn.high_risk`: the score reaches the threshold
/// while not alerted. Once alerted, the state re-arms only when a score falls below
/// threshold − hysteresis, so a score wobbling around the threshold alerts once.
bool update_alert(const model& m, alert_state& state, double s);

}  // namespace sb::churn
