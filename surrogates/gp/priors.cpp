#include "surrogates/gp/priors.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "prospect/errors.hpp"

namespace prospect::gp_detail {

namespace {
/// Gamma(alpha, 1) by Marsaglia and Tsang (2000) from Rng's portable uniforms and
/// normals, so that restarts are the same with every standard library (the
/// std::gamma_distribution algorithm is implementation-defined).
double gamma_draw(Rng& rng, double alpha) {
  if (alpha < 1.0) {
    // Gamma(alpha) = Gamma(alpha + 1) * U^(1/alpha) for alpha < 1.
    return gamma_draw(rng, alpha + 1.0) * std::pow(rng.uniform(), 1.0 / alpha);
  }
  const double d = alpha - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = rng.normal();
    const double t = 1.0 + c * x;
    if (t <= 0.0) continue;
    const double v = t * t * t;
    const double u = rng.uniform();
    if (u > 0.0 && std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}
}  // namespace

Prior Prior::lognormal(double mu, double s) {
  Prior p;
  p.family_ = Family::lognormal;
  p.a_ = mu;
  p.b_ = s;
  p.const_ = -std::log(s * std::sqrt(2.0 * std::numbers::pi));
  return p;
}

Prior Prior::gamma(double alpha, double beta) {
  Prior p;
  p.family_ = Family::gamma;
  p.a_ = alpha;
  p.b_ = beta;
  p.const_ = alpha * std::log(beta) - std::lgamma(alpha);
  return p;
}

double Prior::log_density(double phi) const {
  switch (family_) {
    case Family::lognormal: {
      const double z = (phi - a_) / b_;
      return const_ - phi - 0.5 * z * z;
    }
    case Family::gamma:
      return const_ + (a_ - 1.0) * phi - b_ * std::exp(phi);
    case Family::none:
      break;
  }
  return 0.0;
}

double Prior::dlog_density(double phi) const {
  switch (family_) {
    case Family::lognormal:
      return -1.0 - (phi - a_) / (b_ * b_);
    case Family::gamma:
      return (a_ - 1.0) - b_ * std::exp(phi);
    case Family::none:
      break;
  }
  return 0.0;
}

double Prior::log_mode(double fallback) const {
  switch (family_) {
    case Family::lognormal:
      return a_ - b_ * b_;
    case Family::gamma:
      // A Gamma with alpha <= 1 has its mode at 0: no usable starting point.
      return a_ > 1.0 ? std::log((a_ - 1.0) / b_) : fallback;
    case Family::none:
      break;
  }
  return fallback;
}

double Prior::sample_log(Rng& rng, double fallback) const {
  switch (family_) {
    case Family::lognormal:
      return a_ + b_ * rng.normal();
    case Family::gamma:
      return std::log(std::max(gamma_draw(rng, a_), 1e-300)) - std::log(b_);
    case Family::none:
      break;
  }
  return fallback + rng.normal();
}

Prior kernel_prior(PriorPreset preset, const kernels::HyperparameterSpec& spec, Eigen::Index d) {
  using kernels::HyperparameterKind;
  using kernels::PriorHint;
  if (preset == PriorPreset::none || spec.linear) return {};
  if (spec.prior.family != PriorHint::Family::none) {
    const PriorHint& h = spec.prior;
    const bool lognormal = h.family == PriorHint::Family::lognormal;
    // The LogNormal mu may be any real; every other parameter must be positive.
    if (!(h.b > 0.0) || !std::isfinite(h.b) || !std::isfinite(h.a) ||
        (!lognormal && !(h.a > 0.0))) {
      std::ostringstream msg;
      msg << "kernel prior hint of \"" << spec.name << "\": " << (lognormal ? "LogNormal" : "Gamma")
          << "(a = " << h.a << ", b = " << h.b << "); expected "
          << (lognormal ? "a finite mu and sigma b > 0" : "concentration a > 0 and rate b > 0");
      throw InvalidArgument(msg.str());
    }
    return lognormal ? Prior::lognormal(h.a, h.b) : Prior::gamma(h.a, h.b);
  }
  const HyperparameterKind kind = spec.kind;
  if (kind == HyperparameterKind::other) return {};
  switch (preset) {
    case PriorPreset::botorch:
      if (kind == HyperparameterKind::lengthscale) {
        return Prior::lognormal(std::numbers::sqrt2 + 0.5 * std::log(static_cast<double>(d)),
                                std::numbers::sqrt3);
      }
      return {};
    case PriorPreset::botorch_legacy:
      if (kind == HyperparameterKind::lengthscale) return Prior::gamma(3.0, 6.0);
      return Prior::gamma(2.0, 0.15);
    case PriorPreset::none:
      break;
  }
  return {};
}

Prior noise_prior(PriorPreset preset) {
  switch (preset) {
    case PriorPreset::botorch:
      return Prior::lognormal(-4.0, 1.0);
    case PriorPreset::botorch_legacy:
      return Prior::gamma(1.1, 0.05);
    case PriorPreset::none:
      break;
  }
  return {};
}

double noise_start_log(PriorPreset preset) {
  return noise_prior(preset).log_mode(-5.0);
}

}  // namespace prospect::gp_detail
