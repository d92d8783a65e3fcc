// prospect/metrics/calibration.hpp — how good a surrogate's uncertainty is, for any
// surrogate: negative log likelihood, CRPS, probabilistic calibration (PIT / PCE),
// central-interval coverage, interval and quantile scores, sharpness (ALGORITHMS.md §6).
//
// Free functions over plain vectors and matrices, so that a GP (Gaussian predictive),
// an ensemble or HMC posterior (an equally weighted Gaussian mixture per point), a
// sampler (predictive draws per point) or a quantile model (CQR) can all be scored on
// the same held-out points. Every metric is an average over the N points, lower is
// better unless stated, and none is random.
//
// Units: y, means, quantiles, interval ends and draws in the units of y ("u");
// variances in u^2. NLL is in nats per point (it shifts by log(c) when y is scaled by
// c); CRPS, MAE, RMSE, pinball loss, interval score, widths and standard deviations are
// in u; PIT values, coverages and calibration errors are probabilities (dimensionless).
//
// For noisy observations score the OBSERVATION predictive (latent variance plus noise
// variance): the held-out y contain noise, and a latent predictive looks over-confident.
//
// Bad input (empty data, mismatched sizes, non-finite values, a variance <= 0, a level
// or probability outside (0, 1), lower > upper, a PIT value outside [0, 1]) throws
// prospect::InvalidArgument naming the function, the parameter, the offending value
// (with its index) and what was expected.
//
// Mixtures: M components per point, given as N x M matrices of component means and
// variances (row i = point i), all with weight 1/M.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "prospect/types.hpp"

namespace prospect {
struct Predictive;
}

namespace prospect::metrics {

/// Smallest variance the closed-form mixture CRPS adds inside its square roots (§6),
/// which keeps A(delta, s^2) finite for s^2 = 0 in the cross terms. Units u^2.
inline constexpr double kMixtureCrpsEps = 1e-12;

// ---------------------------------------------------------------------------------
// Gaussian predictive: y_i ~ N(mean_i, variance_i). O(N) each.

/// Per-point Gaussian negative log likelihood 0.5 log(2 pi var) + (y - mean)^2 / (2 var),
/// in nats. y, mean, variance: size N >= 1; variance > 0 (u^2).
[[nodiscard]] Vector gaussian_nll_pointwise(VectorCRef y, VectorCRef mean, VectorCRef variance);
/// Mean of gaussian_nll_pointwise() (nats per point).
[[nodiscard]] double gaussian_nll(VectorCRef y, VectorCRef mean, VectorCRef variance);

/// Per-point CRPS of N(mean, variance) at y, sd [z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)]
/// with z = (y - mean) / sd (Gneiting & Raftery 2007). Units u.
[[nodiscard]] Vector gaussian_crps_pointwise(VectorCRef y, VectorCRef mean, VectorCRef variance);
/// Mean of gaussian_crps_pointwise() (u).
[[nodiscard]] double gaussian_crps(VectorCRef y, VectorCRef mean, VectorCRef variance);

/// PIT values Phi((y - mean) / sd) in [0, 1] (uniform iff calibrated).
[[nodiscard]] Vector gaussian_pit(VectorCRef y, VectorCRef mean, VectorCRef variance);

/// Central interval of probability `level` in (0, 1): mean -/+ z sd with
/// z = Phi^-1(0.5 + level / 2). Returns (lower, upper), each of size N, in u.
[[nodiscard]] std::pair<Vector, Vector> gaussian_interval(double level, VectorCRef mean,
                                                          VectorCRef variance);

// ---------------------------------------------------------------------------------
// Equally weighted Gaussian mixture per point (deep ensembles, HMC samples with their
// noise): means and variances are N x M, y has size N.

/// Per-point mixture NLL -log( (1/M) sum_m N(y | mean_m, var_m) ) by log-sum-exp, so it
/// stays finite when every component density underflows. Nats. O(N M).
[[nodiscard]] Vector mixture_nll_pointwise(VectorCRef y, MatrixCRef means, MatrixCRef variances);
/// Mean of mixture_nll_pointwise() (nats per point).
[[nodiscard]] double mixture_nll(VectorCRef y, MatrixCRef means, MatrixCRef variances);

/// Per-point closed-form mixture CRPS (§6):
///   (1/M) sum_m A(y - mu_m, s_m^2) - 1/(2 M^2) sum_{m,m'} A(mu_m - mu_m', s_m^2 + s_m'^2),
///   A(d, v) = d (2 Phi(d / s) - 1) + 2 s phi(d / s), s = sqrt(v + kMixtureCrpsEps).
/// Equals gaussian_crps_pointwise() for M = 1 (up to the 1e-12). Units u. O(N M^2).
[[nodiscard]] Vector mixture_crps_pointwise(VectorCRef y, MatrixCRef means, MatrixCRef variances);
/// Mean of mixture_crps_pointwise() (u).
[[nodiscard]] double mixture_crps(VectorCRef y, MatrixCRef means, MatrixCRef variances);

/// Mixture CDF at t for ONE point: (1/M) sum_m Phi((t - mean_m) / sd_m). means and
/// variances have size M >= 1 (e.g. a row of the N x M matrices). O(M).
[[nodiscard]] double mixture_cdf(double t, VectorCRef means, VectorCRef variances);

/// Quantile of probability p in (0, 1) of ONE point's mixture: 60 bisection steps on
/// mixture_cdf() over [min_m(mu_m - 10 sd_m), max_m(mu_m + 10 sd_m)] (§6); the result
/// is within (bracket width) * 2^-60 of the exact quantile, which lies inside the
/// bracket for every p > Phi(-10) ~ 7.6e-24 (below that: the lower end). O(60 M).
[[nodiscard]] double mixture_quantile(double p, VectorCRef means, VectorCRef variances);

/// PIT values mixture_cdf(y_i, row i) for every point, size N. O(N M).
[[nodiscard]] Vector mixture_pit(VectorCRef y, MatrixCRef means, MatrixCRef variances);

/// Central interval of probability `level` per point by mixture_quantile() at
/// (1 - level) / 2 and (1 + level) / 2. Returns (lower, upper), size N. O(120 N M).
[[nodiscard]] std::pair<Vector, Vector> mixture_interval(double level, MatrixCRef means,
                                                         MatrixCRef variances);

/// Mean of each point's mixture, (1/M) sum_m mu_m (size N, u).
[[nodiscard]] Vector mixture_mean(MatrixCRef means);
/// Variance of each point's mixture (1/M) sum_m (s_m^2 + mu_m^2) - mean^2 (§5.5),
/// computed as (1/M) sum_m s_m^2 + (1/M) sum_m (mu_m - mean)^2 to avoid cancellation.
/// Size N, u^2.
[[nodiscard]] Vector mixture_variance(MatrixCRef means, MatrixCRef variances);

// ---------------------------------------------------------------------------------
// Predictive draws: samples is N x S (row i = S >= 1 draws of the predictive at point i).

/// Per-point sample CRPS (1/S) sum_s |x_s - y| - 1/(2 S^2) sum_{s,s'} |x_s - x_s'|
/// (the CRPS of the empirical distribution of the draws), computed in O(S log S) per
/// point from the sorted draws: sum_{s,s'} |x_s - x_s'| = 2 sum_k (2k - S - 1) x_(k).
/// Units u. Biased upward by E|X - X'| / (2 S) relative to the CRPS of the true predictive.
[[nodiscard]] Vector sample_crps_pointwise(VectorCRef y, MatrixCRef samples);
/// Mean of sample_crps_pointwise() (u).
[[nodiscard]] double sample_crps(VectorCRef y, MatrixCRef samples);

// ---------------------------------------------------------------------------------
// Quantile predictions (CQR and other quantile-only models).

/// The 19 levels 0.05, 0.10, ..., 0.95 the calibration study scores quantiles at.
[[nodiscard]] std::vector<double> default_quantile_levels();

/// Mean pinball (quantile) loss rho_tau(y - q) = max(tau (y - q), (tau - 1)(y - q)) of
/// the tau-quantile predictions q (size N) at level tau in (0, 1). Units u. O(N).
[[nodiscard]] double pinball_loss(VectorCRef y, VectorCRef quantile, double tau);

/// Empirical frequencies p_k = (1/N) #{i : y_i <= q_ik} for each level, where
/// quantiles is N x K (column k = predictions at levels[k]), levels in (0, 1), K >= 1.
/// A calibrated model has p_k ~ levels[k]. O(N K).
[[nodiscard]] Vector quantile_frequencies(VectorCRef y, MatrixCRef quantiles,
                                          const std::vector<double>& levels);
/// Quantile calibration error (1/K) sum_k |p_k - levels[k]| with p_k from
/// quantile_frequencies() (probability, 0 is perfect).
[[nodiscard]] double quantile_calibration_error(VectorCRef y, MatrixCRef quantiles,
                                                const std::vector<double>& levels);
/// Quantile-score approximation of the CRPS (2/K) sum_k pinball_loss(y, q_k, tau_k)
/// (§6). With levels (k - 1/2)/K it converges to the CRPS as K grows. Units u.
[[nodiscard]] double quantile_crps(VectorCRef y, MatrixCRef quantiles,
                                   const std::vector<double>& levels);

// ---------------------------------------------------------------------------------
// Probabilistic calibration from PIT values Z_i = F_i(y_i) in [0, 1].

/// Probabilistic calibration error (Dheur & Ben Taieb 2023), L1:
/// (1/M) sum_j |alpha_j - (1/N) #{i : Z_i <= alpha_j}|, alpha_j = (j - 1/2)/M, M = n_levels
/// >= 1 (default 100). In [0, 0.5]; about 0.8 * (pi/8) / sqrt(N) for calibrated data.
/// O(N log N + M).
[[nodiscard]] double pce(VectorCRef pit, int n_levels = 100);
/// The sorting estimator the calibration study reports as calib_l1:
/// (1/N) sum_i |Z_(i) - i/(N + 1)|. O(N log N).
[[nodiscard]] double pce_sorted(VectorCRef pit);
/// L2 variant = regression ECE of Kuleshov et al. (2018): the terms of pce() squared,
/// (1/M) sum_j (alpha_j - (1/N) #{Z_i <= alpha_j})^2 (no square root; probability^2).
[[nodiscard]] double pce_l2(VectorCRef pit, int n_levels = 100);

// ---------------------------------------------------------------------------------
// Intervals, point errors, sharpness.

/// Fraction of points with lower_i <= y_i <= upper_i (lower <= upper required). O(N).
[[nodiscard]] double central_coverage(VectorCRef y, VectorCRef lower, VectorCRef upper);
/// Mean interval score (u - l) + (2/alpha)(l - y) 1[y < l] + (2/alpha)(y - u) 1[y > u]
/// (Gneiting & Raftery 2007) of central intervals of probability 1 - alpha; alpha in
/// (0, 1) is the MISS probability (alpha = 0.1 for 90 % intervals). Proper; units u.
[[nodiscard]] double interval_score(double alpha, VectorCRef y, VectorCRef lower, VectorCRef upper);
/// Mean width mean(upper - lower) (u); sharpness of intervals.
[[nodiscard]] double mean_width(VectorCRef lower, VectorCRef upper);
/// Mean predictive standard deviation mean(sqrt(variance)) (u); sharpness. variance > 0.
[[nodiscard]] double mean_stddev(VectorCRef variance);
/// Root mean squared error of point predictions (u).
[[nodiscard]] double rmse(VectorCRef y, VectorCRef prediction);
/// Mean absolute error of point predictions (u).
[[nodiscard]] double mae(VectorCRef y, VectorCRef prediction);

// ---------------------------------------------------------------------------------
// One-call report.

/// Coverage of the central interval of one probability level.
struct CoverageAtLevel {
  double nominal = 0.0;         ///< the interval's probability (e.g. 0.9)
  double empirical = 0.0;       ///< fraction of y inside (central_coverage)
  double mean_width = 0.0;      ///< mean upper - lower (u)
  double interval_score = 0.0;  ///< mean interval score with alpha = 1 - nominal (u)
};

/// Every metric for one predictive on N held-out points.
struct CalibrationReport {
  std::size_t n = 0;                      ///< number of points scored
  double nll = 0.0;                       ///< mean negative log likelihood (nats per point)
  double crps = 0.0;                      ///< mean CRPS (u)
  double pce = 0.0;                       ///< probabilistic calibration error, 100 levels, L1
  double pce_sorted = 0.0;                ///< sorting estimator of the PCE (the study's calib_l1)
  double pce_l2 = 0.0;                    ///< squared variant (Kuleshov ECE)
  double rmse = 0.0;                      ///< RMSE of the predictive mean (u)
  double mae = 0.0;                       ///< MAE of the predictive mean (u)
  double mean_std = 0.0;                  ///< mean predictive standard deviation (u)
  std::vector<CoverageAtLevel> coverage;  ///< one entry per requested level, in order

  /// One line, e.g. "n=200 nll=1.23 crps=0.456 pce=0.0123 ... cov90=0.905 ...".
  [[nodiscard]] std::string summary() const;
  /// A multi-line table: every scalar metric, then one row per coverage level.
  [[nodiscard]] std::string full_report() const;
};

/// Scores a Gaussian predictive (e.g. Surrogate::predict() at held-out X) against y.
/// With include_noise (the default, §6) the predictive variance is variance +
/// noise_variance (an empty noise_variance counts as 0); otherwise the latent variance
/// alone. levels: central-interval probabilities in (0, 1) (may be empty). Throws
/// InvalidArgument for mismatched sizes, non-finite values, a total variance <= 0 or a
/// level outside (0, 1). O(N log N + N * levels).
[[nodiscard]] CalibrationReport evaluate_calibration(const Predictive& predictive, VectorCRef y,
                                                     bool include_noise = true,
                                                     std::vector<double> levels = {0.5, 0.9, 0.95});

/// Scores an equally weighted Gaussian mixture per point (N x M means and variances,
/// the variances already including observation noise where y is noisy): NLL and CRPS of
/// the mixture, PIT from mixture_cdf(), intervals from mixture_quantile(), RMSE/MAE of the
/// mixture mean, mean_std from mixture_variance(). Throws as the mixture functions.
/// O(N M^2 + N M * 120 * levels).
[[nodiscard]] CalibrationReport evaluate_calibration(MatrixCRef means, MatrixCRef variances,
                                                     VectorCRef y,
                                                     std::vector<double> levels = {0.5, 0.9, 0.95});

}  // namespace prospect::metrics
