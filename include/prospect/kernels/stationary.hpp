// prospect/kernels/stationary.hpp — squared exponential and Matern kernels with ARD.
//
// k(x, x') = s * g(r), r^2 = sum_j ((x_j - x'_j) / l_j)^2 on the unit cube, with ARD
// lengthscales l_j (one per input dimension, or one shared when ard = false) and an
// optional output scale s (off by default: the GP standardizes y, as BoTorch >= 0.12).
// theta = [log l_1 .. log l_d, (log s)]. The per-pair math lives in
// kernels/stationary_math.hpp as host-and-device functions, so the CPU tests check the
// same formulas a GPU runs.
//
// Complexity: O(n1 n2 d) per kernel matrix; OpenMP over rows when n1 n2 is large.
#pragma once

#include "prospect/kernels/kernel.hpp"
#include "prospect/kernels/profile.hpp"

namespace prospect::kernels {

/// "se", "matern12", "matern32", "matern52".
[[nodiscard]] const char* to_string(Profile profile);
/// Parses the names above; throws prospect::InvalidArgument naming the value.
[[nodiscard]] Profile profile_from_string(const std::string& name);

/// Settings shared by every stationary kernel.
struct StationaryOptions {
  /// One lengthscale per dimension (true) or one for all (false).
  bool ard = true;
  /// Learn an output scale s (true) or fix s = 1 (false, the default with standardized y).
  bool outputscale = false;
  /// Lengthscale bounds on the unit cube (BoTorch's lower bound is 0.025).
  double min_lengthscale = 0.025;
  double max_lengthscale = 1e3;
  /// Output-scale bounds.
  double min_outputscale = 1e-2;
  double max_outputscale = 1e2;
};

/// theta decoded: what the per-pair math (and the GPU path) works with.
struct StationaryScales {
  Vector inverse_lengthscales;  ///< 1 / l_j for each of the d dimensions
  double outputscale = 1.0;     ///< s (1 when not learned)
};

/// A stationary kernel with the given radial profile.
class Stationary : public Kernel {
 public:
  explicit Stationary(Profile profile, StationaryOptions options = {});

  [[nodiscard]] std::unique_ptr<Kernel> clone() const override;
  [[nodiscard]] std::string name() const override;
  [[nodiscard]] std::vector<HyperparameterSpec> hyperparameters(Eigen::Index d) const override;
  void matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta, Eigen::Ref<Matrix> K) const override;
  void diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const override;
  void contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,
                                        Eigen::Ref<Vector> grad) const override;
  void input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                      Eigen::Ref<Matrix> J) const override;
  void diagonal_gradient(VectorCRef x, VectorCRef theta, Eigen::Ref<Vector> g) const override;

  /// theta decoded for dimension d; throws InvalidArgument as matrix() does.
  [[nodiscard]] StationaryScales scales(VectorCRef theta, Eigen::Index d) const;
  /// grad += the hyperparameter gradient of sum W .* K from the contraction totals t
  /// (size d + 1: t_k = sum_pairs w f (dz_k)^2, t_d = sum_pairs w g, as accumulated by
  /// kernels/stationary_math.hpp's accumulate_pair on the CPU or the GPU). O(d).
  void add_contraction_gradient(const StationaryScales& scales, VectorCRef totals,
                                Eigen::Ref<Vector> grad) const;

  [[nodiscard]] Profile profile() const { return profile_; }
  [[nodiscard]] const StationaryOptions& options() const { return options_; }

 private:
  Profile profile_;
  StationaryOptions options_;
};

/// Squared exponential (RBF): g(r) = exp(-r^2 / 2).
class SquaredExponential : public Stationary {
 public:
  explicit SquaredExponential(StationaryOptions options = {})
      : Stationary(Profile::squared_exponential, options) {}
};
/// Matern 1/2 (exponential): g(r) = exp(-r).
class Matern12 : public Stationary {
 public:
  explicit Matern12(StationaryOptions options = {}) : Stationary(Profile::matern12, options) {}
};
/// Matern 3/2: g(r) = (1 + sqrt3 r) exp(-sqrt3 r).
class Matern32 : public Stationary {
 public:
  explicit Matern32(StationaryOptions options = {}) : Stationary(Profile::matern32, options) {}
};
/// Matern 5/2: g(r) = (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r).
class Matern52 : public Stationary {
 public:
  explicit Matern52(StationaryOptions options = {}) : Stationary(Profile::matern52, options) {}
};

}  // namespace prospect::kernels
