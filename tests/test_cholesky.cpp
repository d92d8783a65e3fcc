// Tests of RobustCholesky: agreement with dense Eigen, jitter escalation, errors with
// the strong guarantee, solves, log-determinant, inverse and block appends.
#include <doctest/doctest.h>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <cmath>
#include <limits>
#include <random>

#include "prospect/errors.hpp"
#include "prospect/kernels/cholesky.hpp"
#include "prospect/kernels/stationary.hpp"
#include "test_support.hpp"

using prospect::kernels::CholeskyOptions;
using prospect::kernels::Matrix;
using prospect::kernels::RobustCholesky;
using prospect::kernels::Vector;

namespace {

using prospect::test::uniform;

/// A well-conditioned SPD matrix: B B^T / n + I.
Matrix spd(Eigen::Index n, std::mt19937_64& rng) {
  const Matrix B = uniform(n, n, rng).array() - 0.5;
  return B * B.transpose() / static_cast<double>(n) + Matrix::Identity(n, n);
}

/// A GP-like covariance: Matern 5/2 kernel matrix plus noise.
Matrix kernel_matrix(const Matrix& X, double noise) {
  const prospect::kernels::Matern52 k;
  const Vector theta = Vector::Constant(X.cols(), std::log(0.3));
  return k(X, X, theta) + noise * Matrix::Identity(X.rows(), X.rows());
}

double max_abs(const Matrix& M) {
  return M.cwiseAbs().maxCoeff();
}

}  // namespace

TEST_CASE("the factor of an SPD matrix matches Eigen's LLT (Eigen and LAPACK sizes)") {
  std::mt19937_64 rng(11);
  for (Eigen::Index n : {1, 10, 300}) {
    CAPTURE(n);
    const Matrix A = spd(n, rng);
    const RobustCholesky chol(A);
    REQUIRE(chol.ok());
    CHECK(chol.size() == n);
    CHECK(chol.jitter() == 0.0);
    const Matrix L_ref = A.llt().matrixL();
    CHECK(max_abs(chol.matrixL() - L_ref) < 1e-12);
    // Strictly upper part is zero, so matrixL() can be used as a dense matrix.
    CHECK(chol.matrixL().triangularView<Eigen::StrictlyUpper>().toDenseMatrix().isZero(0.0));
    CHECK(max_abs(chol.matrixL() * chol.matrixL().transpose() - A) < 1e-12);
  }
}

TEST_CASE("a singular PSD kernel matrix (duplicate rows) gets jitter") {
  std::mt19937_64 rng(12);
  for (Eigen::Index n : {20, 300}) {
    CAPTURE(n);
    Matrix X = uniform(n, 3, rng);
    X.row(1) = X.row(0);  // duplicated point: rows 0 and 1 of K are equal
    X.row(n - 1) = X.row(5);
    const Matrix A = kernel_matrix(X, 0.0);
    RobustCholesky chol;
    chol.compute(A);
    CHECK(chol.jitter() > 0.0);
    CHECK(chol.jitter() <= 1e-6);
    const Matrix expected = A + chol.jitter() * Matrix::Identity(n, n);
    CHECK(max_abs(chol.matrixL() * chol.matrixL().transpose() - expected) < 1e-12);
  }
}

TEST_CASE("relative jitter scales with the mean diagonal") {
  // The all-ones matrix times 1e6 is rank one: the second pivot is exactly 0.
  const Matrix A = Matrix::Constant(4, 4, 1e6);
  CholeskyOptions o;
  o.relative = true;
  const RobustCholesky chol(A, o);
  CHECK(chol.jitter() == doctest::Approx(1e-8 * 1e6));
  const Matrix expected = A + chol.jitter() * Matrix::Identity(4, 4);
  CHECK(max_abs(chol.matrixL() * chol.matrixL().transpose() - expected) < 1e-12 * 1e6);
  CHECK(chol.options().relative);
}

TEST_CASE("an indefinite matrix throws NumericalError and keeps the previous factor") {
  std::mt19937_64 rng(13);
  for (Eigen::Index n : {5, 200}) {
    CAPTURE(n);
    const Matrix good = spd(n, rng);
    RobustCholesky chol(good);
    const Matrix L_before = chol.matrixL();
    Matrix bad = good;
    bad(n / 2, n / 2) = -1.0;
    CHECK_THROWS_AS(chol.compute(bad), prospect::NumericalError);
    CHECK(chol.matrixL() == L_before);
    CHECK(chol.jitter() == 0.0);
    CHECK(chol.size() == n);

    Matrix with_nan = good;
    with_nan(n - 1, 0) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(chol.compute(with_nan), prospect::NumericalError);
    Matrix with_inf = good;
    with_inf(0, 0) = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(chol.compute(with_inf), prospect::NumericalError);
    CHECK(chol.matrixL() == L_before);
  }
  RobustCholesky chol;
  CHECK_THROWS_AS(chol.compute(Matrix::Zero(3, 2)), prospect::InvalidArgument);
  CHECK_THROWS_AS(chol.compute(Matrix::Zero(0, 0)), prospect::InvalidArgument);
  CholeskyOptions bad;
  bad.base_jitter = -1.0;
  CHECK_THROWS_AS(chol.compute(Matrix::Identity(2, 2), bad), prospect::InvalidArgument);
  CHECK_FALSE(chol.ok());
  CHECK_THROWS_AS((void)chol.solve(Vector::Ones(2)), prospect::InvalidState);
}

TEST_CASE("solve, log_determinant and inverse agree with dense linear algebra") {
  std::mt19937_64 rng(14);
  for (Eigen::Index n : {7, 40, 300}) {
    CAPTURE(n);
    const Matrix A = spd(n, rng);
    const RobustCholesky chol(A);
    const Vector b = uniform(n, 1, rng);
    const Matrix B = uniform(n, 3, rng);
    const Eigen::PartialPivLU<Matrix> lu(A);
    CHECK(max_abs(chol.solve(b) - lu.solve(b)) < 1e-10);
    CHECK(max_abs(chol.solve(B) - lu.solve(B)) < 1e-10);

    // L^{-1} then L^{-T} is the same as solve().
    Matrix C = B;
    chol.solve_lower_in_place(C);
    CHECK(max_abs(chol.matrixL() * C - B) < 1e-10);
    chol.solve_upper_in_place(C);
    CHECK(max_abs(C - lu.solve(B)) < 1e-10);

    const Eigen::SelfAdjointEigenSolver<Matrix> eig(A, Eigen::EigenvaluesOnly);
    CHECK(chol.log_determinant() ==
          doctest::Approx(eig.eigenvalues().array().log().sum()).epsilon(1e-10));

    const Matrix inv = chol.inverse();
    CHECK(inv == inv.transpose());
    CHECK(max_abs(inv - lu.inverse()) < 1e-10);

    CHECK_THROWS_AS((void)chol.solve(Vector::Ones(n + 1)), prospect::InvalidArgument);
    Matrix wrong(n + 1, 2);
    CHECK_THROWS_AS(chol.solve_lower_in_place(wrong), prospect::InvalidArgument);
  }
}

TEST_CASE("append of 1 and 3 rows equals the factorization of the assembled matrix") {
  std::mt19937_64 rng(15);
  for (Eigen::Index n : {10, 150}) {
    for (Eigen::Index q : {1, 3}) {
      CAPTURE(n);
      CAPTURE(q);
      const Matrix X = uniform(n + q, 4, rng);
      const Matrix A = kernel_matrix(X, 1e-4);
      RobustCholesky chol(A.topLeftCorner(n, n));
      chol.append(A.topRightCorner(n, q), A.bottomRightCorner(q, q));
      REQUIRE(chol.size() == n + q);
      const RobustCholesky full(A);
      CHECK(chol.jitter() == 0.0);
      CHECK(max_abs(chol.matrixL() - full.matrixL()) < 1e-9);
      const Vector b = uniform(n + q, 1, rng);
      CHECK(max_abs(chol.solve(b) - full.solve(b)) < 1e-8 * max_abs(full.solve(b)));
      CHECK(chol.log_determinant() == doctest::Approx(full.log_determinant()).epsilon(1e-10));
    }
  }
}

TEST_CASE("append keeps the jitter consistent and falls back on duplicates") {
  std::mt19937_64 rng(16);
  const Eigen::Index n = 12;
  Matrix X = uniform(n + 2, 3, rng);
  X.row(1) = X.row(0);      // forces jitter in the first factorization
  X.row(n + 1) = X.row(4);  // an appended duplicate: Schur pivot ~ jitter only
  const Matrix A = kernel_matrix(X, 0.0);
  RobustCholesky chol(A.topLeftCorner(n, n));
  const double jitter = chol.jitter();
  REQUIRE(jitter > 0.0);
  chol.append(A.topRightCorner(n, 2), A.bottomRightCorner(2, 2));
  REQUIRE(chol.size() == n + 2);
  CHECK(chol.jitter() >= jitter);
  const Matrix expected = A + chol.jitter() * Matrix::Identity(n + 2, n + 2);
  CHECK(max_abs(chol.matrixL() * chol.matrixL().transpose() - expected) < 1e-12);

  // Errors leave the factor untouched.
  const Matrix L_before = chol.matrixL();
  CHECK_THROWS_AS(chol.append(Matrix::Zero(n, 1), Matrix::Zero(1, 1)), prospect::InvalidArgument);
  CHECK_THROWS_AS(chol.append(Matrix::Zero(n + 2, 1), Matrix::Zero(2, 2)),
                  prospect::InvalidArgument);
  // A new point with negative variance cannot be repaired by jitter.
  CHECK_THROWS_AS(chol.append(Matrix::Zero(n + 2, 1), Matrix::Constant(1, 1, -1.0)),
                  prospect::NumericalError);
  CHECK(chol.matrixL() == L_before);
  chol.append(Matrix::Zero(n + 2, 0), Matrix::Zero(0, 0));
  CHECK(chol.size() == n + 2);

  RobustCholesky empty;
  CHECK_THROWS_AS(empty.append(Matrix::Zero(0, 1), Matrix::Ones(1, 1)), prospect::InvalidState);
}
