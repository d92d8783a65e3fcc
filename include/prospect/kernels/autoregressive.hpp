// prospect/kernels/autoregressive.hpp — linear autoregressive (AR1) co-kriging kernel of
// Kennedy & O'Hagan (2000), as Emukit's LinearMultiFidelityKernel (ALGORITHMS.md §3.3).
//
// Levels l = 0..L-1 (0 = cheapest): f_l(x) = rho_{l-1} f_{l-1}(x) + delta_l(x), f_0 =
// delta_0, with independent delta_l ~ GP(0, k_l). Then
//   Cov(f_i(x), f_j(x')) = sum_{k <= min(i, j)} (prod_{m=k}^{i-1} rho_m)
//                                              (prod_{m=k}^{j-1} rho_m) k_k(x, x').
// Input convention: the LAST column is the level, encoded s = l / (L - 1) in [0, 1] and
// decoded by rounding s (L - 1) (clamped into 0..L-1); the first d - 1 columns are the
// design. Each k_l = s_l g(r_l) has its own ARD lengthscales and output scale.
//
// theta = [level 0: log l (d - 1), log s_0; level 1: ...; level L-1: ...;
//          rho_0 .. rho_{L-2}]. The rho are `linear` hyperparameters (kernel.hpp): theta
// holds their value (default 1, bounds [-10, 10]) and models attach no prior to them.
// Lengthscales and output scales carry no prior hint (the GP preset's kind priors).
//
// Units: rho is a ratio of function values, so the joint standardization of y over all
// levels (a GP's y - mean, / std) leaves it unchanged; the standardization shifts f_l by
// a constant, which delta_l (and the GP's constant mean) absorbs.
//
// Complexity: matrix() O(n1 n2 L d); contract_hyperparameter_gradient() O(n^2 L (d + L))
// with O(L d) extra memory per block; input_gradient() O(n L d). The level column has
// zero input gradient (it is discrete), and k(x, x) does not depend on the design, so
// diagonal_gradient() is zero.
#pragma once

#include "prospect/kernels/kernel.hpp"
#include "prospect/kernels/stationary.hpp"

namespace prospect::kernels {

/// The AR1 co-kriging covariance over L levels.
class Autoregressive : public Kernel {
 public:
  /// levels L >= 2 (InvalidArgument otherwise); `base` is the radial profile of every k_l.
  explicit Autoregressive(Eigen::Index levels, Profile base = Profile::squared_exponential);

  [[nodiscard]] std::unique_ptr<Kernel> clone() const override;
  /// "ar1(<L>, <profile>)".
  [[nodiscard]] std::string name() const override;
  /// Throws InvalidArgument unless d >= 2 (a design column plus the level column).
  [[nodiscard]] std::vector<HyperparameterSpec> hyperparameters(Eigen::Index d) const override;
  void matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta, Eigen::Ref<Matrix> K) const override;
  void diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const override;
  void contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,
                                        Eigen::Ref<Vector> grad) const override;
  void input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                      Eigen::Ref<Matrix> J) const override;
  void diagonal_gradient(VectorCRef x, VectorCRef theta, Eigen::Ref<Vector> g) const override;

  [[nodiscard]] Eigen::Index levels() const { return levels_; }
  [[nodiscard]] Profile base() const { return base_; }
  /// Index in theta of rho_0 for inputs of dimension d (rho_0..rho_{L-2} follow).
  [[nodiscard]] Eigen::Index rho_offset(Eigen::Index d) const { return levels_ * d; }
  /// The level encoded by s (round(s (L - 1)) clamped into 0..L-1).
  [[nodiscard]] Eigen::Index level_of(double s) const;
  /// The encoding l / (L - 1) of level l.
  [[nodiscard]] double encode(Eigen::Index level) const;

 private:
  Eigen::Index levels_;
  Profile base_;
};

}  // namespace prospect::kernels
