// surrogates/gp/priors.hpp (private) — hyperparameter priors of the GP's MAP fit.
//
// Every prior is a density on a positive parameter value theta, evaluated and
// differentiated with respect to phi = log(theta), the variable the optimizer works in.
// No Jacobian term is added for the log reparameterization (ALGORITHMS.md §1.3): the
// MAP point must coincide with BoTorch's, which optimizes theta directly.
#pragma once

#include <Eigen/Core>

#include "prospect/kernels/kernel.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/gaussian_process.hpp"

namespace prospect::gp_detail {

/// One prior on theta > 0, or none (flat in phi).
class Prior {
 public:
  enum class Family { none, lognormal, gamma };

  /// No prior: log density 0, derivative 0.
  Prior() = default;
  /// LogNormal(mu, s) on theta: log(theta) ~ N(mu, s^2).
  static Prior lognormal(double mu, double s);
  /// Gamma(alpha, beta) in rate form on theta.
  static Prior gamma(double alpha, double beta);

  [[nodiscard]] Family family() const { return family_; }
  [[nodiscard]] bool active() const { return family_ != Family::none; }
  /// log p(theta) at theta = exp(phi).
  [[nodiscard]] double log_density(double phi) const;
  /// d log p(theta) / d phi at theta = exp(phi) (no Jacobian term).
  [[nodiscard]] double dlog_density(double phi) const;
  /// log of the mode of p(theta); fallback when the prior is none or has no mode.
  [[nodiscard]] double log_mode(double fallback) const;
  /// log of a draw theta ~ p; `fallback` + N(0, 1) when the prior is none.
  [[nodiscard]] double sample_log(Rng& rng, double fallback) const;

 private:
  Family family_ = Family::none;
  double a_ = 0.0;      // mu (lognormal) or alpha (gamma)
  double b_ = 0.0;      // s (lognormal) or beta (gamma)
  double const_ = 0.0;  // normalizing constant, precomputed (lgamma is not thread-safe)
};

/// The prior of a kernel hyperparameter for inputs of dimension d. Preset none: no
/// prior. A `linear` hyperparameter (a signed value, not a log) never gets one: these
/// priors are densities on positive values. Otherwise the kernel's PriorHint when it
/// has one, else the preset's prior for the spec's kind: `other` never gets a prior,
/// and the "botorch" preset has none on the output scale (BoTorch >= 0.12 has no output
/// scale at all). Throws InvalidArgument for a hint with non-positive parameters.
[[nodiscard]] Prior kernel_prior(PriorPreset preset, const kernels::HyperparameterSpec& spec,
                                 Eigen::Index d);
/// The prior of the noise variance (standardized units).
[[nodiscard]] Prior noise_prior(PriorPreset preset);
/// Starting log noise variance: the prior mode, or exp(-5) without prior.
[[nodiscard]] double noise_start_log(PriorPreset preset);

}  // namespace prospect::gp_detail
