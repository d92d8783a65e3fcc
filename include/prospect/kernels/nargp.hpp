// prospect/kernels/nargp.hpp — the kernel of one NARGP level (Perdikaris et al. 2017).
//
// On augmented inputs z = (x, u) with design coordinates x in [0,1]^d and u the
// previous level's output (mapped affinely by the model, see NonlinearAR1; not bounded):
//   k(z, z') = k_rho(x, x') k_f(u, u') + k_delta(x, x')
// with three squared-exponential kernels: k_rho (ARD on x, learned output scale s_rho),
// k_f (one lengthscale on u, no output scale: it would duplicate s_rho) and k_delta (ARD
// on x, learned output scale s_delta). The input dimension is D = d + 1: the LAST column
// is u. ALGORITHMS.md §3.4.
//
// theta (natural logs), 2d + 3 values:
//   [rho.lengthscale[0..d-1], rho.outputscale, f.lengthscale, delta.lengthscale[0..d-1],
//    delta.outputscale]
// Lengthscale bounds [0.025, 1e3] (also on u), output-scale bounds [1e-2, 1e2]; default
// output scales 1 (rho) and 0.1 (delta: the bias is expected small).
//
// Complexity: matrix() O(n1 n2 D); contract_hyperparameter_gradient() O(n^2 D) time and
// O(n^2) extra memory (two n x n element-wise products); input_gradient() O(n D).
#pragma once

#include "prospect/kernels/stationary.hpp"

namespace prospect::kernels {

/// k_rho(x, x') k_f(u, u') + k_delta(x, x') on z = (x, u), u the last column.
class NargpKernel : public Kernel {
 public:
  NargpKernel();

  [[nodiscard]] std::unique_ptr<Kernel> clone() const override;
  /// "nargp".
  [[nodiscard]] std::string name() const override;
  /// For D = d + 1 >= 2 (InvalidArgument otherwise); layout in the file comment.
  [[nodiscard]] std::vector<HyperparameterSpec> hyperparameters(Eigen::Index D) const override;
  void matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta, Eigen::Ref<Matrix> K) const override;
  void diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const override;
  void contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,
                                        Eigen::Ref<Vector> grad) const override;
  /// Gradient in the first argument, w.r.t. x (columns 0..d-1) and u (column d).
  void input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                      Eigen::Ref<Matrix> J) const override;
  /// Zero: k(z, z) = s_rho + s_delta does not depend on z.
  void diagonal_gradient(VectorCRef x, VectorCRef theta, Eigen::Ref<Vector> g) const override;

 private:
  /// Checks D >= 2 and theta's size; returns d = D - 1.
  Eigen::Index check(Eigen::Index D, VectorCRef theta, const char* where) const;

  SquaredExponential rho_;    // ARD on x, output scale
  SquaredExponential f_;      // on u, no output scale
  SquaredExponential delta_;  // ARD on x, output scale
};

}  // namespace prospect::kernels
