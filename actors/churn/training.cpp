#include "actors/churn/training.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>

#include "actors/churn/metrics.hpp"

namespace sb::churn {

namespace {

// The standardised train rows with a leading 1 for the intercept: n × k, row-major.
struct design {
  std::vector<double> z;
  std::vector<double> y;
  size_t n = 0;
  size_t k = 0;

  [[nodiscard]] double eta(size_t i, const std::vector<double>& beta) const {
    const double* row = &z[i * k];
    double s = 0;
    for (size_t j = 0; j < k; ++j) {
      s += row[j] * beta[j];
    }
    return s;
  }
};

double sigmoid(double t) {
  return t >= 0 ? 1 / (1 + std::exp(-t)) : std::exp(t) / (1 + std::exp(t));
}

// log(1 + e^t) without overflow.
double softplus(double t) {
  return t > 0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t));
}

double loss(const design& d, const std::vector<double>& beta, double l2) {
  double s = 0;
  for (size_t i = 0; i < d.n; ++i) {
    const double e = d.eta(i, beta);
    s += softplus(e) - d.y[i] * e;
  }
  for (size_t j = 1; j < d.k; ++j) {
    s += l2 / 2 * beta[j] * beta[j];
  }
  return s;
}

// Solves a·x = b for a symmetric positive definite k × k `a` (Cholesky); false if it is not.
bool solve(std::vector<double> a, std::vector<double>& b, size_t k) {
  for (size_t j = 0; j < k; ++j) {
    double diag = a[j * k + j];
    for (size_t p = 0; p < j; ++p) {
      diag -= a[j * k + p] * a[j * k + p];
    }
    if (!(diag > 0)) {
      return false;
    }
    a[j * k + j] = std::sqrt(diag);
    for (size_t i = j + 1; i < k; ++i) {
      double v = a[i * k + j];
      for (size_t p = 0; p < j; ++p) {
        v -= a[i * k + p] * a[j * k + p];
      }
      a[i * k + j] = v / a[j * k + j];
    }
  }
  for (size_t i = 0; i < k; ++i) {  // L·u = b
    for (size_t p = 0; p < i; ++p) {
      b[i] -= a[i * k + p] * b[p];
    }
    b[i] /= a[i * k + i];
  }
  for (size_t i = k; i-- > 0;) {  // Lᵀ·x = u
    for (size_t p = i + 1; p < k; ++p) {
      b[i] -= a[p * k + i] * b[p];
    }
    b[i] /= a[i * k + i];
  }
  return true;
}

struct fit_state {
  std::vector<double> beta;
  int iterations = 0;
  bool converged = false;
};

// Newton's method: with 9 features the k × k system is tiny and each step is one pass over the
// rows, so it converges in about ten passes where gradient descent would need hundreds.
fit_state fit(const design& d, double l2, int max_iterations) {
  const size_t k = d.k;
  fit_state s;
  s.beta.assign(k, 0.0);
  double current = loss(d, s.beta, l2);
  std::vector<double> g(k);
  std::vector<double> h(k * k);
  while (s.iterations < max_iterations) {
    ++s.iterations;
    std::fill(g.begin(), g.end(), 0.0);
    std::fill(h.begin(), h.end(), 0.0);
    for (size_t i = 0; i < d.n; ++i) {
      const double p = sigmoid(d.eta(i, s.beta));
      const double r = p - d.y[i];
      const double w = p * (1 - p);
      const double* row = &d.z[i * k];
      for (size_t a = 0; a < k; ++a) {
        g[a] += r * row[a];
        for (size_t b = 0; b <= a; ++b) {
          h[a * k + b] += w * row[a] * row[b];
        }
      }
    }
    for (size_t a = 0; a < k; ++a) {
      if (a > 0) {
        g[a] += l2 * s.beta[a];
        h[a * k + a] += l2;
      }
      h[a * k + a] += 1e-9;  // keeps the system solvable for a constant column when λ = 0
      for (size_t b = 0; b < a; ++b) {
        h[b * k + a] = h[a * k + b];
      }
    }
    std::vector<double> step = g;
    if (!solve(h, step, k)) {
      break;
    }
    // Backtrack (Armijo) so that a step from far away never increases the loss.
    const double slope = -std::inner_product(g.begin(), g.end(), step.begin(), 0.0);
    double t = 1;
    std::vector<double> next(k);
    double next_loss = current;
    for (; t > 1e-10; t /= 2) {
      for (size_t j = 0; j < k; ++j) {
        next[j] = s.beta[j] - t * step[j];
      }
      next_loss = loss(d, next, l2);
      if (next_loss <= current + 1e-4 * t * slope) {
        break;
      }
    }
    double largest = 0;
    for (size_t j = 0; j < k; ++j) {
      largest = std::max(largest, std::abs(t * step[j]));
    }
    s.beta = next;
    current = next_loss;
    if (largest < 1e-9) {
      s.converged = true;
      break;
    }
  }
  return s;
}

result<void> check(const dataset& d, const train_options& o) {
  if (!(o.l2 >= 0) || !std::isfinite(o.l2)) {
    return error{errc::invalid_argument, "l2 must be a number >= 0, not " + std::to_string(o.l2)};
  }
  if (!(o.holdout > 0 && o.holdout < 1)) {
    return error{errc::invalid_argument,
                 "holdout must be between 0 and 1 (exclusive), not " + std::to_string(o.holdout)};
  }
  if (d.rows() < 2 || d.names.empty() || d.x.size() != d.rows() * d.names.size()) {
    return error{errc::invalid_argument, "need at least 2 rows and 1 feature to train"};
  }
  return {};
}

}  // namespace

split split_rows(size_t rows, double holdout, uint64_t seed) {
  std::vector<size_t> idx(rows);
  std::iota(idx.begin(), idx.end(), size_t{0});
  // Our own shuffle: std::shuffle's use of the engine is implementation-defined. The modulo bias
  // of a 64-bit draw is negligible for any realistic row count.
  std::mt19937_64 rng{seed};
  for (size_t i = rows; i > 1; --i) {
    std::swap(idx[i - 1], idx[static_cast<size_t>(rng() % i)]);
  }
  auto held = static_cast<size_t>(std::llround(static_cast<double>(rows) * holdout));
  held = rows < 2 ? 0 : std::clamp<size_t>(held, 1, rows - 1);
  split out;
  out.holdout.assign(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(held));
  out.train.assign(idx.begin() + static_cast<std::ptrdiff_t>(held), idx.end());
  std::sort(out.holdout.begin(), out.holdout.end());
  std::sort(out.train.begin(), out.train.end());
  return out;
}

result<train_result> train(const dataset& d, const train_options& options) {
  if (auto ok = check(d, options); !ok) {
    return ok.err();
  }
  const size_t f = d.names.size();
  const auto parts = split_rows(d.rows(), options.holdout, options.seed);

  std::vector<scaling> scales(f);
  for (size_t j = 0; j < f; ++j) {
    double sum = 0;
    for (size_t r : parts.train) {
      sum += d.at(r, j);
    }
    const double mean = sum / static_cast<double>(parts.train.size());
    double squares = 0;
    for (size_t r : parts.train) {
      squares += (d.at(r, j) - mean) * (d.at(r, j) - mean);
    }
    const double sd = std::sqrt(squares / static_cast<double>(parts.train.size()));
    scales[j] = scaling{mean, sd > 1e-12 ? sd : 1.0};
  }

  design x;
  x.n = parts.train.size();
  x.k = f + 1;
  x.z.reserve(x.n * x.k);
  x.y.reserve(x.n);
  for (size_t r : parts.train) {
    x.z.push_back(1.0);
    for (size_t j = 0; j < f; ++j) {
      x.z.push_back((d.at(r, j) - scales[j].mean) / scales[j].std);
    }
    x.y.push_back(d.y[r]);
  }
  const auto positives = std::count(x.y.begin(), x.y.end(), 1.0);
  if (positives == 0 || static_cast<size_t>(positives) == x.n) {
    return error{errc::invalid_argument, "the train rows hold only one class; nothing to learn"};
  }

  const auto state = fit(x, options.l2, options.max_iterations);
  train_result out;
  out.fitted.intercept = state.beta[0];
  for (size_t j = 0; j < f; ++j) {
    out.fitted.weights[d.names[j]] = state.beta[j + 1];
    out.fitted.scaling_of[d.names[j]] = scales[j];
  }

  const auto scores_of = [&](const std::vector<size_t>& rows, std::vector<int>& labels) {
    std::vector<double> scores;
    std::map<std::string, double> row;
    for (size_t r : rows) {
      for (size_t j = 0; j < f; ++j) {
        row[d.names[j]] = d.at(r, j);
      }
      scores.push_back(score(out.fitted, row));
      labels.push_back(d.y[r]);
    }
    return scores;
  };
  std::vector<int> train_labels;
  const auto train_scores = scores_of(parts.train, train_labels);
  auto choice = best_f1_threshold(train_scores, train_labels);
  if (!choice) {
    return choice.err();
  }
  std::vector<int> held_labels;
  const auto held_scores = scores_of(parts.holdout, held_labels);
  auto held_auc = auc(held_scores, held_labels);
  if (!held_auc) {
    return error{errc::invalid_argument,
                 "the held-out rows hold only one class, so the AUC is undefined; use more rows or "
                 "a larger holdout"};
  }

  out.fitted.threshold = choice->threshold;
  // A low threshold needs a smaller hysteresis, or an alert could never re-arm.
  out.fitted.hysteresis = std::min(out.fitted.hysteresis, out.fitted.threshold / 2);
  out.fitted.trained = training_info{static_cast<int64_t>(d.rows()), *held_auc, "", ""};
  out.train_rows = parts.train.size();
  out.holdout_rows = parts.holdout.size();
  out.auc = *held_auc;
  out.train_f1 = choice->f1;
  out.iterations = state.iterations;
  out.converged = state.converged;
  return out;
}

}  // namespace sb::churn
