// prospect/kernels/kernel.hpp — the covariance-kernel interface.
//
// A kernel is a runtime object (no template machinery): a new kernel is one file
// deriving from Kernel plus its test. Inputs are points of the unit cube, one per
// ROW of an n x d matrix. Hyperparameters are passed as a vector `theta` of their
// natural logarithms (log lengthscales, log output scale, ...), the variables the
// likelihood optimizer works in, except those marked `linear` (signed scale factors,
// held as their value); the kernel describes each one (name, kind, bounds, default,
// optionally a recommended prior) so that the model attaches priors without knowing
// the kernel.
//
// Complexity: matrix() is O(n1 n2 d); contract_hyperparameter_gradient() is
// O(n^2 d) time and O(1) extra memory (it never forms the n x n x p derivative
// tensor); input_gradient() is O(n d).
#pragma once

#include <Eigen/Core>
#include <memory>
#include <string>
#include <vector>

namespace prospect::kernels {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
using MatrixCRef = Eigen::Ref<const Eigen::MatrixXd>;
using VectorCRef = Eigen::Ref<const Eigen::VectorXd>;

/// What a hyperparameter means, so that models can attach a prior to it.
enum class HyperparameterKind { lengthscale, outputscale, other };

/// A prior a kernel recommends for one of its hyperparameters, as a density on the
/// hyperparameter's VALUE (not its log): Gamma(a = concentration, b = rate) or
/// LogNormal(a = mu, b = sigma). Models use it in place of their kind-based prior when
/// family != none (the GP does so for its presets botorch and botorch_legacy; its
/// preset none uses no prior at all).
struct PriorHint {
  enum class Family { none, gamma, lognormal };
  Family family = Family::none;
  double a = 0.0;  ///< Gamma concentration or LogNormal mu
  double b = 0.0;  ///< Gamma rate or LogNormal sigma
};

/// One hyperparameter, described in log space (or in value space when `linear`).
struct HyperparameterSpec {
  std::string name;         ///< e.g. "lengthscale[2]", "outputscale"
  HyperparameterKind kind;  ///< lengthscale, outputscale or other
  double log_lower;         ///< lower bound of log(value) (of the value when linear)
  double log_upper;         ///< upper bound of log(value) (of the value when linear)
  double log_default;       ///< starting log(value) (the value when linear) without prior
  /// A recommended prior on the value; ignored when `linear` (the value may be negative).
  PriorHint prior{};
  /// theta holds the value itself, not its log: a signed scale factor such as the
  /// co-kriging rho. Then log_lower, log_upper and log_default are the bounds and the
  /// default of the value itself, and models attach no log-space prior to it.
  bool linear = false;
};

/// A positive semi-definite covariance function k(x, x') on the unit cube.
class Kernel {
 public:
  virtual ~Kernel() = default;

  /// A deep copy.
  [[nodiscard]] virtual std::unique_ptr<Kernel> clone() const = 0;
  /// A short name for files and reports, e.g. "matern52".
  [[nodiscard]] virtual std::string name() const = 0;
  /// The hyperparameters for inputs of dimension d, in the order of theta.
  [[nodiscard]] virtual std::vector<HyperparameterSpec> hyperparameters(Eigen::Index d) const = 0;

  /// K(i, j) = k(X1.row(i), X2.row(j)). K must be X1.rows() x X2.rows().
  virtual void matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta,
                      Eigen::Ref<Matrix> K) const = 0;
  /// The diagonal k(X.row(i), X.row(i)) into diag (size X.rows()).
  virtual void diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const = 0;

  /// grad(k) += sum_{a,b} W(a,b) * dK(X,X)(a,b) / dtheta_k for every hyperparameter k.
  /// W is symmetric n x n; grad has size theta.size(). This contraction is all the
  /// log marginal likelihood needs: dL/dtheta_k = 0.5 * sum W .* dK/dtheta_k with
  /// W = alpha alpha^T - K^{-1}.
  virtual void contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,
                                                Eigen::Ref<Vector> grad) const = 0;

  /// J(i, :) = d k(x, X.row(i)) / dx, the gradient in the FIRST argument. J is n x d.
  virtual void input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                              Eigen::Ref<Matrix> J) const = 0;
  /// d k(x, x) / dx (both arguments moving). Zero for stationary kernels.
  virtual void diagonal_gradient(VectorCRef x, VectorCRef theta, Eigen::Ref<Vector> g) const = 0;

  /// Convenience: K(X1, X2) as a new matrix.
  [[nodiscard]] Matrix operator()(MatrixCRef X1, MatrixCRef X2, VectorCRef theta) const {
    Matrix K(X1.rows(), X2.rows());
    matrix(X1, X2, theta, K);
    return K;
  }
  /// Default theta for dimension d (each spec's log_default).
  [[nodiscard]] Vector default_theta(Eigen::Index d) const {
    const auto specs = hyperparameters(d);
    Vector theta(static_cast<Eigen::Index>(specs.size()));
    for (std::size_t k = 0; k < specs.size(); ++k)
      theta(static_cast<Eigen::Index>(k)) = specs[k].log_default;
    return theta;
  }
};

}  // namespace prospect::kernels
