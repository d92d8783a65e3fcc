// kernels/pairwise.hpp — the loops of a kernel given its per-pair math (private header).
//
// The multi-fidelity kernels are not stationary, so they cannot reuse the scaled-
// distance loops of stationary.cpp; instead each one decodes theta into an "evaluator"
// E with the per-pair functions below, and these templates run the loops:
//
//   Eigen::Index size() const;   // number of hyperparameters p
//   double value(const double* a, const double* b) const;            // k(a, b)
//   void add_theta_gradient(const double* a, const double* b, double w,
//                           double* acc) const;                       // acc += w dk/dtheta
//   void first_gradient(const double* a, const double* b, double* g) const;  // dk/da
//
// a and b point to the d coordinates of one point (contiguous). Every OpenMP loop either
// writes disjoint entries or accumulates into per-block partials of a FIXED block size
// summed in block order, so results do not depend on the number of threads.
//
// d k(x, x) / dx is computed as 2 dk/da at a = b = x, which holds for every symmetric
// kernel differentiable on the diagonal (k(a, b) = k(b, a) gives d2 k = d1 k there).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "prospect/kernels/kernel.hpp"

namespace prospect::kernels::detail {

/// Below this many pairs a kernel matrix is filled by one thread.
inline constexpr Eigen::Index kPairwiseParallelPairs = 100 * 100;
/// Columns per block of the contraction; fixed so the summation order depends only on n.
inline constexpr Eigen::Index kPairwiseBlock = 16;

/// X^T: d x n, column i = point i (contiguous coordinates).
inline Matrix points_by_column(MatrixCRef X) {
  return X.transpose();
}

/// K(i, j) = k(X1.row(i), X2.row(j)); exploits symmetry when X1 and X2 are the same.
template <class E>
void pairwise_matrix(const E& e, MatrixCRef X1, MatrixCRef X2, Eigen::Ref<Matrix> K) {
  using Eigen::Index;
  const bool same =
      X1.data() == X2.data() && X1.rows() == X2.rows() && X1.outerStride() == X2.outerStride();
  const Matrix Z1 = points_by_column(X1);
  const Matrix Z2 = same ? Matrix() : points_by_column(X2);
  const Matrix& B = same ? Z1 : Z2;
  const Index d = Z1.rows();
  const Index n1 = Z1.cols();
  const Index n2 = B.cols();
  const bool parallel = n1 * n2 >= kPairwiseParallelPairs;
  if (same) {
#pragma omp parallel for schedule(dynamic, 8) if (parallel)
    for (Index j = 0; j < n2; ++j) {
      const double* zj = Z1.data() + j * d;
      for (Index i = j; i < n1; ++i) {
        const double v = e.value(Z1.data() + i * d, zj);
        K(i, j) = v;
        K(j, i) = v;
      }
    }
    return;
  }
#pragma omp parallel for schedule(static) if (parallel)
  for (Index j = 0; j < n2; ++j) {
    const double* zj = B.data() + j * d;
    for (Index i = 0; i < n1; ++i) K(i, j) = e.value(Z1.data() + i * d, zj);
  }
}

/// diag(i) = k(X.row(i), X.row(i)).
template <class E>
void pairwise_diagonal(const E& e, MatrixCRef X, Eigen::Ref<Vector> diag) {
  const Matrix Z = points_by_column(X);
  const Eigen::Index d = Z.rows();
  for (Eigen::Index i = 0; i < Z.cols(); ++i) {
    const double* zi = Z.data() + i * d;
    diag(i) = e.value(zi, zi);
  }
}

/// grad += sum_{a,b} W(a,b) dK(a,b)/dtheta, both triangles at once (W(a,b) + W(b,a) per
/// pair a > b), which is exact for a symmetric W and the true contraction otherwise.
template <class E>
void pairwise_contract(const E& e, MatrixCRef X, MatrixCRef W, Eigen::Ref<Vector> grad) {
  using Eigen::Index;
  const Matrix Z = points_by_column(X);
  const Index d = Z.rows();
  const Index n = Z.cols();
  const Index p = e.size();
  const Index blocks = (n + kPairwiseBlock - 1) / kPairwiseBlock;
  std::vector<double> partial(static_cast<std::size_t>(blocks * p), 0.0);
#pragma omp parallel for schedule(dynamic, 1) if (n >= 128)
  for (Index b = 0; b < blocks; ++b) {
    double* acc = partial.data() + b * p;
    const Index end = std::min(n, (b + 1) * kPairwiseBlock);
    for (Index col = b * kPairwiseBlock; col < end; ++col) {
      const double* zc = Z.data() + col * d;
      e.add_theta_gradient(zc, zc, W(col, col), acc);
      for (Index row = col + 1; row < n; ++row) {
        const double w = W(row, col) + W(col, row);
        if (w != 0.0) e.add_theta_gradient(Z.data() + row * d, zc, w, acc);
      }
    }
  }
  for (Index b = 0; b < blocks; ++b)
    for (Index k = 0; k < p; ++k) grad(k) += partial[static_cast<std::size_t>(b * p + k)];
}

/// J(i, :) = dk(x, X.row(i)) / dx.
template <class E>
void pairwise_input_gradient(const E& e, VectorCRef x, MatrixCRef X, Eigen::Ref<Matrix> J) {
  const Matrix Z = points_by_column(X);
  const Vector xv = x;
  const Eigen::Index d = Z.rows();
  Vector g(d);
  for (Eigen::Index i = 0; i < Z.cols(); ++i) {
    e.first_gradient(xv.data(), Z.data() + i * d, g.data());
    J.row(i) = g.transpose();
  }
}

/// g = d k(x, x) / dx = 2 dk/da at a = b = x (symmetric kernels).
template <class E>
void pairwise_diagonal_gradient(const E& e, VectorCRef x, Eigen::Ref<Vector> g) {
  const Vector xv = x;
  Vector t(xv.size());
  e.first_gradient(xv.data(), xv.data(), t.data());
  g = 2.0 * t;
}

}  // namespace prospect::kernels::detail
