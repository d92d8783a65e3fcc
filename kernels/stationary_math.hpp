// kernels/stationary_math.hpp — per-pair math of the stationary kernels (private header).
//
// For each radial profile, given r^2 (the squared distance scaled by the lengthscales),
// these functions return g(r) and the factor f such that, with k = s g(r) and
// Delta = x - x':
//   dk/dx_j      = -s f Delta_j / l_j^2
//   dk/dlog l_j  =  s f (Delta_j / l_j)^2
// The Matern 3/2 and 5/2 factors are the simplified forms of ALGORITHMS.md §1.2 with no
// division by r, so they are finite at r = 0; Matern 1/2 is not differentiable at r = 0
// and uses the subgradient 0 for r < 1e-12. Marked host-and-device so that a CUDA port
// evaluates exactly the formulas the CPU tests check. No Eigen here: nvcc compiles this
// header for kernels/cuda/.
#pragma once

#include <cmath>

#include "prospect/kernels/profile.hpp"

#ifdef __CUDACC__
#define PROSPECT_HD __host__ __device__
#else
#define PROSPECT_HD
#endif

namespace prospect::kernels::detail {

/// Below this r the Matern 1/2 gradient factor uses the subgradient 0.
inline constexpr double kMatern12Epsilon = 1e-12;
inline constexpr double kSqrt3 = 1.7320508075688772935;
inline constexpr double kSqrt5 = 2.2360679774997896964;

/// Per-profile formulas; value(r2) = g, factor(r2) = f, value_and_factor computes both
/// with one exponential.
template <Profile P>
struct ProfileMath;

template <>
struct ProfileMath<Profile::squared_exponential> {
  PROSPECT_HD static inline double value(double r2) { return std::exp(-0.5 * r2); }
  PROSPECT_HD static inline double factor(double r2) { return std::exp(-0.5 * r2); }
  PROSPECT_HD static inline void value_and_factor(double r2, double& g, double& f) {
    g = std::exp(-0.5 * r2);
    f = g;
  }
};

template <>
struct ProfileMath<Profile::matern12> {
  PROSPECT_HD static inline double value(double r2) { return std::exp(-std::sqrt(r2)); }
  PROSPECT_HD static inline double factor(double r2) {
    const double r = std::sqrt(r2);
    return r < kMatern12Epsilon ? 0.0 : std::exp(-r) / r;
  }
  PROSPECT_HD static inline void value_and_factor(double r2, double& g, double& f) {
    const double r = std::sqrt(r2);
    g = std::exp(-r);
    f = r < kMatern12Epsilon ? 0.0 : g / r;
  }
};

template <>
struct ProfileMath<Profile::matern32> {
  PROSPECT_HD static inline double value(double r2) {
    const double a = kSqrt3 * std::sqrt(r2);
    return (1.0 + a) * std::exp(-a);
  }
  PROSPECT_HD static inline double factor(double r2) {
    return 3.0 * std::exp(-kSqrt3 * std::sqrt(r2));
  }
  PROSPECT_HD static inline void value_and_factor(double r2, double& g, double& f) {
    const double a = kSqrt3 * std::sqrt(r2);
    const double e = std::exp(-a);
    g = (1.0 + a) * e;
    f = 3.0 * e;
  }
};

template <>
struct ProfileMath<Profile::matern52> {
  PROSPECT_HD static inline double value(double r2) {
    const double a = kSqrt5 * std::sqrt(r2);
    return (1.0 + a + (5.0 / 3.0) * r2) * std::exp(-a);
  }
  PROSPECT_HD static inline double factor(double r2) {
    const double a = kSqrt5 * std::sqrt(r2);
    return (5.0 / 3.0) * (1.0 + a) * std::exp(-a);
  }
  PROSPECT_HD static inline void value_and_factor(double r2, double& g, double& f) {
    const double a = kSqrt5 * std::sqrt(r2);
    const double e = std::exp(-a);
    g = (1.0 + a + (5.0 / 3.0) * r2) * e;
    f = (5.0 / 3.0) * (1.0 + a) * e;
  }
};

/// The squared distance of two points whose coordinates are already divided by the
/// lengthscales (z = x / l), d contiguous coordinates each: r^2 of the kernel.
PROSPECT_HD inline double squared_distance(const double* za, const double* zb, int d) {
  double r2 = 0.0;
  for (int k = 0; k < d; ++k) {
    const double diff = za[k] - zb[k];
    r2 += diff * diff;
  }
  return r2;
}

/// k(a, b) = s g(r) for scaled points za, zb: one entry of a kernel matrix, the same
/// expression on the CPU (kernels/stationary.cpp) and the GPU (kernels/cuda/).
template <Profile P>
PROSPECT_HD inline double kernel_entry(const double* za, const double* zb, int d, double s) {
  return s * ProfileMath<P>::value(squared_distance(za, zb, d));
}

/// One pair's share of the hyperparameter-gradient contraction: with w the weight of the
/// pair (W(a, b) + W(b, a) for a != b, W(a, a) on the diagonal),
///   acc[k] += w f(r) (za_k - zb_k)^2  for k < d   (times s: dK/dlog l_k summed)
///   acc[d] += w g(r)                              (times s: dK/dlog s summed)
/// so that grad(log l_k) = s acc[k] and grad(log s) = s acc[d] (contraction_to_gradient).
template <Profile P>
PROSPECT_HD inline void accumulate_pair(const double* za, const double* zb, int d, double w,
                                        double* acc) {
  double g;
  double f;
  ProfileMath<P>::value_and_factor(squared_distance(za, zb, d), g, f);
  const double wf = w * f;
  for (int k = 0; k < d; ++k) {
    const double diff = za[k] - zb[k];
    acc[k] += wf * diff * diff;
  }
  acc[d] += w * g;
}

/// The posterior variance of f from the prior variance k(x, x) and ||L^{-1} k(X, x)||^2,
/// clamped at min_variance (rounding can make the difference negative).
PROSPECT_HD inline double posterior_variance(double prior_variance, double explained,
                                             double min_variance) {
  const double v = prior_variance - explained;
  return v > min_variance ? v : min_variance;
}

/// Calls fn.template operator()<P>() for the runtime profile (host code: the loops of
/// kernels/stationary.cpp and the kernel emulation of the tests).
template <class Fn>
void dispatch(Profile p, Fn&& fn) {
  switch (p) {
    case Profile::squared_exponential:
      fn.template operator()<Profile::squared_exponential>();
      return;
    case Profile::matern12:
      fn.template operator()<Profile::matern12>();
      return;
    case Profile::matern32:
      fn.template operator()<Profile::matern32>();
      return;
    case Profile::matern52:
      fn.template operator()<Profile::matern52>();
      return;
  }
}

/// Runtime dispatch for callers outside hot loops (tests, single evaluations).
PROSPECT_HD inline void profile_value_and_factor(Profile p, double r2, double& g, double& f) {
  switch (p) {
    case Profile::squared_exponential:
      ProfileMath<Profile::squared_exponential>::value_and_factor(r2, g, f);
      return;
    case Profile::matern12:
      ProfileMath<Profile::matern12>::value_and_factor(r2, g, f);
      return;
    case Profile::matern32:
      ProfileMath<Profile::matern32>::value_and_factor(r2, g, f);
      return;
    case Profile::matern52:
      ProfileMath<Profile::matern52>::value_and_factor(r2, g, f);
      return;
  }
  g = f = 0.0;
}

}  // namespace prospect::kernels::detail
