// Tests of the QMC building blocks: normal base samples and the Cholesky adjoint.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>

#include "prospect/acquisition/qmc.hpp"
#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "test_support.hpp"

using prospect::Matrix;
using prospect::Vector;
namespace pa = prospect::acquisition;

TEST_CASE("normal base samples: deterministic, standard normal moments, bad sizes") {
  const Matrix Z = pa::normal_base_samples(4096, 3, 7);
  CHECK(Z == pa::normal_base_samples(4096, 3, 7));
  CHECK(Z != pa::normal_base_samples(4096, 3, 8));
  for (Eigen::Index j = 0; j < 3; ++j) {
    const double mean = Z.col(j).mean();
    const double var = (Z.col(j).array() - mean).square().mean();
    // A shifted Sobol net integrates these smooth moments far better than 1/sqrt(n).
    CHECK(std::abs(mean) < 5e-3);
    CHECK(std::abs(var - 1.0) < 2e-2);
  }
  // Decorrelated columns.
  CHECK(std::abs(Z.col(0).dot(Z.col(1)) / 4096.0) < 2e-2);
  CHECK(Z.allFinite());
  CHECK_THROWS_AS((void)pa::normal_base_samples(0, 3, 1), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)pa::normal_base_samples(8, 0, 1), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)pa::normal_base_samples(8, 4000, 1), prospect::InvalidArgument);
}

TEST_CASE("cholesky_adjoint matches finite differences of a function of L") {
  std::mt19937_64 rng(3);
  const Eigen::Index m = 4;
  const Matrix A = prospect::test::uniform(m, m, rng);
  const Matrix Sigma = A * A.transpose() + 0.5 * Matrix::Identity(m, m);
  const Matrix W = prospect::test::uniform(m, m, rng).array() - 0.5;
  auto f = [&](const Matrix& S) {
    const Matrix L = S.llt().matrixL();
    return (W.array() * L.array()).sum();  // only the lower triangle of L is non-zero
  };
  const Matrix L = Sigma.llt().matrixL();
  const Matrix Sigma_bar = pa::cholesky_adjoint(L, W);
  CHECK((Sigma_bar - Sigma_bar.transpose()).norm() < 1e-12);
  const double h = 1e-6;
  for (Eigen::Index i = 0; i < m; ++i) {
    for (Eigen::Index j = 0; j <= i; ++j) {
      Matrix E = Matrix::Zero(m, m);
      E(i, j) += h;
      if (i != j) E(j, i) += h;
      const double fd = (f(Sigma + E) - f(Sigma - E)) / (2 * h);
      const double predicted = (Sigma_bar.array() * (E / h).array()).sum();
      CHECK(predicted == doctest::Approx(fd).epsilon(1e-6));
    }
  }
  CHECK_THROWS_AS((void)pa::cholesky_adjoint(L, Matrix::Zero(3, 3)), prospect::InvalidArgument);
}
