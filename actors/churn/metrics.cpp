#include "actors/churn/metrics.hpp"

#include <algorithm>
#include <numeric>

namespace sb::churn {

namespace {

// Indices of `scores` sorted by score; `descending` for the threshold sweep.
std::vector<size_t> order_of(const std::vector<double>& scores, bool descending) {
  std::vector<size_t> idx(scores.size());
  std::iota(idx.begin(), idx.end(), size_t{0});
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    return descending ? scores[a] > scores[b] : scores[a] < scores[b];
  });
  return idx;
}

}  // namespace

result<double> auc(const std::vector<double>& scores, const std::vector<int>& labels) {
  if (scores.size() != labels.size()) {
    return error{errc::invalid_argument, "auc: " + std::to_string(scores.size()) + " scores but " +
                                             std::to_string(labels.size()) + " labels"};
  }
  const auto idx = order_of(scores, false);
  double positive_rank_sum = 0;
  double positives = 0;
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j < idx.size() && scores[idx[j]] == scores[idx[i]]) {
      ++j;
    }
    // Ranks i+1 .. j (1-based) are tied: each gets their average.
    const double rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (size_t k = i; k < j; ++k) {
      if (labels[idx[k]] == 1) {
        positive_rank_sum += rank;
        positives += 1;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(labels.size()) - positives;
  if (positives == 0 || negatives == 0) {
    return error{errc::invalid_argument,
                 "auc: undefined without both positive and negative labels"};
  }
  return (positive_rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives);
}

result<threshold_choice> best_f1_threshold(const std::vector<double>& scores,
                                           const std::vector<int>& labels) {
  if (scores.size() != labels.size()) {
    return error{errc::invalid_argument, "threshold: " + std::to_string(scores.size()) +
                                             " scores but " + std::to_string(labels.size()) +
                                             " labels"};
  }
  const double positives = static_cast<double>(std::count(labels.begin(), labels.end(), 1));
  if (positives == 0) {
    return error{errc::invalid_argument, "threshold: no positive label to find"};
  }
  const auto idx = order_of(scores, true);
  threshold_choice best{1.0, -1.0};
  double tp = 0;
  double fp = 0;
  for (size_t i = 0; i < idx.size();) {
    // Lowering the threshold to this score admits every row tied with it at once.
    size_t j = i;
    while (j < idx.size() && scores[idx[j]] == scores[idx[i]]) {
      (labels[idx[j]] == 1 ? tp : fp) += 1;
      ++j;
    }
    const double f1 = 2 * tp / (2 * tp + fp + (positives - tp));
    if (f1 > best.f1) {
      best = threshold_choice{scores[idx[i]], f1};
    }
    i = j;
  }
  best.threshold = std::clamp(best.threshold, 1e-6, 1 - 1e-6);
  return best;
}

}  // namespace sb::churn
