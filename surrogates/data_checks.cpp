#include "surrogates/data_checks.hpp"

#include <cmath>
#include <string>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"

namespace prospect::detail {

namespace {
std::string entry(const char* name, Eigen::Index i, Eigen::Index j) {
  std::string s(name);
  s.append("(").append(std::to_string(i)).append(", ").append(std::to_string(j)).append(")");
  return s;
}
}  // namespace

void check_finite_matrix(MatrixCRef X, const char* name) {
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      if (!std::isfinite(X(i, j))) {
        throw InvalidArgument(entry(name, i, j) + ": got " + format_number(X(i, j)) +
                              ", expected a finite value");
      }
    }
  }
}

void check_unit_cube(MatrixCRef X, const char* name) {
  check_finite_matrix(X, name);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      const double v = X(i, j);
      if (v < -kUnitCubeTolerance || v > 1.0 + kUnitCubeTolerance) {
        throw InvalidArgument(entry(name, i, j) + ": got " + format_number(v) +
                              ", expected a value in the unit interval [0, 1]");
      }
    }
  }
}

void check_finite_vector(VectorCRef v, const char* name) {
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v(i))) {
      throw InvalidArgument(std::string(name) + "(" + std::to_string(i) + "): got " +
                            format_number(v(i)) + ", expected a finite value");
    }
  }
}

}  // namespace prospect::detail
