// Helpers shared by the unit tests (not part of the library).
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "prospect/kernels/profile.hpp"
#include "prospect/params.hpp"
#include "prospect/space.hpp"

namespace prospect::test {

/// Every radial profile of the stationary kernels.
inline const std::vector<prospect::kernels::Profile> kProfiles = {
    prospect::kernels::Profile::squared_exponential, prospect::kernels::Profile::matern12,
    prospect::kernels::Profile::matern32, prospect::kernels::Profile::matern52};

/// A rows x cols matrix of independent U(0, 1) draws (column-major fill order).
inline Eigen::MatrixXd uniform(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Eigen::MatrixXd M(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) M(i, j) = u(rng);
  return M;
}

/// Branin's space: x1 in [-5, 10], x2 in [0, 15].
inline prospect::Space branin_space() {
  prospect::Space space;
  space.add_real("x1", -5.0, 10.0);
  space.add_real("x2", 0.0, 15.0);
  return space;
}

/// Branin's function at params of branin_space(); its minimum is kBraninMin.
inline double branin(const prospect::Params& p) {
  const double x1 = p.real("x1"), x2 = p.real("x2"), pi = std::numbers::pi;
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  return std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10;
}
inline constexpr double kBraninMin = 0.397887357729738;

}  // namespace prospect::test
