// acquisition/special_functions.hpp — private numerics of the analytic acquisitions.
//
// Stable building blocks of EI, LogEI, PI and log PI (ALGORITHMS.md §2.1, §2.2):
// the scaled complementary error function, log Phi, log(1 - e^w), the three-branch
// log h(u) with h(u) = phi(u) + u Phi(u), and the ratios Phi/h, phi/h, phi/Phi that
// their gradients need. Every function is O(1) (erfcx: at most 60 continued-fraction
// steps), pure, and never returns NaN for a finite non-NaN argument.
#pragma once

namespace prospect::special {

/// log(sqrt(2 pi)): log phi(u) = -u^2/2 - kLogSqrt2Pi.
inline constexpr double kLogSqrt2Pi = 0.91893853320467274178;
/// log(sqrt(pi / 2)), the c2 of ALGORITHMS.md §2.2.
inline constexpr double kLogSqrtPiOver2 = 0.22579135264472743236;
/// Branch-3 threshold of log h: -1/sqrt(eps) as in BoTorch for double.
inline constexpr double kLogHAsymptoticBelow = -1e6;

/// Standard normal density phi(u). Underflows to 0 for |u| > ~38.6.
[[nodiscard]] double normal_pdf(double u);
/// Standard normal distribution function Phi(u) (Boost.Math); 0/1 at -inf/+inf.
[[nodiscard]] double normal_cdf(double u);

/// Scaled complementary error function erfcx(x) = exp(x^2) erfc(x).
/// x < 2: exp(x^2) * boost::math::erfc(x) (inf for x < ~-26.6, where the true value
/// overflows); x >= 2: Laplace continued fraction evaluated backward with depth 60
/// (relative error ~2e-16 at x = 2, better above). Boost.Math (1.74) has no erfcx.
[[nodiscard]] double erfcx(double x);

/// log Phi(u), accurate in relative terms for every u (down to u ~ -1e154, where
/// u^2 overflows and -inf is returned). u > 0: log1p(-Phi(-u)); -1 <= u <= 0:
/// log(Phi(u)); u < -1: log erfcx(-u/sqrt 2) - u^2/2 - log 2.
[[nodiscard]] double log_ndtr(double u);

/// log(1 - exp(w)) for w <= 0 (Maechler 2012): log(-expm1(w)) for w > -log 2,
/// log1p(-exp(w)) otherwise. -inf at w = 0; NaN for w > 0 (precondition).
[[nodiscard]] double log1mexp(double w);

/// log h(u), h(u) = phi(u) + u Phi(u) (so EI = sigma h(u)), with the three branches of
/// ALGORITHMS.md §2.2: direct for u > -1; via erfcx and log1mexp for
/// -1e6 < u <= -1; the leading asymptotic term -u^2/2 - c1 - 2 log|u| for u <= -1e6.
[[nodiscard]] double log_h(double u);

/// The gradient ratios of LogEI and log PI at one u.
struct Ratios {
  double rho1 = 0.0;  ///< Phi(u) / h(u) = d log h / du (~|u| for u -> -inf)
  double rho2 = 0.0;  ///< phi(u) / h(u)                  (~u^2 for u -> -inf)
};

/// rho1 = Phi/h and rho2 = phi/h, free of the factor exp(-u^2/2) that would underflow:
/// u > -1: direct division (h >= 0.083); -2 sqrt 2 < u <= -1: in log space,
/// log rho2 = -log1mexp(w), log rho1 = c2 + log erfcx(-u/sqrt 2) + log rho2 with
/// w = log(|u| erfcx(-u/sqrt 2)) + c2; u <= -2 sqrt 2: through the Mills-ratio continued
/// fraction, rho1 = t, rho2 = |u| t + 1 with t = |u| + 2/(|u| + 3/(|u| + ...)). The
/// last form keeps full relative accuracy where 1 - e^w cancels (w ~ -1/u^2), which
/// would cost eps u^2 (1e-4 at u = -1e6) in the gradient.
[[nodiscard]] Ratios log_h_ratios(double u);

/// Inverse Mills ratio phi(u) / Phi(u) = d log Phi / du, stable for all u
/// (~|u| for u -> -inf, ~phi(u) -> 0 for u -> +inf).
[[nodiscard]] double inverse_mills_ratio(double u);

}  // namespace prospect::special
