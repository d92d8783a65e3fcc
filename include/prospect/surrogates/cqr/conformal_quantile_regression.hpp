// prospect/surrogates/cqr/conformal_quantile_regression.hpp — conformalized quantile
// regression (CQR; Romano, Patterson & Candès 2019), the surrogate of Salinas et al. 2023 /
// Syne Tune's ConformalQuantileRegression searcher (ALGORITHMS.md §4.1–4.3).
//
// One gradient-boosted quantile model (QuantileBoosting, sklearn's defaults) per level
// tau_1 < ... < tau_L, the levels symmetric around 0.5 (tau_k + tau_{L+1-k} = 1; the median
// is optional). fit(data, seed):
//   1. if max_fit_samples > 0 and n exceeds it: keep a random subset of that size;
//   2. if n > min_samples_to_conformalize: a random calibration set of
//      n_cal = clamp(ceil(valid_fraction n), 1, n - 1) points, the regressors fitted on the
//      other n - n_cal points only (not refitted on all data afterwards); else all points,
//      no correction;
//   3. for each symmetric pair (lo, hi), target coverage 1 - alpha = 1 - 2 tau_lo (Syne
//      Tune's arithmetic for tau_hi - tau_lo):
//      conformity scores E_i = max(q_lo(x_i) - y_i, y_i - q_hi(x_i)) on the calibration
//      set, correction Q = numpy's linear quantile of E (position (n_cal - 1) level,
//      linear interpolation) at
//        finite_sample (default, Romano et al.): level = min(1, ceil((1 - alpha)(n_cal + 1)) /
//        n_cal)
//          (the ceiling after subtracting 1e-9 against rounding noise). Q then lies between
//          the k-th and (k+1)-th smallest score, k = ceil((1 - alpha)(n_cal + 1)), so a new
//          exchangeable point is covered with probability >= 1 - alpha (and at most about
//          1 - alpha + 2 / (n_cal + 1)); when k > n_cal the level is clamped to 1 (the
//          largest score) and the guarantee is lost (tiny n_cal only);
//        syne_tune (the reference implementation): level = (1 - alpha) / (1 + 1 / n_cal),
//          which targets slightly LESS than 1 - alpha (ALGORITHMS.md §8 pitfall 13);
//      corrected quantiles q_lo - Q and q_hi + Q. Q may be negative: the interval shrinks
//      when the regressors over-cover on the calibration set. The median is not corrected.
//   4. with sort_quantiles, the L corrected quantiles are sorted per point (no crossings).
//
// Predictions: quantiles(X, levels) gives the corrected (sorted) quantiles at the model's
// own levels exactly; between two adjacent levels it interpolates linearly in the level;
// beyond the outermost levels it extrapolates linearly in the normal score z = Phi^-1(level)
// through the two outermost levels on that side (normal-like tails; never flat, never
// crossing when the quantiles are sorted). predict() summarizes them: mean = the 0.5
// quantile (interpolated when 0.5 is not a level), variance = ((q_hi - q_lo) / (2 z))^2
// from the OUTERMOST pair, z = Phi^-1(tau_hi), i.e. the normal whose central interval
// matches it; all the spread is in `variance` (latent), noise_variance is 0 — the model
// does not separate noise from epistemic uncertainty. No gradients (piecewise constant),
// no joint posterior, no conditioning: capabilities() is `quantiles` only.
//
// y is used as given (trees are equivariant to affine maps of y, so there is nothing to
// standardize); predictions are in the units of y (maximization sign). Known noise
// variances in the Dataset are ignored. Inputs in the unit cube.
//
// Cost: fit O(L M depth d n log n) (QuantileBoosting), parallel over levels with OpenMP,
// results independent of the number of threads; predict/quantiles O(m L M depth) for m
// points. At the defaults (L = 5, M = 100, depth 3), on one core of a busy 2-core machine:
// a fit on n = 100, d = 6 takes about 30 ms (n = 300: 0.1 s), the quantiles of 2000
// candidates about 30 ms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "prospect/surrogates/cqr/quantile_boosting.hpp"
#include "prospect/surrogates/surrogate.hpp"

namespace prospect {

/// The quantile level of the conformity scores that gives the correction (see the header).
enum class ConformalLevel {
  finite_sample,  ///< Romano et al.: min(1, ceil((1 - alpha)(n_cal + 1)) / n_cal), valid
  syne_tune,      ///< Syne Tune: (1 - alpha) / (1 + 1 / n_cal), slightly under-covering
};

/// "finite_sample" / "syne_tune".
[[nodiscard]] const char* to_string(ConformalLevel level);
/// Parses "finite_sample" / "syne_tune"; throws InvalidArgument otherwise.
[[nodiscard]] ConformalLevel conformal_level_from_string(const std::string& name);

/// Settings of the CQR surrogate; the defaults are Syne Tune's, except the conformal level
/// (finite_sample, with its guarantee) and sort_quantiles (true).
struct CQROptions {
  /// Quantile levels tau_1 < ... < tau_L, each in (0, 1), symmetric around 0.5
  /// (tau_k + tau_{L+1-k} = 1 within 1e-9), at least one pair (L >= 2); 0.5 may be
  /// present (odd L) or not. Syne Tune's 5 levels k/6 rounded to 2 decimals.
  std::vector<double> levels{0.17, 0.33, 0.5, 0.67, 0.83};
  /// Fraction of the data held out for calibration, in (0, 1); n_cal = ceil(fraction n)
  /// clamped to [1, n - 1].
  double valid_fraction = 0.1;
  /// Conformalize only when the number of (fit) points n is larger, >= 1.
  int min_samples_to_conformalize = 32;
  /// Level of the scores' quantile that gives the correction.
  ConformalLevel conformal_level = ConformalLevel::finite_sample;
  /// Sort the corrected quantiles per point so that they are monotone in the level
  /// (not in Syne Tune, where the quantiles of separate regressors may cross).
  bool sort_quantiles = true;
  /// 0: fit on all data; else, when n is larger, on a random subset of this size, >= 0.
  int max_fit_samples = 0;
  /// Settings of every level's boosted trees (sklearn's defaults).
  QuantileBoostingOptions boosting{};
  /// OpenMP threads over the levels, >= 0 (0: the OpenMP default). Results do not depend
  /// on it.
  int threads = 0;

  /// Every problem, one message each naming the field (empty when valid). Does not throw.
  [[nodiscard]] std::vector<std::string> validate() const;
};

/// Conformalized quantile regression with gradient-boosted trees.
class ConformalQuantileRegression final : public Surrogate {
 public:
  /// Throws InvalidArgument listing every problem of the options, each naming its field.
  explicit ConformalQuantileRegression(CQROptions options = {});

  [[nodiscard]] std::unique_ptr<Surrogate> clone() const override;
  /// "cqr".
  [[nodiscard]] std::string name() const override { return "cqr"; }
  /// quantiles only.
  [[nodiscard]] SurrogateCapabilities capabilities() const override;

  /// Fits the regressors and the corrections (see the header); deterministic for a seed
  /// whatever the number of threads (subset from derive_seed(seed, 0), calibration split
  /// from derive_seed(seed, 1), level k's trees from derive_seed(seed, 2 + k)). Throws
  /// InvalidArgument for no observations, mismatched sizes, non-finite values or inputs
  /// outside the unit cube; the model is unchanged on throw.
  void fit(const Dataset& data, std::uint64_t seed) override;
  [[nodiscard]] bool fitted() const override { return !models_.empty(); }
  [[nodiscard]] Eigen::Index dimension() const override { return dimension_; }

  /// mean = median quantile, variance from the outermost pair, noise_variance 0 (header).
  /// Throws InvalidState before fit(), InvalidArgument for a wrong number of columns or
  /// inputs outside the unit cube. O(m L M depth).
  [[nodiscard]] Predictive predict(MatrixCRef X) const override;
  /// The corrected quantiles at the rows of X, one column per entry of `levels` (any order,
  /// each in (0, 1)): exact at the model's levels, interpolated between them, extrapolated
  /// in the normal score beyond (header). Throws as predict() and as
  /// check_quantile_levels(). O(m L M depth + m |levels| log L).
  [[nodiscard]] Matrix quantiles(MatrixCRef X, VectorCRef levels) const override;
  /// The corrected quantiles at the model's own levels (m x L, column k at levels()[k]),
  /// sorted per row when options().sort_quantiles. Throws as predict().
  [[nodiscard]] Matrix level_quantiles(MatrixCRef X) const;

  /// 0: the spread is all in the predictive variance.
  [[nodiscard]] double noise_variance() const override { return 0.0; }

  /// The seed of the last fit (two 32-bit halves); empty before fit().
  [[nodiscard]] Vector state() const override;
  /// fit(data, the seed held by state) (fit(data, 0) for an empty state): the fit is
  /// deterministic, so this rebuilds it exactly. Throws InvalidArgument for a state that is
  /// not two integers in [0, 2^32), and as fit().
  void restore(const Dataset& data, VectorCRef state) override;

  [[nodiscard]] const CQROptions& options() const { return options_; }
  /// The model's levels (options().levels).
  [[nodiscard]] const std::vector<double>& levels() const { return options_.levels; }
  /// The correction Q of each symmetric pair, outermost first (pair p = levels p and
  /// L - 1 - p), in units of y; all 0 when not conformalized or before fit().
  [[nodiscard]] const std::vector<double>& corrections() const { return corrections_; }
  /// Whether the last fit held out a calibration set (n > min_samples_to_conformalize).
  [[nodiscard]] bool conformalized() const { return conformalized_; }
  /// Calibration points of the last fit (0 when not conformalized).
  [[nodiscard]] Eigen::Index calibration_size() const { return calibration_size_; }
  /// The per-level regressors of the last fit (empty before fit()).
  [[nodiscard]] const std::vector<QuantileBoosting>& regressors() const { return models_; }

 private:
  void require_fitted(const char* caller, MatrixCRef X) const;

  CQROptions options_;
  std::vector<QuantileBoosting> models_;
  std::vector<double> corrections_;
  bool conformalized_ = false;
  Eigen::Index calibration_size_ = 0;
  Eigen::Index dimension_ = 0;
  std::uint64_t seed_ = 0;
};

}  // namespace prospect
