#pragma once

#include <vector>

#include "runtime/result.hpp"

namespace sb::churn {

/// Returns the area under the ROC curve of `scores` against 0/1 `labels` (same length): the
/// probability that a random positive scores above a random negative, counting a tie as half.
/// Computed from ranks (Mann-Whitney U, ties given their average rank) in O(n log n):
/// (Σ ranks of positives − P(P+1)/2) / (P·N). invalid_argument when the lengths differ or either
/// class is empty (the AUC is then undefined).
result<double> auc(const std::vector<double>& scores, const std::vector<int>& labels);

/// A decision threshold and how well it separates the classes.
struct threshold_choice {
  double threshold = 0.5;  ///< predict churn when score >= threshold
  double f1 = 0;           ///< 2·TP / (2·TP + FP + FN) at that threshold
};

/// Returns the threshold among the distinct scores that maximises F1 of the rule
/// "score >= threshold predicts 1" (the highest such threshold on a tie of F1), clamped into
/// [1e-6, 1 − 1e-6] so that it is a valid model threshold. invalid_argument when the lengths
/// differ or there is no positive label.
result<threshold_choice> best_f1_threshold(const std::vector<double>& scores,
                                           const std::vector<int>& labels);

}  // namespace sb::churn
