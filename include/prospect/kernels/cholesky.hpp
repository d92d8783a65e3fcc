// prospect/kernels/cholesky.hpp — the one Cholesky every model goes through.
//
// RobustCholesky factors a symmetric matrix A = L L^T, escalating a diagonal jitter
// (1e-8, 1e-7, 1e-6 by default, cumulative as in linear_operator's psd_safe_cholesky)
// when A is not numerically positive definite, and throws prospect::NumericalError
// when it stays indefinite or holds NaN/inf. All solves, the log-determinant and the
// inverse use the same jittered factor, so likelihood, gradient and predictions agree.
//
// Complexity: compute() O(n^3/3) flops (LAPACK dpotrf through OpenBLAS for large n);
// solve() O(n^2) per right-hand side; inverse() O(n^3); append() of q new rows
// O(n^2 q + q^3) instead of O((n+q)^3) from scratch.
#pragma once

#include <Eigen/Core>

#include "prospect/kernels/kernel.hpp"

namespace prospect::kernels {

/// How the jitter escalates.
struct CholeskyOptions {
  /// First jitter added to the diagonal when the plain factorization fails.
  double base_jitter = 1e-8;
  /// Number of escalations (each multiplies the jitter by 10); 3 reaches 1e-6.
  int max_tries = 3;
  /// Scale the jitter by the mean of diag(A) (for matrices not in standardized units).
  bool relative = false;
};

/// A Cholesky factorization as a value type (compute / solve / info, as in Eigen).
class RobustCholesky {
 public:
  RobustCholesky() = default;
  /// Factors A at once; throws NumericalError as compute() does.
  explicit RobustCholesky(MatrixCRef A, CholeskyOptions options = {}) { compute(A, options); }

  /// Factors the symmetric matrix A (only its lower triangle is read). Throws
  /// InvalidArgument when A is empty or not square or the options are invalid
  /// (base_jitter <= 0, max_tries < 0).
  /// Throws NumericalError naming the size, the largest jitter tried and why
  /// (NaN/inf entries, or still indefinite). On throw the previous factor is kept.
  RobustCholesky& compute(MatrixCRef A, CholeskyOptions options = {});

  /// Extends the factor of A to that of [[A, B], [B^T, C]] where B = K_cross (n x q)
  /// and C = K_new (q x q, with its noise; lower triangle read). The current jitter is
  /// added to the new diagonal too, so L L^T = [[A, B], [B^T, C]] + jitter I still holds.
  /// Falls back to a full factorization (with fresh jitter escalation, ALGORITHMS.md
  /// §1.8) when the Schur complement C + jitter I - L21 L21^T has a pivot below
  /// 1e-12 C_ii or is not positive definite. Throws InvalidState before compute(),
  /// InvalidArgument on size mismatch, NumericalError as compute(); strong guarantee.
  /// q = 0 is a no-op.
  void append(MatrixCRef K_cross, MatrixCRef K_new);

  /// The lower-triangular factor L (with the jitter included in L L^T).
  [[nodiscard]] const Matrix& matrixL() const { return L_; }
  /// The total jitter added to the diagonal (0 when none was needed).
  [[nodiscard]] double jitter() const { return jitter_; }
  /// Size n of the factored matrix (0 before compute()).
  [[nodiscard]] Eigen::Index size() const { return L_.rows(); }
  /// True once a factorization succeeded.
  [[nodiscard]] bool ok() const { return L_.size() > 0; }

  /// The options of the last successful compute() (append() reuses them).
  [[nodiscard]] const CholeskyOptions& options() const { return options_; }

  // The solves below throw InvalidState before compute() and InvalidArgument when the
  // right-hand side does not have size() rows.

  /// x = A^{-1} b.
  [[nodiscard]] Vector solve_vector(VectorCRef b) const;
  /// X = A^{-1} B.
  [[nodiscard]] Matrix solve_matrix(MatrixCRef B) const;
  /// A^{-1} b: a Vector for an expression with one column at compile time (Vector,
  /// VectorCRef, M.col(j)), a Matrix otherwise. A template because overloads on
  /// VectorCRef and MatrixCRef are ambiguous for every Eigen argument.
  template <class Derived>
  [[nodiscard]] auto solve(const Eigen::MatrixBase<Derived>& b) const {
    if constexpr (Derived::ColsAtCompileTime == 1) {
      return solve_vector(b);
    } else {
      return solve_matrix(b);
    }
  }
  /// B <- L^{-1} B (forward substitution), in place.
  void solve_lower_in_place(Eigen::Ref<Matrix> B) const;
  /// B <- L^{-T} B (backward substitution), in place.
  void solve_upper_in_place(Eigen::Ref<Matrix> B) const;
  /// log det A = 2 sum log L_ii.
  [[nodiscard]] double log_determinant() const;
  /// A^{-1} (symmetric), O(n^3).
  [[nodiscard]] Matrix inverse() const;

 private:
  Matrix L_;
  /// The factored matrix without jitter (lower triangle meaningful), kept so that
  /// append() can fall back to factoring the whole assembled matrix.
  Matrix A_;
  double jitter_ = 0.0;
  CholeskyOptions options_;
};

}  // namespace prospect::kernels
