#pragma once

#include <cstddef>
#include <cstdint>

#include "actors/churn/dataset.hpp"

namespace sb::churn {

/// Returns `rows` made-up conversations with the columns of feature_names() and a churn label,
/// for training and testing the model without customer data (`sbctl gen-churn-data`).
///
/// Plausible distributions: tiers mostly regular (70 % regular, 18 % silver, 9 % gold, 3 %
/// platinum); orders more frequent in higher tiers; days since the last order exponential (365
/// when never ordered); short conversations with few unresolved turns and price objections. The
/// label is drawn from a logistic model in which negative share, unresolved turns, price
/// objections and days since the last order raise churn and orders and tier lower it, plus
/// Gaussian noise in the log-odds and 3 % flipped labels, so that a fitted model reaches a
/// realistic AUC (about 0.8) rather than 1. The same (rows, seed) gives the same rows on every
/// platform (std::mt19937_64 and our own samplers, not the implementation-defined
/// std::*_distribution).
dataset generate_synthetic(size_t rows, uint64_t seed);

}  // namespace sb::churn
