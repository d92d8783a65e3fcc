#include "prospect/acquisition/qmc.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <string>

#include "prospect/errors.hpp"
#include "prospect/random.hpp"

namespace prospect::acquisition {

Matrix normal_base_samples(Eigen::Index n, Eigen::Index dim, std::uint64_t seed) {
  if (n < 1) {
    throw InvalidArgument("n (base samples): got " + std::to_string(n) + ", expected at least 1");
  }
  if (dim < 1 || dim > 3667) {
    throw InvalidArgument("dim (base samples): got " + std::to_string(dim) +
                          ", expected 1 to 3667 (the Sobol table's dimension limit)");
  }
  Matrix Z = sobol(n, dim, seed);
  // Double precision throughout: promoting to long double (Boost's default) doubles the
  // cost of each quantile and gains nothing after the clamp.
  using Policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
  const boost::math::normal_distribution<double, Policy> normal;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < dim; ++j) {
      Z(i, j) = boost::math::quantile(normal, std::clamp(Z(i, j), 1e-10, 1.0 - 1e-10));
    }
  }
  return Z;
}

Matrix cholesky_adjoint(MatrixCRef L, MatrixCRef L_bar) {
  const Eigen::Index m = L.rows();
  if (L.cols() != m || L_bar.rows() != m || L_bar.cols() != m) {
    throw InvalidArgument("cholesky_adjoint: got L " + std::to_string(L.rows()) + " x " +
                          std::to_string(L.cols()) + " and L_bar " + std::to_string(L_bar.rows()) +
                          " x " + std::to_string(L_bar.cols()) +
                          ", expected two square matrices of one size");
  }
  const Matrix L_low = L.triangularView<Eigen::Lower>();
  const Matrix L_bar_low = L_bar.triangularView<Eigen::Lower>();
  Matrix P = L_low.transpose() * L_bar_low;
  P = Matrix(P.triangularView<Eigen::Lower>());
  P.diagonal() *= 0.5;
  Matrix S = 0.5 * (P + P.transpose());
  // L^{-T} S L^{-1} by two triangular solves: M = L^{-T} S, then (M L^{-1})^T = L^{-T} M^T.
  L.transpose().triangularView<Eigen::Upper>().solveInPlace(S);
  Matrix R = S.transpose();
  L.transpose().triangularView<Eigen::Upper>().solveInPlace(R);
  return 0.5 * (R + R.transpose());
}

}  // namespace prospect::acquisition
