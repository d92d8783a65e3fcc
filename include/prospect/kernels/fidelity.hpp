// prospect/kernels/fidelity.hpp — BoTorch's multi-fidelity kernels (ALGORITHMS.md §3.2).
//
// Input convention: rows of [0,1]^d whose LAST m columns are fidelity coordinates
// (1 = the target fidelity) and whose first d - m columns are the design. theta holds
// log values, as for every kernel (kernel.hpp). Each hyperparameter spec carries the
// prior BoTorch attaches to it as a PriorHint, except the design lengthscales of
// FidelityProduct, which take the GP preset's lengthscale prior.
//
// Priors: taken from BoTorch's code (botorch/models/gp_regression_fidelity.py and
// botorch/models/kernels/linear_truncated_fidelity.py, v0.12-0.15), which differs from
// the LinearTruncatedFidelityKernel docstring: the unbiased and biased lengthscales have
// Gamma(3, 6) and Gamma(6, 2) priors (the docstring, and ALGORITHMS.md §3.2, say
// Gamma(1.1, 1/20) and Gamma(5, 1/20)).
//
// Complexity: matrix() O(n1 n2 d); contract_hyperparameter_gradient() O(n^2 (d + p))
// time and O(p) extra memory per block of 16 columns (no n x n x p tensor);
// input_gradient() O(n d). Results do not depend on the number of OpenMP threads.
#pragma once

#include <vector>

#include "prospect/kernels/kernel.hpp"
#include "prospect/kernels/stationary.hpp"

namespace prospect::kernels {

/// BoTorch's default multi-fidelity kernel (`LinearTruncatedFidelityKernel`, nu = 2.5):
///   k = s [ k0(x, x') + B(f, f') k1(x, x') ],
///   B = sum_i (1 - f_i)(1 - f'_i)(1 + f_i f'_i)^p
///       [+ (1 - f_1)(1 - f'_1)(1 - f_2)(1 - f'_2)(1 + f_1 f'_1 + f_2 f'_2)^p for m = 2],
/// fidelities clamped into [0, 1]. k0 ("unbiased") and k1 ("biased") are ARD correlations
/// of the given profile on the design columns with their own lengthscales; at the target
/// fidelity (f = 1) B = 0 and k = s k0. With two fidelity columns this is BoTorch's kernel
/// for an iteration fidelity plus one data fidelity (BoTorch multiplies one such kernel
/// per data fidelity when there are several; here use FidelityProduct for that case).
/// theta = [log l0 (d - m), log l1 (d - m), log p, log s]; priors (hints) Gamma(3, 6) on
/// l0, Gamma(6, 2) on l1, Gamma(3, 3) on p, Gamma(2, 0.15) on s; defaults at the modes.
/// B is not guaranteed positive semi-definite for non-integer p (binomial series with
/// coefficients of alternating sign); the GP's jitter covers the rare failures, as in
/// BoTorch.
class LinearTruncatedFidelity : public Kernel {
 public:
  /// fidelity_columns m must be 1 or 2 (InvalidArgument otherwise).
  explicit LinearTruncatedFidelity(Eigen::Index fidelity_columns,
                                   Profile profile = Profile::matern52);

  [[nodiscard]] std::unique_ptr<Kernel> clone() const override;
  /// "linear_truncated(<profile>)".
  [[nodiscard]] std::string name() const override;
  /// Throws InvalidArgument unless d > m (at least one design column).
  [[nodiscard]] std::vector<HyperparameterSpec> hyperparameters(Eigen::Index d) const override;
  void matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta, Eigen::Ref<Matrix> K) const override;
  void diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const override;
  void contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,
                                        Eigen::Ref<Vector> grad) const override;
  void input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                      Eigen::Ref<Matrix> J) const override;
  /// Non-zero in the fidelity columns: k(x, x) = s (1 + B(f, f)).
  void diagonal_gradient(VectorCRef x, VectorCRef theta, Eigen::Ref<Vector> g) const override;

  [[nodiscard]] Eigen::Index fidelity_columns() const { return m_; }
  [[nodiscard]] Profile profile() const { return profile_; }

 private:
  Eigen::Index m_;
  Profile profile_;
};

/// The kind of one fidelity column in FidelityProduct.
enum class FidelityKind {
  downsampling,      ///< data fidelity (training-set fraction, mesh density...)
  exponential_decay  ///< iteration fidelity (epochs, time)
};
/// "downsampling", "exponential_decay".
[[nodiscard]] const char* to_string(FidelityKind kind);

/// BoTorch's DownsamplingKernel on the LAST input column s (other columns are ignored):
/// k = c + [(1 - s)(1 - s')]^(1 + delta), s clamped into [0, 1]. theta = [log c,
/// log delta], both with the hint Gamma(3, 6). Positive semi-definite (a constant plus
/// a rank-one term).
class DownsamplingFidelity : public Kernel {
 public:
  DownsamplingFidelity() = default;
  [[nodiscard]] std::unique_ptr<Kernel> clone() const override;
  /// "downsampling".
  [[nodiscard]] std::string name() const override;
  [[nodiscard]] std::vector<HyperparameterSpec> hyperparameters(Eigen::Index d) const override;
  void matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta, Eigen::Ref<Matrix> K) const override;
  void diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const override;
  void contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,
                                        Eigen::Ref<Vector> grad) const override;
  void input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                      Eigen::Ref<Matrix> J) const override;
  void diagonal_gradient(VectorCRef x, VectorCRef theta, Eigen::Ref<Vector> g) const override;
};

/// BoTorch's ExponentialDecayKernel on the LAST input column t (others ignored):
/// k = w + (1 + (t + t') / beta)^(-alpha). theta = [log w, log alpha, log beta], all with
/// the hint Gamma(3, 6). Positive semi-definite (a Gamma mixture of exp(-lambda (t+t'))).
class ExponentialDecayFidelity : public Kernel {
 public:
  ExponentialDecayFidelity() = default;
  [[nodiscard]] std::unique_ptr<Kernel> clone() const override;
  /// "exponential_decay".
  [[nodiscard]] std::string name() const override;
  [[nodiscard]] std::vector<HyperparameterSpec> hyperparameters(Eigen::Index d) const override;
  void matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta, Eigen::Ref<Matrix> K) const override;
  void diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const override;
  void contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,
                                        Eigen::Ref<Vector> grad) const override;
  void input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                      Eigen::Ref<Matrix> J) const override;
  void diagonal_gradient(VectorCRef x, VectorCRef theta, Eigen::Ref<Vector> g) const override;
};

/// BoTorch's composite multi-fidelity kernel (SingleTaskMultiFidelityGP with
/// linear_truncated = False):
///   k = s k_design(x, x') prod_f k_f(s_f, s'_f),
/// k_design an ARD correlation of `design_profile` on the first d - m columns, k_f the
/// downsampling or exponential-decay factor of fidelity column f (kinds[f] for column
/// d - m + f). theta = [log l (d - m), per fidelity column in order: downsampling
/// (log c, log delta) or exponential decay (log w, log alpha, log beta), (log s)].
/// Design lengthscales: kind lengthscale WITHOUT hint (the GP preset's prior, which uses
/// the full input dimension d where BoTorch uses d - m); fidelity parameters: Gamma(3, 6);
/// s: Gamma(2, 0.15). BoTorch >= 0.12 dropped the output scale of this composite
/// (legacy BoTorch has it): pass outputscale = false for the current behaviour.
class FidelityProduct : public Kernel {
 public:
  /// kinds: one per fidelity column, at least one (InvalidArgument otherwise).
  explicit FidelityProduct(std::vector<FidelityKind> kinds,
                           Profile design_profile = Profile::squared_exponential,
                           bool outputscale = true);

  [[nodiscard]] std::unique_ptr<Kernel> clone() const override;
  /// "fidelity_product(<profile>; <kind>, ...)".
  [[nodiscard]] std::string name() const override;
  /// Throws InvalidArgument unless d > m.
  [[nodiscard]] std::vector<HyperparameterSpec> hyperparameters(Eigen::Index d) const override;
  void matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta, Eigen::Ref<Matrix> K) const override;
  void diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const override;
  void contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,
                                        Eigen::Ref<Vector> grad) const override;
  void input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                      Eigen::Ref<Matrix> J) const override;
  /// Non-zero in the fidelity columns.
  void diagonal_gradient(VectorCRef x, VectorCRef theta, Eigen::Ref<Vector> g) const override;

  [[nodiscard]] const std::vector<FidelityKind>& kinds() const { return kinds_; }
  [[nodiscard]] Profile design_profile() const { return profile_; }
  [[nodiscard]] bool has_outputscale() const { return outputscale_; }

 private:
  std::vector<FidelityKind> kinds_;
  Profile profile_;
  bool outputscale_;
};

}  // namespace prospect::kernels
