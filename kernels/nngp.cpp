// kernels/nngp.cpp — the infinite-width ReLU network kernel (ALGORITHMS.md §5.6).
//
// Per pair the triple (K_xx', K_xx, K_x'x') is propagated layer by layer (cost O(D), where
// the study's recursion on the diagonal terms costs 3^D). Derivatives are forward mode
// through the same recursion: two tangents for the hyperparameters, and for the input
// gradient two scalar coefficients, because every layer's derivative in x is a linear
// combination of x and x' (the base layer's are sigma_w^2 x' / d and 2 sigma_w^2 x / d and
// each layer maps them linearly), so O(d + D) per pair instead of O(d D). The ARD
// relevances enter only the base layer, so their d tangents are likewise three shared
// coefficients applied to per-coordinate base tangents.
#include "prospect/kernels/nngp.hpp"

#include <cmath>
#include <numbers>
#include <sstream>
#include <vector>

#include "kernels/fidelity_math.hpp"
#include "kernels/pairwise.hpp"
#include "prospect/errors.hpp"

namespace prospect::kernels {

namespace {

using Eigen::Index;

constexpr int kMaxDepth = 64;
/// |cos t| is clamped to this against rounding only. The derivatives in arc() have no
/// 1 / sin t (the J terms through t cancel), so no margin is needed; BoTorch's margin of
/// 1e-7 (there for autograd through acos) made matrices of tightly clustered points
/// indefinite by about 1e-6 relative, beyond the Cholesky's jitter. Near c = 1, J is flat
/// (J'(t) = -(pi - t) sin t), so acos's ill-conditioning there does not reach G.
constexpr double kCosMax = 1.0;
constexpr double kPi = std::numbers::pi;
/// Bounds of the ARD relevances r_j (nngp.hpp).
constexpr double kMinRelevance = 1e-4;
constexpr double kMaxRelevance = 1e2;

/// G = sqrt(a b) J(t), J(t) = sin t + (pi - t) cos t, cos t = clamp(k / sqrt(a b)), and
/// its partial derivatives in k, a and b.
struct Arc {
  double G;
  double Gk, Ga, Gb;
};

Arc arc(double k, double a, double b) {
  const double s = std::sqrt(a * b);
  double c = k / s;
  bool clamped = false;
  if (c > kCosMax) {
    c = kCosMax;
    clamped = true;
  } else if (c < -kCosMax) {
    c = -kCosMax;
    clamped = true;
  }
  const double t = std::acos(c);
  const double sn = std::sqrt(1.0 - c * c);  // sin t >= 0 on [0, pi]
  const double J = sn + (kPi - t) * c;
  if (clamped) {
    // t is a constant there: only the sqrt(a b) factor moves.
    return Arc{s * J, 0.0, 0.5 * J * s / a, 0.5 * J * s / b};
  }
  // dG/dk = pi - t; dG/da = sin t sqrt(b / a) / 2 (the J terms through t cancel).
  return Arc{s * J, kPi - t, 0.5 * sn * s / a, 0.5 * sn * s / b};
}

struct NNGPEval {
  Index d = 1;
  int depth = 3;
  double sw = 1.0;  // sigma_w^2
  double sb = 1.0;  // sigma_b^2
  /// With ARD, f[j] = sigma_w^2 r_j / d, the base layer's factor of x_j x'_j; empty
  /// without ARD, where the single factor sigma_w^2 / d keeps the numbers of the isotropic
  /// kernel bit for bit.
  std::vector<double> f;

  [[nodiscard]] bool ard() const { return !f.empty(); }
  [[nodiscard]] Index size() const { return ard() ? d + 2 : 2; }

  /// Base layer (K^0_xy, K^0_xx, K^0_yy).
  void base(const double* x, const double* y, double& k, double& p, double& q) const {
    double xy = 0.0, xx = 0.0, yy = 0.0;
    if (ard()) {
      for (Index j = 0; j < d; ++j) {
        const double fj = f[static_cast<std::size_t>(j)];
        xy += fj * x[j] * y[j];
        xx += fj * x[j] * x[j];
        yy += fj * y[j] * y[j];
      }
      k = sb + xy;
      p = sb + xx;
      q = sb + yy;
      return;
    }
    for (Index j = 0; j < d; ++j) {
      xy += x[j] * y[j];
      xx += x[j] * x[j];
      yy += y[j] * y[j];
    }
    const double fs = sw / static_cast<double>(d);
    k = sb + fs * xy;
    p = sb + fs * xx;
    q = sb + fs * yy;
  }

  [[nodiscard]] double value(const double* x, const double* y) const {
    double k, p, q;
    base(x, y, k, p, q);
    const double h = sw / (2.0 * kPi);
    for (int l = 0; l < depth; ++l) {
      k = sb + h * arc(k, p, q).G;
      p = 0.5 * sw * p + sb;
      q = 0.5 * sw * q + sb;
    }
    return k;
  }

  /// acc += w d k / d(log sigma_w^2, log sigma_b^2[, log r_1..d]).
  void add_theta_gradient(const double* x, const double* y, double w, double* acc) const {
    double k, p, q;
    base(x, y, k, p, q);
    // Tangents [d/dlog sw, d/dlog sb] of k, p, q. (With ARD, K^0 - sb is still
    // proportional to sigma_w^2, so the sw tangent starts the same way.)
    double dk0 = k - sb, dk1 = sb;
    double dp0 = p - sb, dp1 = sb;
    double dq0 = q - sb, dq1 = sb;
    // The relevances enter only the base layer, and each layer maps the tangent
    // (dk, dp, dq) linearly with coefficients shared by all j. So the final
    // dk/dlog r_j = ak dK0_j + bk dP0_j + ck dQ0_j, where (dK0_j, dP0_j, dQ0_j) =
    // f_j (x_j y_j, x_j^2, y_j^2) and ak, bk, ck are propagated once: O(d + D) per pair.
    double ak = 1.0, bk = 0.0, ck = 0.0, sp = 1.0;  // dp = sp dP0_j (likewise dq)
    const double h = sw / (2.0 * kPi);
    for (int l = 0; l < depth; ++l) {
      const Arc r = arc(k, p, q);
      const double nk0 = h * (r.G + r.Gk * dk0 + r.Ga * dp0 + r.Gb * dq0);
      const double nk1 = sb + h * (r.Gk * dk1 + r.Ga * dp1 + r.Gb * dq1);
      dp0 = 0.5 * sw * (p + dp0);
      dp1 = sb + 0.5 * sw * dp1;
      dq0 = 0.5 * sw * (q + dq0);
      dq1 = sb + 0.5 * sw * dq1;
      dk0 = nk0;
      dk1 = nk1;
      ak = h * r.Gk * ak;
      bk = h * (r.Gk * bk + r.Ga * sp);
      ck = h * (r.Gk * ck + r.Gb * sp);
      sp *= 0.5 * sw;
      k = sb + h * r.G;
      p = 0.5 * sw * p + sb;
      q = 0.5 * sw * q + sb;
    }
    acc[0] += w * dk0;
    acc[1] += w * dk1;
    if (!ard()) return;
    for (Index j = 0; j < d; ++j) {
      const double fj = f[static_cast<std::size_t>(j)];
      acc[2 + j] += w * fj * (ak * x[j] * y[j] + bk * x[j] * x[j] + ck * y[j] * y[j]);
    }
  }

  /// g = d k(x, y) / dx. dK_xy/dx_j = f_j (cx x_j + cy y_j) and dK_xx/dx_j = f_j px x_j at
  /// every layer (f_j = sigma_w^2 / d without ARD, folded into the coefficients there).
  void first_gradient(const double* x, const double* y, double* g) const {
    double k, p, q;
    base(x, y, k, p, q);
    const double fs = ard() ? 1.0 : sw / static_cast<double>(d);
    double cx = 0.0, cy = fs, px = 2.0 * fs;
    const double h = sw / (2.0 * kPi);
    for (int l = 0; l < depth; ++l) {
      const Arc r = arc(k, p, q);
      cx = h * (r.Gk * cx + r.Ga * px);
      cy = h * r.Gk * cy;
      px = 0.5 * sw * px;
      k = sb + h * r.G;
      p = 0.5 * sw * p + sb;
      q = 0.5 * sw * q + sb;
    }
    if (ard()) {
      for (Index j = 0; j < d; ++j) g[j] = f[static_cast<std::size_t>(j)] * (cx * x[j] + cy * y[j]);
      return;
    }
    for (Index j = 0; j < d; ++j) g[j] = cx * x[j] + cy * y[j];
  }
};

NNGPEval make_eval(const NNGPOptions& o, Index d, VectorCRef theta, const std::string& where) {
  detail::check_dimension(d, 1, where, "at least one input column");
  if (o.ard) {
    detail::check_theta(theta, d + 2, where,
                        "log weight variance, log bias variance, d log relevances");
  } else {
    detail::check_theta(theta, 2, where, "log weight variance, log bias variance");
  }
  NNGPEval e;
  e.d = d;
  e.depth = o.depth;
  e.sw = std::exp(theta(0));
  e.sb = std::exp(theta(1));
  if (o.ard) {
    e.f.resize(static_cast<std::size_t>(d));
    const double fs = e.sw / static_cast<double>(d);
    for (Index j = 0; j < d; ++j) e.f[static_cast<std::size_t>(j)] = fs * std::exp(theta(2 + j));
  }
  return e;
}

void check_variance(const char* field, double value) {
  if (!std::isfinite(value) || value <= 0.0) {
    std::ostringstream msg;
    msg << "NNGPOptions: " << field << " = " << value << "; expected a finite value > 0";
    throw InvalidArgument(msg.str());
  }
}

void check_range(const char* value_field, double value, const char* min_field, double lo,
                 const char* max_field, double hi) {
  if (!(lo < hi)) {
    std::ostringstream msg;
    msg << "NNGPOptions: " << min_field << " = " << lo << " and " << max_field << " = " << hi
        << "; expected " << min_field << " < " << max_field;
    throw InvalidArgument(msg.str());
  }
  if (value < lo || value > hi) {
    std::ostringstream msg;
    msg << "NNGPOptions: " << value_field << " = " << value << "; expected a value in [" << lo
        << ", " << hi << "] (" << min_field << ", " << max_field << ")";
    throw InvalidArgument(msg.str());
  }
}

}  // namespace

void NNGPOptions::validate() const {
  if (depth < 1 || depth > kMaxDepth) {
    throw InvalidArgument("NNGPOptions: depth = " + std::to_string(depth) +
                          "; expected an integer in [1, " + std::to_string(kMaxDepth) +
                          "] (hidden ReLU layers)");
  }
  check_variance("weight_variance", weight_variance);
  check_variance("bias_variance", bias_variance);
  check_variance("min_weight_variance", min_weight_variance);
  check_variance("max_weight_variance", max_weight_variance);
  check_variance("min_bias_variance", min_bias_variance);
  check_variance("max_bias_variance", max_bias_variance);
  check_range("weight_variance", weight_variance, "min_weight_variance", min_weight_variance,
              "max_weight_variance", max_weight_variance);
  check_range("bias_variance", bias_variance, "min_bias_variance", min_bias_variance,
              "max_bias_variance", max_bias_variance);
}

NeuralNetworkKernel::NeuralNetworkKernel(NNGPOptions options) : options_(options) {
  options_.validate();
}

std::unique_ptr<Kernel> NeuralNetworkKernel::clone() const {
  return std::make_unique<NeuralNetworkKernel>(*this);
}

std::string NeuralNetworkKernel::name() const {
  return "nngp(relu,depth=" + std::to_string(options_.depth) + (options_.ard ? ",ard)" : ")");
}

std::vector<HyperparameterSpec> NeuralNetworkKernel::hyperparameters(Eigen::Index d) const {
  detail::check_dimension(d, 1, "NeuralNetworkKernel::hyperparameters",
                          "at least one input column");
  const NNGPOptions& o = options_;
  std::vector<HyperparameterSpec> specs{
      HyperparameterSpec{"weight_variance", HyperparameterKind::other,
                         std::log(o.min_weight_variance), std::log(o.max_weight_variance),
                         std::log(o.weight_variance)},
      HyperparameterSpec{"bias_variance", HyperparameterKind::other, std::log(o.min_bias_variance),
                         std::log(o.max_bias_variance), std::log(o.bias_variance)}};
  if (o.ard) {
    for (Eigen::Index j = 0; j < d; ++j) {
      specs.push_back(HyperparameterSpec{"relevance[" + std::to_string(j) + "]",
                                         HyperparameterKind::other, std::log(kMinRelevance),
                                         std::log(kMaxRelevance), 0.0});
    }
  }
  return specs;
}

void NeuralNetworkKernel::matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta,
                                 Eigen::Ref<Matrix> K) const {
  const std::string where = "NeuralNetworkKernel::matrix";
  detail::check_same_columns(X1, X2, where);
  const auto e = make_eval(options_, X1.cols(), theta, where);
  detail::check_matrix_shape(K.rows(), K.cols(), X1.rows(), X2.rows(), where, "K");
  detail::pairwise_matrix(e, X1, X2, K);
}

void NeuralNetworkKernel::diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const {
  const std::string where = "NeuralNetworkKernel::diagonal";
  const auto e = make_eval(options_, X.cols(), theta, where);
  detail::check_vector_size(diag.size(), X.rows(), where, "diag");
  detail::pairwise_diagonal(e, X, diag);
}

void NeuralNetworkKernel::contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta,
                                                           MatrixCRef W,
                                                           Eigen::Ref<Vector> grad) const {
  const std::string where = "NeuralNetworkKernel::contract_hyperparameter_gradient";
  const auto e = make_eval(options_, X.cols(), theta, where);
  detail::check_matrix_shape(W.rows(), W.cols(), X.rows(), X.rows(), where, "W");
  detail::check_vector_size(grad.size(), theta.size(), where, "grad");
  detail::pairwise_contract(e, X, W, grad);
}

void NeuralNetworkKernel::input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                                         Eigen::Ref<Matrix> J) const {
  const std::string where = "NeuralNetworkKernel::input_gradient";
  const auto e = make_eval(options_, X.cols(), theta, where);
  detail::check_vector_size(x.size(), X.cols(), where, "x");
  detail::check_matrix_shape(J.rows(), J.cols(), X.rows(), X.cols(), where, "J");
  detail::pairwise_input_gradient(e, x, X, J);
}

void NeuralNetworkKernel::diagonal_gradient(VectorCRef x, VectorCRef theta,
                                            Eigen::Ref<Vector> g) const {
  const std::string where = "NeuralNetworkKernel::diagonal_gradient";
  const auto e = make_eval(options_, x.size(), theta, where);
  detail::check_vector_size(g.size(), x.size(), where, "g");
  detail::pairwise_diagonal_gradient(e, x, g);
}

}  // namespace prospect::kernels
