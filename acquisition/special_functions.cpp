#include "acquisition/special_functions.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <numbers>

namespace prospect::special {

namespace {
constexpr double kSqrt2 = std::numbers::sqrt2;
constexpr double kLog2 = std::numbers::ln2;
}  // namespace

double normal_pdf(double u) {
  // Boost's pdf refuses infinite arguments; the density is 0 there.
  if (std::isinf(u)) return 0.0;
  return boost::math::pdf(boost::math::normal_distribution<double>(), u);
}

double normal_cdf(double u) {
  if (std::isinf(u)) return u > 0.0 ? 1.0 : 0.0;
  return boost::math::cdf(boost::math::normal_distribution<double>(), u);
}

double erfcx(double x) {
  if (std::isnan(x)) return x;
  if (x < 2.0) return std::exp(x * x) * boost::math::erfc(x);
  if (std::isinf(x)) return 0.0;
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))): the
  // backward recurrence is stable and 60 terms reach full precision from x = 2 on.
  double t = x;
  for (int k = 60; k >= 1; --k) t = x + (0.5 * k) / t;
  return std::numbers::inv_sqrtpi / t;
}

double log_ndtr(double u) {
  if (std::isnan(u)) return u;
  if (u > 0.0) return std::log1p(-normal_cdf(-u));
  if (u >= -1.0) return std::log(normal_cdf(u));
  // Phi(u) = erfc(-u/sqrt2)/2 = exp(-u^2/2) erfcx(-u/sqrt2)/2: the tiny factor stays
  // in the exponent instead of underflowing.
  return std::log(erfcx(-u / kSqrt2)) - 0.5 * u * u - kLog2;
}

double log1mexp(double w) {
  if (w > -kLog2) return std::log(-std::expm1(w));
  return std::log1p(-std::exp(w));
}

namespace {
// w = log(|u| Phi(u) / phi(u)) = log(|u| erfcx(-u/sqrt2)) + c2 < 0 for u <= -1.
double log_h_w(double u) {
  return std::log(-u * erfcx(-u / kSqrt2)) + kLogSqrtPiOver2;
}
}  // namespace

double log_h(double u) {
  if (std::isnan(u)) return u;
  if (u > -1.0) return std::log(normal_pdf(u) + u * normal_cdf(u));
  if (u > kLogHAsymptoticBelow) return -0.5 * u * u - kLogSqrt2Pi + log1mexp(log_h_w(u));
  return -0.5 * u * u - kLogSqrt2Pi - 2.0 * std::log(-u);
}

namespace {
// Tail of the Mills-ratio continued fraction at x >= 2 sqrt 2:
// Phi(-x)/phi(x) = 1/(x + 1/(x + 2/(x + 3/(x + ...)))) = 1/(x + 1/t), returns t =
// x + 2/(x + 3/(x + ...)). It is the erfcx fraction in x/sqrt 2, so depth 60 gives
// full precision from x/sqrt 2 = 2 on.
double mills_tail(double x) {
  double t = x;
  for (int k = 60; k >= 2; --k) t = x + k / t;
  return t;
}
constexpr double kMillsFractionFrom = 2.0 * kSqrt2;
}  // namespace

Ratios log_h_ratios(double u) {
  if (std::isnan(u)) return {u, u};
  if (u > -1.0) {
    const double phi = normal_pdf(u);
    const double cdf = normal_cdf(u);
    const double h = phi + u * cdf;
    return {cdf / h, phi / h};
  }
  const double x = -u;
  if (x >= kMillsFractionFrom) {
    // With R = Phi/phi = 1/(x + 1/t): h/phi = 1 - x R = R/t, so rho1 = t and
    // rho2 = t (x + 1/t) = t x + 1 exactly, free of the cancellation in 1 - x R that
    // costs eps u^2 relative accuracy in w below.
    const double t = mills_tail(x);
    return {t, t * x + 1.0};
  }
  // h = phi (1 - e^w), Phi = phi e^{c2} erfcx(-u/sqrt2): both ratios are free of
  // exp(-u^2/2).
  const double log_rho2 = -log1mexp(log_h_w(u));
  return {std::exp(kLogSqrtPiOver2 + std::log(erfcx(x / kSqrt2)) + log_rho2), std::exp(log_rho2)};
}

double inverse_mills_ratio(double u) {
  if (std::isnan(u)) return u;
  if (u >= -1.0) return normal_pdf(u) / normal_cdf(u);
  const double x = -u;
  if (x >= kMillsFractionFrom) return x + 1.0 / mills_tail(x);
  // phi/Phi = 1/(sqrt(pi/2) erfcx(-u/sqrt2)).
  return std::exp(-kLogSqrtPiOver2) / erfcx(x / kSqrt2);
}

}  // namespace prospect::special
