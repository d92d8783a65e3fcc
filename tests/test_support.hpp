// Helpers shared by the unit tests (not part of the library).
#pragma once

#include <Eigen/Core>
#include <random>

namespace prospect::test {

/// A rows x cols matrix of independent U(0, 1) draws (column-major fill order).
inline Eigen::MatrixXd uniform(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Eigen::MatrixXd M(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) M(i, j) = u(rng);
  return M;
}

}  // namespace prospect::test
