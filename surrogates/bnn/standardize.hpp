// surrogates/bnn/standardize.hpp — the output transform of the network surrogates.
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

}  // namespace prospect::detail
