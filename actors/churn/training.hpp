#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "actors/churn/dataset.hpp"
#include "actors/churn/model.hpp"
#include "runtime/result.hpp"

namespace sb::churn {

/// How train() fits a model; the defaults are those of `sbctl train-churn`.
struct train_options {
  double l2 = 1.0;           ///< L2 penalty λ on the weights (not the intercept), ≥ 0
  double holdout = 0.2;      ///< share of the rows held out to measure the AUC, in (0, 1)
  uint64_t seed = 42;        ///< seeds the train/held-out split
  int max_iterations = 100;  ///< Newton steps at most
};

/// What train() produced, for the report of `sbctl train-churn`.
struct train_result {
  model fitted;             ///< trained.rows and trained.auc set; trained.at and .data left empty
  size_t train_rows = 0;    ///< rows the model was fitted on
  size_t holdout_rows = 0;  ///< rows the AUC was measured on
  double auc = 0;           ///< rank AUC on the held-out rows
  double train_f1 = 0;      ///< F1 on the train rows at the chosen threshold
  int iterations = 0;       ///< Newton steps taken
  bool converged = false;   ///< whether the steps became negligible before max_iterations
};

/// Row indices of a train/held-out split.
struct split {
  std::vector<size_t> train;
  std::vector<size_t> holdout;
};

/// Returns a split of `rows` rows with round(rows · holdout) rows held out (at least 1, at most
/// rows − 1), chosen by a Fisher-Yates shuffle driven by std::mt19937_64(seed), so the same
/// arguments give the same split on every platform. Both lists are in increasing order.
split split_rows(size_t rows, double holdout, uint64_t seed);

/// Returns a logistic model of `d`: splits the rows (split_rows), standardises each feature on the
/// train rows (population mean and std; std 1 for a constant column), minimises
/// Σ log(1 + e^η) − y·η + λ/2·|w|² by Newton's method with backtracking, picks the threshold that
/// maximises F1 on the train rows (best_f1_threshold) and measures the AUC on the held-out rows.
/// The hysteresis is the model default, or half the threshold when that is smaller.
/// invalid_argument for options out of range, fewer than 2 rows, or a split lacking a class.
result<train_result> train(const dataset& d, const train_options& options);

}  // namespace sb::churn
