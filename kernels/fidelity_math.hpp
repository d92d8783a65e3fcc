// kernels/fidelity_math.hpp — per-pair math of the multi-fidelity kernels (private).
//
// ARD stationary factors on the design columns (reusing stationary_math.hpp), the
// downsampling and exponential-decay fidelity factors of ALGORITHMS.md §3.2, and the
// argument checks the multi-fidelity kernels share.
#pragma once

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "kernels/stationary_math.hpp"
#include "prospect/errors.hpp"
#include "prospect/kernels/kernel.hpp"

namespace prospect::kernels::detail {

/// An ARD stationary correlation g(r) on the first `dx` coordinates (no output scale).
struct DesignFactor {
  Profile profile = Profile::squared_exponential;
  Eigen::Index dx = 0;
  const double* log_l = nullptr;  // dx log lengthscales inside theta
  Vector inv_l;                   // 1 / l_j

  DesignFactor() = default;
  DesignFactor(Profile p, Eigen::Index dims, const double* log_lengthscales)
      : profile(p), dx(dims), log_l(log_lengthscales), inv_l(dims) {
    for (Eigen::Index j = 0; j < dx; ++j) inv_l(j) = std::exp(-log_l[j]);
  }

  /// g(r) and the gradient factor f of stationary_math.hpp for the pair (a, b).
  void value_and_factor(const double* a, const double* b, double& g, double& f) const {
    double r2 = 0.0;
    for (Eigen::Index j = 0; j < dx; ++j) {
      const double z = (a[j] - b[j]) * inv_l(j);
      r2 += z * z;
    }
    profile_value_and_factor(profile, r2, g, f);
  }
  [[nodiscard]] double value(const double* a, const double* b) const {
    double g;
    double f;
    value_and_factor(a, b, g, f);
    return g;
  }
  /// acc[j] += scale f ((a_j - b_j) / l_j)^2 = scale dg/dlog l_j.
  void add_lengthscale_gradient(const double* a, const double* b, double f, double scale,
                                double* acc) const {
    const double sf = scale * f;
    for (Eigen::Index j = 0; j < dx; ++j) {
      const double z = (a[j] - b[j]) * inv_l(j);
      acc[j] += sf * z * z;
    }
  }
  /// g[j] += scale dg/da_j = -scale f (a_j - b_j) / l_j^2.
  void add_input_gradient(const double* a, const double* b, double f, double scale,
                          double* g) const {
    const double sf = scale * f;
    for (Eigen::Index j = 0; j < dx; ++j) g[j] -= sf * (a[j] - b[j]) * inv_l(j) * inv_l(j);
  }
};

/// A fidelity coordinate clamped into [0, 1] (as BoTorch does before the fidelity
/// factors), with the derivative of the clamp (0 outside).
struct Clamped {
  double v;
  double dv;
  explicit Clamped(double s) : v(std::clamp(s, 0.0, 1.0)), dv(s >= 0.0 && s <= 1.0 ? 1.0 : 0.0) {}
};

/// Downsampling factor k(s, s') = c + [(1 - s)(1 - s')]^(1 + delta) (Wu et al. 2019).
/// theta = [log c, log delta].
struct DownsamplingMath {
  double c = 1.0;
  double delta = 1.0;
  DownsamplingMath() = default;
  explicit DownsamplingMath(const double* theta)
      : c(std::exp(theta[0])), delta(std::exp(theta[1])) {}

  [[nodiscard]] double value(double s1, double s2) const {
    const double u = (1.0 - Clamped(s1).v) * (1.0 - Clamped(s2).v);
    return c + std::pow(u, 1.0 + delta);
  }
  /// dk/dlog c, dk/dlog delta into out[0], out[1].
  void theta_gradient(double s1, double s2, double* out) const {
    const double u = (1.0 - Clamped(s1).v) * (1.0 - Clamped(s2).v);
    out[0] = c;
    // u^(1+delta) log u -> 0 as u -> 0: guard log(0).
    out[1] = u > 0.0 ? delta * std::pow(u, 1.0 + delta) * std::log(u) : 0.0;
  }
  /// dk/ds1.
  [[nodiscard]] double first_gradient(double s1, double s2) const {
    const Clamped a(s1);
    const double b = 1.0 - Clamped(s2).v;
    // d/ds (1-s)^(1+delta) = -(1+delta)(1-s)^delta, finite (0) at s = 1 since delta > 0.
    return -a.dv * (1.0 + delta) * std::pow(1.0 - a.v, delta) * std::pow(b, 1.0 + delta);
  }
};

/// Exponential-decay factor k(t, t') = w + (1 + (t + t') / beta)^(-alpha) (Swersky et
/// al. 2014; BoTorch's ExponentialDecayKernel). theta = [log w, log alpha, log beta].
struct ExponentialDecayMath {
  double w = 1.0;
  double alpha = 1.0;
  double beta = 1.0;
  ExponentialDecayMath() = default;
  explicit ExponentialDecayMath(const double* theta)
      : w(std::exp(theta[0])), alpha(std::exp(theta[1])), beta(std::exp(theta[2])) {}

  [[nodiscard]] double value(double t1, double t2) const {
    return w + std::pow(1.0 + (t1 + t2) / beta, -alpha);
  }
  /// dk/dlog w, dk/dlog alpha, dk/dlog beta into out[0..2].
  void theta_gradient(double t1, double t2, double* out) const {
    const double z = 1.0 + (t1 + t2) / beta;
    const double za = std::pow(z, -alpha);
    out[0] = w;
    out[1] = -alpha * std::log(z) * za;
    out[2] = alpha * za / z * (t1 + t2) / beta;
  }
  /// dk/dt1.
  [[nodiscard]] double first_gradient(double t1, double t2) const {
    const double z = 1.0 + (t1 + t2) / beta;
    return -alpha * std::pow(z, -alpha - 1.0) / beta;
  }
};

inline std::string shape_string(Eigen::Index rows, Eigen::Index cols) {
  return std::to_string(rows) + " x " + std::to_string(cols);
}

/// Throws InvalidArgument unless theta has size p and finite entries.
inline void check_theta(VectorCRef theta, Eigen::Index p, const std::string& where,
                        const std::string& layout) {
  if (theta.size() != p) {
    throw InvalidArgument(where + ": theta has size " + std::to_string(theta.size()) +
                          "; expected " + std::to_string(p) + " (" + layout + ")");
  }
  for (Eigen::Index k = 0; k < p; ++k) {
    if (!std::isfinite(theta(k))) {
      std::ostringstream msg;
      msg << where << ": theta(" << k << ") = " << theta(k) << "; expected a finite value";
      throw InvalidArgument(msg.str());
    }
  }
}

/// Throws InvalidArgument unless the input dimension d is at least `minimum`.
inline void check_dimension(Eigen::Index d, Eigen::Index minimum, const std::string& where,
                            const std::string& why) {
  if (d < minimum) {
    throw InvalidArgument(where + ": input dimension d = " + std::to_string(d) +
                          "; expected d >= " + std::to_string(minimum) + " (" + why + ")");
  }
}

/// The shape checks every kernel entry point shares.
inline void check_same_columns(MatrixCRef X1, MatrixCRef X2, const std::string& where) {
  if (X1.cols() != X2.cols()) {
    throw InvalidArgument(where + ": X1 is " + shape_string(X1.rows(), X1.cols()) + " and X2 is " +
                          shape_string(X2.rows(), X2.cols()) +
                          "; expected the same number of columns (input dimension)");
  }
}
inline void check_matrix_shape(Eigen::Index rows, Eigen::Index cols, Eigen::Index want_rows,
                               Eigen::Index want_cols, const std::string& where,
                               const std::string& what) {
  if (rows != want_rows || cols != want_cols) {
    throw InvalidArgument(where + ": " + what + " is " + shape_string(rows, cols) + "; expected " +
                          shape_string(want_rows, want_cols));
  }
}
inline void check_vector_size(Eigen::Index size, Eigen::Index want, const std::string& where,
                              const std::string& what) {
  if (size != want) {
    throw InvalidArgument(where + ": " + what + " has size " + std::to_string(size) +
                          "; expected " + std::to_string(want));
  }
}

}  // namespace prospect::kernels::detail
