// prospect/kernels/nngp.hpp — the infinite-width Bayesian neural network kernel (NNGP,
// ReLU arc-cosine recursion; ALGORITHMS.md §5.6), BoTorch's InfiniteWidthBNNKernel.
//
// The covariance of the output of a fully connected ReLU network with D hidden layers
// whose widths go to infinity, weights N(0, sigma_w^2 / fan_in) and biases N(0, sigma_b^2)
// in every layer (the output layer included):
//   K^0(x, x') = sigma_b^2 + sigma_w^2 x.x' / d,
//   K^l(x, x') = sigma_b^2 + sigma_w^2 / (2 pi) sqrt(K^{l-1}_xx K^{l-1}_x'x')
//                (sin t + (pi - t) cos t),
//   cos t = clamp(K^{l-1}(x, x') / sqrt(K^{l-1}_xx K^{l-1}_x'x'), -1 + 1e-7, 1 - 1e-7),
//   K^l_xx = sigma_w^2 / 2 K^{l-1}_xx + sigma_b^2,     k(x, x') = K^D(x, x').
// Not stationary: the kernel depends on the placement of the inputs (unit cube, as
// BoTorch). The clamp keeps acos differentiable; inside the clamp region (points whose
// layer-(l-1) correlation exceeds 1 - 1e-7, e.g. x = x') the derivative through t is 0,
// which is the exact derivative of the clamped function computed here. Because of the
// clamp k(x, x) is (1 - ~1e-7) times the exact diagonal recursion; diagonal() returns the
// same value as matrix() so the two always agree.
//
// ARD (NNGPOptions::ard): the first layer's weights on input j get their own variance
// sigma_w^2 r_j / d, so the base layer becomes
//   K^0(x, x') = sigma_b^2 + (1/d) sum_j sigma_w^2 r_j x_j x'_j
// (the isotropic kernel of the inputs x_j sqrt(r_j)); deeper layers still use sigma_w^2.
// A relevance r_j -> 0 makes the kernel ignore coordinate j, which the isotropic base
// layer cannot do. The r_j are not lengthscales (the kernel is not stationary; r_j
// scales an inner product, and a large r_j means a relevant input).
//
// Hyperparameters (log values, kind `other`, no prior hint): without ARD exactly the two of
// BoTorch's InfiniteWidthBNNKernel, theta = [log sigma_w^2, log sigma_b^2]; with ARD then
// the d log relevances [log r_1, ..., log r_d] (bounds [log 1e-4, log 1e2], default
// log 1 = 0, where the ARD kernel equals the isotropic one). There is no output
// scale: the GP standardizes y and uses no output scale with its "botorch" preset
// (gaussian_process.hpp), and the kernel's overall scale is already free through
// sigma_w^2 (k grows like (sigma_w^2 / 2)^D) and sigma_b^2.
//
// Units: inputs in [0, 1]^d (any finite inputs work), variances in the units of the
// (standardized) output squared.
//
// Complexity (with or without ARD): matrix() O(n1 n2 (d + D)); diagonal() O(n (d + D));
// contract_hyperparameter_gradient() O(n^2 (d + D)) time, O(p) extra memory per block of
// 16 columns, p = 2 or d + 2 (no n x n x p tensor; forward-mode derivatives of the
// recursion per pair, the d relevance tangents through three shared coefficients);
// input_gradient() O(n (d + D)). Results do not depend on the number of OpenMP threads.
#pragma once

#include <string>
#include <vector>

#include "prospect/kernels/kernel.hpp"

namespace prospect::kernels {

/// Settings of NeuralNetworkKernel (every field has a sound default).
struct NNGPOptions {
  /// Number of hidden ReLU layers D, 1 <= D <= 64 (BoTorch's default is 3).
  int depth = 3;
  /// Starting values of the two hyperparameters. The defaults are the study's fixed
  /// sigma_w^2 = 10, sigma_b^2 = 1.3 (ALGORITHMS.md §5.6): the reference results were
  /// produced with them, so a fit starts from the configuration known to work on the
  /// study's problems and the kernel reproduces the study when the hyperparameters are
  /// not learned. (BoTorch starts at softplus(0) = ln 2 for both.)
  double weight_variance = 10.0;
  double bias_variance = 1.3;
  /// Bounds of sigma_w^2 and sigma_b^2 (positive, min < max, the starting values inside).
  double min_weight_variance = 1e-2;
  double max_weight_variance = 1e3;
  double min_bias_variance = 1e-4;
  double max_bias_variance = 1e2;
  /// false: the isotropic base layer of BoTorch's InfiniteWidthBNNKernel (theta of size 2).
  /// true: each input coordinate j gets its own first-layer weight variance
  /// sigma_w^2 r_j, with d extra hyperparameters log r_j after the two variances
  /// (named "relevance[j]", kind other, bounds [log 1e-4, log 1e2], default 0). Use it
  /// when only some inputs matter; it costs d more hyperparameters to fit.
  bool ard = false;

  /// Throws InvalidArgument naming the first invalid field, its value and what was
  /// expected.
  void validate() const;
};

/// The infinite-width ReLU network kernel k = K^D described above.
/// theta = [log sigma_w^2, log sigma_b^2] (+ [log r_1, ..., log r_d] with ARD).
class NeuralNetworkKernel : public Kernel {
 public:
  /// Throws InvalidArgument (naming the field) when options.validate() fails.
  explicit NeuralNetworkKernel(NNGPOptions options = {});

  [[nodiscard]] std::unique_ptr<Kernel> clone() const override;
  /// "nngp(relu,depth=<D>)", or "nngp(relu,depth=<D>,ard)" with ARD.
  [[nodiscard]] std::string name() const override;
  /// "weight_variance", "bias_variance" (kind other, bounds and defaults from the
  /// options, in log space), then with ARD "relevance[0]".."relevance[d-1]" (kind other,
  /// [log 1e-4, log 1e2], default 0). Throws InvalidArgument for d < 1.
  [[nodiscard]] std::vector<HyperparameterSpec> hyperparameters(Eigen::Index d) const override;
  void matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta, Eigen::Ref<Matrix> K) const override;
  void diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const override;
  void contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,
                                        Eigen::Ref<Vector> grad) const override;
  /// Gradient in the first argument, O(d + D) per row of X (the base layer's derivative in
  /// x_j is sigma_w^2 r_j x'_j / d, r_j = 1 without ARD).
  void input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                      Eigen::Ref<Matrix> J) const override;
  /// Non-zero: k(x, x) grows with |x|^2 through the base layer.
  void diagonal_gradient(VectorCRef x, VectorCRef theta, Eigen::Ref<Vector> g) const override;

  [[nodiscard]] const NNGPOptions& options() const { return options_; }

 private:
  NNGPOptions options_;
};

}  // namespace prospect::kernels
