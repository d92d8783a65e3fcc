// surrogates/bnn/outputs.hpp — what the network surrogates' outputs mean: standardized y,
// and the variance head of a Gaussian likelihood.
#pragma once

#include <cmath>

#include "prospect/types.hpp"

namespace prospect::detail {

/// y = offset + scale * values.
struct Standardized {
  Vector values;
  double offset = 0.0;
  double scale = 1.0;
};

/// Centres y on its mean and divides by its sample standard deviation (n - 1); a constant
/// y keeps scale 1 so that the networks still see finite targets. O(n).
inline Standardized standardize(const Vector& y) {
  Standardized s;
  s.offset = y.mean();
  const double n = static_cast<double>(y.size());
  const double var = n > 1 ? (y.array() - s.offset).square().sum() / (n - 1.0) : 0.0;
  s.scale = var > 1e-300 ? std::sqrt(var) : 1.0;
  s.values = (y.array() - s.offset) / s.scale;
  return s;
}

/// The noise variance a variance-head output s stands for: softplus(s) + 1e-6 (so that a
/// head never predicts zero noise), without overflow for large s. Standardized units.
inline double head_variance(double s) {
  return (s > 30.0 ? s : std::log1p(std::exp(s))) + 1e-6;
}

}  // namespace prospect::detail
