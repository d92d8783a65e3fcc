// kernels/cholesky.cpp — Cholesky with jitter escalation (ALGORITHMS.md §1.4, §1.8).
//
// Large factorizations and inverses go to LAPACK (dpotrf/dpotri through OpenBLAS) when
// the library is built with PROSPECT_USE_BLAS; small ones stay in Eigen, where the
// call overhead of LAPACK would dominate. Every mutating function builds its result in
// locals and commits with non-throwing moves (strong guarantee).
#include "prospect/kernels/cholesky.hpp"

#include <Eigen/Cholesky>
#include <cmath>
#include <sstream>
#include <utility>

#include "prospect/errors.hpp"

#ifdef EIGEN_USE_LAPACKE
// Eigen/Cholesky already declared the LAPACKE prototypes (same include guard), so this
// include is a no-op kept for readers looking for where LAPACKE_dpotrf comes from.
#include <lapacke.h>
#endif

namespace prospect::kernels {

namespace {

using Eigen::Index;

/// From this size on, factorizations go through LAPACK dpotrf.
[[maybe_unused]] constexpr Index kLapackMin = 128;
/// From this size on, inverses go through LAPACK dpotri (measured faster than two
/// triangular solves on the identity from a few dozen rows on).
[[maybe_unused]] constexpr Index kLapackInverseMin = 32;
/// A Schur-complement pivot below this fraction of the new diagonal entry means the
/// appended points are (nearly) duplicates: refactor everything instead (§1.8).
constexpr double kAppendPivotTolerance = 1e-12;

/// L with L L^T = A (lower triangle of A read, strict upper triangle of L zero); false
/// when A is not numerically positive definite.
bool try_factor(const Matrix& A, Matrix& L) {
  const Index n = A.rows();
#ifdef EIGEN_USE_LAPACKE
  if (n >= kLapackMin) {
    L = A;
    const lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', static_cast<lapack_int>(n),
                                           L.data(), static_cast<lapack_int>(n));
    if (info != 0) return false;
    L.triangularView<Eigen::StrictlyUpper>().setZero();
  } else
#endif
  {
    const Eigen::LLT<Matrix, Eigen::Lower> llt(A);
    if (llt.info() != Eigen::Success) return false;
    L = llt.matrixL();
  }
  // LLT accepts some overflowed pivots; a factor must have a finite positive diagonal.
  for (Index i = 0; i < n; ++i)
    if (!(L(i, i) > 0.0) || !std::isfinite(L(i, i))) return false;
  return true;
}

/// Throws NumericalError naming the first non-finite entry of the lower triangle.
void check_finite_lower(MatrixCRef A, const char* where, const char* what) {
  for (Index j = 0; j < A.cols(); ++j) {
    for (Index i = j; i < A.rows(); ++i) {
      if (!std::isfinite(A(i, j))) {
        std::ostringstream msg;
        msg << where << ": " << what << " (" << A.rows() << " x " << A.cols() << ") holds "
            << A(i, j) << " at (" << i << ", " << j << "); expected finite entries";
        throw NumericalError(msg.str());
      }
    }
  }
}

void check_options(const CholeskyOptions& o) {
  if (!(o.base_jitter > 0.0) || !std::isfinite(o.base_jitter)) {
    std::ostringstream msg;
    msg << "RobustCholesky::compute: options.base_jitter = " << o.base_jitter
        << "; expected a finite value > 0";
    throw InvalidArgument(msg.str());
  }
  if (o.max_tries < 0) {
    throw InvalidArgument("RobustCholesky::compute: options.max_tries = " +
                          std::to_string(o.max_tries) + "; expected >= 0");
  }
}

void check_rows(const char* where, const char* name, Index rows, Index n) {
  if (rows != n) {
    throw InvalidArgument(std::string("RobustCholesky::") + where + ": " + name + " has " +
                          std::to_string(rows) + " rows; expected size() = " + std::to_string(n));
  }
}

}  // namespace

RobustCholesky& RobustCholesky::compute(MatrixCRef A, CholeskyOptions options) {
  check_options(options);
  if (A.rows() != A.cols() || A.rows() == 0) {
    throw InvalidArgument("RobustCholesky::compute: A is " + std::to_string(A.rows()) + " x " +
                          std::to_string(A.cols()) + "; expected a non-empty square matrix");
  }
  check_finite_lower(A, "RobustCholesky::compute", "A");
  const Index n = A.rows();
  Matrix original = A;
  Matrix L;
  double jitter = 0.0;
  if (!try_factor(original, L)) {
    double scale = 1.0;
    if (options.relative) {
      const double mean_diag = original.diagonal().mean();
      if (mean_diag > 0.0 && std::isfinite(mean_diag)) scale = mean_diag;
    }
    bool success = false;
    Matrix work;
    for (int i = 0; i < options.max_tries && !success; ++i) {
      // Cumulative as in psd_safe_cholesky: the total added is base * 10^i, applied to
      // the original matrix so that L L^T = A + jitter I holds to rounding.
      jitter = options.base_jitter * std::pow(10.0, i) * scale;
      work = original;
      work.diagonal().array() += jitter;
      success = try_factor(work, L);
    }
    if (!success) {
      std::ostringstream msg;
      msg << "RobustCholesky::compute: the " << n << " x " << n
          << " matrix is not positive definite even with jitter "
          << (options.max_tries > 0 ? jitter : 0.0) << " added to its diagonal (base_jitter "
          << options.base_jitter << ", max_tries " << options.max_tries
          << (options.relative ? ", relative to mean(diag A)" : "") << "; min diag A "
          << original.diagonal().minCoeff() << ")";
      throw NumericalError(msg.str());
    }
  }
  L_ = std::move(L);
  A_ = std::move(original);
  jitter_ = jitter;
  options_ = options;
  return *this;
}

void RobustCholesky::append(MatrixCRef K_cross, MatrixCRef K_new) {
  if (!ok()) throw InvalidState("RobustCholesky::append: called before a successful compute()");
  const Index n = size();
  const Index q = K_cross.cols();
  check_rows("append", "K_cross", K_cross.rows(), n);
  if (K_new.rows() != q || K_new.cols() != q) {
    throw InvalidArgument("RobustCholesky::append: K_new is " + std::to_string(K_new.rows()) +
                          " x " + std::to_string(K_new.cols()) +
                          "; expected q x q with q = " + "K_cross.cols() = " + std::to_string(q));
  }
  if (q == 0) return;
  for (Index j = 0; j < q; ++j)
    for (Index i = 0; i < n; ++i)
      if (!std::isfinite(K_cross(i, j))) {
        std::ostringstream msg;
        msg << "RobustCholesky::append: K_cross holds " << K_cross(i, j) << " at (" << i << ", "
            << j << "); expected finite entries";
        throw NumericalError(msg.str());
      }
  check_finite_lower(K_new, "RobustCholesky::append", "K_new");

  // Assembled matrix without jitter, for the stored copy or the fallback.
  Matrix A(n + q, n + q);
  A.topLeftCorner(n, n) = A_;
  A.bottomLeftCorner(q, n) = K_cross.transpose();
  A.topRightCorner(n, q) = K_cross;
  A.bottomRightCorner(q, q) = K_new;

  Matrix L21t = K_cross;  // becomes L^{-1} K_cross = L21^T
  solve_lower_in_place(L21t);
  Matrix S = K_new;
  S.diagonal().array() += jitter_;
  S.noalias() -= L21t.transpose() * L21t;
  Matrix L22;
  bool fast = try_factor(S, L22);
  for (Index i = 0; fast && i < q; ++i)
    fast = L22(i, i) * L22(i, i) > kAppendPivotTolerance * std::abs(K_new(i, i));

  if (!fast) {
    RobustCholesky full;
    full.compute(A, options_);
    *this = std::move(full);
    return;
  }
  Matrix L = Matrix::Zero(n + q, n + q);
  L.topLeftCorner(n, n) = L_;
  L.bottomLeftCorner(q, n) = L21t.transpose();
  L.bottomRightCorner(q, q) = L22;
  L_ = std::move(L);
  A_ = std::move(A);
}

Vector RobustCholesky::solve_vector(VectorCRef b) const {
  if (!ok()) throw InvalidState("RobustCholesky::solve: called before a successful compute()");
  check_rows("solve", "b", b.size(), size());
  Vector x = b;
  L_.triangularView<Eigen::Lower>().solveInPlace(x);
  L_.triangularView<Eigen::Lower>().transpose().solveInPlace(x);
  return x;
}

Matrix RobustCholesky::solve_matrix(MatrixCRef B) const {
  if (!ok()) throw InvalidState("RobustCholesky::solve: called before a successful compute()");
  check_rows("solve", "B", B.rows(), size());
  Matrix X = B;
  L_.triangularView<Eigen::Lower>().solveInPlace(X);
  L_.triangularView<Eigen::Lower>().transpose().solveInPlace(X);
  return X;
}

void RobustCholesky::solve_lower_in_place(Eigen::Ref<Matrix> B) const {
  if (!ok()) {
    throw InvalidState(
        "RobustCholesky::solve_lower_in_place: called before a successful compute()");
  }
  check_rows("solve_lower_in_place", "B", B.rows(), size());
  L_.triangularView<Eigen::Lower>().solveInPlace(B);
}

void RobustCholesky::solve_upper_in_place(Eigen::Ref<Matrix> B) const {
  if (!ok()) {
    throw InvalidState(
        "RobustCholesky::solve_upper_in_place: called before a successful compute()");
  }
  check_rows("solve_upper_in_place", "B", B.rows(), size());
  L_.triangularView<Eigen::Lower>().transpose().solveInPlace(B);
}

double RobustCholesky::log_determinant() const {
  if (!ok()) {
    throw InvalidState("RobustCholesky::log_determinant: called before a successful compute()");
  }
  return 2.0 * L_.diagonal().array().log().sum();
}

Matrix RobustCholesky::inverse() const {
  if (!ok()) throw InvalidState("RobustCholesky::inverse: called before a successful compute()");
  const Index n = size();
  Matrix inv;
#ifdef EIGEN_USE_LAPACKE
  if (n >= kLapackInverseMin) {
    inv = L_;
    const lapack_int info = LAPACKE_dpotri(LAPACK_COL_MAJOR, 'L', static_cast<lapack_int>(n),
                                           inv.data(), static_cast<lapack_int>(n));
    if (info != 0) {
      throw NumericalError("RobustCholesky::inverse: LAPACK dpotri failed with info = " +
                           std::to_string(info) + " for n = " + std::to_string(n));
    }
    for (Index j = 1; j < n; ++j)
      for (Index i = 0; i < j; ++i) inv(i, j) = inv(j, i);
    return inv;
  }
#endif
  inv = Matrix::Identity(n, n);
  L_.triangularView<Eigen::Lower>().solveInPlace(inv);
  L_.triangularView<Eigen::Lower>().transpose().solveInPlace(inv);
  // Exactly symmetric, like the LAPACK path.
  for (Index j = 1; j < n; ++j)
    for (Index i = 0; i < j; ++i) inv(i, j) = inv(j, i) = 0.5 * (inv(i, j) + inv(j, i));
  return inv;
}

}  // namespace prospect::kernels
