// prospect/surrogates/conformal.hpp — distribution-free prediction intervals around ANY
// surrogate: split conformal, CV+ and jackknife+.
//
// ConformalIntervals wraps a copy of a Surrogate (a GP, a BNN, a quantile model such as
// CQR, or a user's own model), fits it in the way its method needs and turns its
// predictions into intervals for a NEW OBSERVATION y at x whose coverage holds in finite
// samples whatever the model, as long as the n training points and the test point
// (x, y) are exchangeable (e.g. i.i.d.) and the model's fit is symmetric in its training
// points (does not depend on their order). Intervals are marginal: the probability is
// over the training data and the test point together, not conditional on x.
//
// Conformity scores (how badly a point fits a model; larger = worse):
//   absolute:   R = |y - mu(x)|
//   normalized: R = |y - mu(x)| / sigma(x), sigma = sqrt(variance + noise_variance) of
//               predict(), floored at kConformalSigmaFloor: intervals then widen where
//               the model is unsure (heteroscedastic data);
//   quantile:   R = max(q_lo(x) - y, y - q_hi(x)) with q_lo, q_hi the model's quantiles()
//               at (1 - level)/2 and (1 + level)/2 (the CQR score, Romano, Patterson &
//               Candes 2019). The score depends on the level, so the calibration inputs
//               are kept and the quantiles recomputed at each interval() level.
// The interval for a score threshold Q is {y : R(x, y) <= Q}:
//   absolute: mu -/+ Q; normalized: mu -/+ Q sigma; quantile: [q_lo - Q, q_hi + Q] (Q may
//   be negative; an empty set, lower > upper, is returned collapsed to its midpoint,
//   which only adds coverage).
//
// Methods, with n training points, alpha = 1 - level the miss probability:
//
// split (Vovk et al. 2005; Lei et al. 2018): a random calibration_fraction of the data
//   (n_cal = round(calibration_fraction * n) points) is held out; the model is fitted on
//   the other n - n_cal points, and the scores R_1..R_ncal on the held-out ones give
//   Q = the k-th smallest score, k = ceil((1 - alpha)(n_cal + 1)).
//   When k > n_cal (n_cal < 1/alpha - 1, e.g. n_cal < 9 at 90 %) no finite Q is valid:
//   the interval is (-infinity, +infinity).
//   Guarantee: P(y in C(x)) >= 1 - alpha under exchangeability; when the scores are
//   almost surely distinct (continuous noise), P(y in C(x)) = k/(n_cal + 1)
//   <= 1 - alpha + 1/(n_cal + 1).
//
// CV+ (Barber, Candes, Ramdas & Tibshirani 2021, "Predictive inference with the
//   jackknife+", Ann. Statist. 49(1)): the data are split at random into K = folds folds
//   of sizes floor(n/K) or ceil(n/K); model mu_{-k} is fitted without fold k, and each
//   point i gets the score R_i of the model that did not see it, mu_{-k(i)}. At x:
//     lower = the floor(alpha (n + 1))-th smallest of  mu_{-k(i)}(x) - R_i s_{-k(i)}(x),
//     upper = the ceil((1 - alpha)(n + 1))-th smallest of mu_{-k(i)}(x) + R_i s_{-k(i)}(x),
//   i = 1..n, with s = 1 (absolute), s = sigma (normalized); for the quantile score the
//   lower candidates are q_lo_{-k(i)}(x) - R_i and the upper ones q_hi_{-k(i)}(x) + R_i.
//   A lower rank of 0 gives -infinity, an upper rank above n gives +infinity.
//   Guarantee (Barber et al. 2021, Theorem 4, folds of equal size n/K): P(y in C(x)) >=
//   1 - 2 alpha - min( 2 (1 - 1/K) / (n/K + 1), (1 - K/n) / (K + 1) ). When K does not
//   divide n, coverage_guarantee() evaluates the same expression with the real n/K (an
//   extrapolation: the theorem is stated for equal folds). In practice the coverage is
//   typically close to 1 - alpha (the paper's experiments, and its bounds under
//   algorithmic stability); the 1 - 2 alpha bound is the worst case over all models.
// jackknife+ (the same paper, Theorem 1): CV+ with K = n folds (leave-one-out models).
//   Guarantee: P(y in C(x)) >= 1 - 2 alpha; typically close to 1 - alpha.
// The normalized and quantile scores are nested families of sets, for which the same
// proofs hold (Gupta, Kuchibhotla & Ramdas 2022, "Nested conformal prediction and
// quantile out-of-bag ensemble methods", Pattern Recognition 127).
//
// Costs (n training points, m interval points, fit = one Surrogate::fit, predict(m) =
// one Surrogate::predict or quantiles at m points):
//   fit():      split: one fit on n - n_cal points + predict(n_cal);
//               CV+: K fits on about n (K - 1)/K points + K predict(n/K);
//               jackknife+: n fits on n - 1 points + n predict(1).
//   interval(): split: predict(m) + O(n_cal) (+ predict(n_cal) for the quantile score);
//               CV+/jackknife+: (models) predict(m) + O(m n) selection (nth_element)
//               (+ predict of the held-out points for the quantile score).
// Memory: the fitted models (1, K or n copies of the surrogate), the scores, and the
// calibration points (split: n_cal; CV+/jackknife+: n), O(n d).
//
// Threads: the fold fits of CV+/jackknife+ run in parallel with OpenMP (options.threads;
// 0: OpenMP's default). Fold k is fitted with seed derive_seed(seed, k + 1) and the split
// / fold assignment is drawn from derive_seed(seed, 0), so the intervals are the same for
// a seed whatever the thread count.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "prospect/surrogates/surrogate.hpp"
#include "prospect/types.hpp"

namespace prospect {

/// Smallest sigma (units of y) the normalized score divides by, so that a model with a
/// zero predictive variance at a point gives a large but finite score.
inline constexpr double kConformalSigmaFloor = 1e-12;

/// How the calibration scores are obtained (see the file comment).
enum class ConformalMethod {
  split,          ///< one fit on a proper training part, scores on a held-out part
  cv_plus,        ///< K fold models, every point scored out of fold (CV+)
  jackknife_plus  ///< n leave-one-out models (jackknife+)
};
/// "split", "cv_plus", "jackknife_plus".
[[nodiscard]] const char* to_string(ConformalMethod method);
/// Inverse of to_string(ConformalMethod) (also accepts "cv+" and "jackknife+"); throws
/// InvalidArgument naming the known methods otherwise.
[[nodiscard]] ConformalMethod conformal_method_from_string(const std::string& name);

/// The conformity score (see the file comment).
enum class ConformityScore {
  absolute,    ///< |y - mu|
  normalized,  ///< |y - mu| / sigma, sigma with the observation noise
  quantile     ///< max(q_lo - y, y - q_hi) from Surrogate::quantiles() (CQR)
};
/// "absolute", "normalized", "quantile".
[[nodiscard]] const char* to_string(ConformityScore score);
/// Inverse of to_string(ConformityScore); throws InvalidArgument otherwise.
[[nodiscard]] ConformityScore conformity_score_from_string(const std::string& name);

/// Settings of ConformalIntervals (every field has a sound default).
struct ConformalOptions {
  /// How the scores are obtained.
  ConformalMethod method = ConformalMethod::split;
  /// Which conformity score.
  ConformityScore score = ConformityScore::normalized;
  /// split: the fraction of the data held out for calibration, in (0, 1).
  double calibration_fraction = 0.25;
  /// cv_plus: the number of folds K >= 2 (at most the number of points).
  int folds = 10;
  /// OpenMP threads for the fold fits of cv_plus / jackknife_plus (0: OpenMP's default,
  /// >= 0). Results do not depend on it.
  int threads = 0;

  /// Every problem with these options, empty when they are valid (never throws).
  [[nodiscard]] std::vector<std::string> validate() const;
};

/// Interval ends at m points, units of y; lower <= upper, possibly -/+infinity.
struct ConformalInterval {
  Vector lower;
  Vector upper;
};

/// Conformal prediction intervals around any surrogate (see the file comment).
/// A value type: copies deep-copy the fitted models.
class ConformalIntervals {
 public:
  /// Keeps a clone of `prototype` (fitted or not; it is refitted by fit()). Throws
  /// InvalidOptions when options.validate() finds problems.
  explicit ConformalIntervals(const Surrogate& prototype, ConformalOptions options = {});
  ConformalIntervals(const ConformalIntervals& other);
  ConformalIntervals& operator=(const ConformalIntervals& other);
  ConformalIntervals(ConformalIntervals&&) noexcept = default;
  ConformalIntervals& operator=(ConformalIntervals&&) noexcept = default;
  ~ConformalIntervals();

  /// Fits the model(s) the method needs on `data` and computes the calibration scores;
  /// deterministic for a seed (see Threads in the file comment). Throws InvalidArgument
  /// for empty data, mismatched sizes (y, noise_variance), fewer than 2 calibration
  /// points (split: round(calibration_fraction * n) < 2, or no point left to fit on),
  /// fewer points than folds (cv_plus) or fewer than 2 points (jackknife_plus); passes on
  /// what the surrogate's fit() throws. Unchanged on throw. Cost: see the file comment.
  void fit(const Dataset& data, std::uint64_t seed);

  /// Intervals of probability `level` in (0, 1) for new observations at the rows of X
  /// (m x d, d the fitted dimension); any level after one fit. Throws InvalidState before
  /// fit(), InvalidArgument for a level outside (0, 1) or X with the wrong number of
  /// columns, and passes on what the surrogate's predict() throws.
  [[nodiscard]] ConformalInterval interval(MatrixCRef X, double level) const;

  /// The conformity scores of the calibration points (split: n_cal; CV+/jackknife+: n,
  /// in the order of the data rows), unsorted. `level` matters only for the quantile
  /// score, whose scores depend on it. Throws InvalidState before fit(), InvalidArgument
  /// for a level outside (0, 1).
  [[nodiscard]] Vector scores(double level = 0.9) const;

  /// The guaranteed lower bound on the marginal coverage at `level` for the fitted data
  /// size (split: k/(n_cal + 1) >= level, or 1 when the interval is infinite; CV+ and
  /// jackknife+: the bounds of the file comment, clamped at 0). Throws as scores().
  [[nodiscard]] double coverage_guarantee(double level) const;

  /// True after a successful fit().
  [[nodiscard]] bool fitted() const { return !models_.empty(); }
  /// The options given at construction.
  [[nodiscard]] const ConformalOptions& options() const { return options_; }
  /// The number of scores (split: n_cal; CV+/jackknife+: n); 0 before fit().
  [[nodiscard]] Eigen::Index calibration_size() const { return cal_y_.size(); }
  /// The number of fitted models (1, K or n); 0 before fit().
  [[nodiscard]] Eigen::Index model_count() const {
    return static_cast<Eigen::Index>(models_.size());
  }
  /// Fitted model k in [0, model_count()) (split: the one model; CV+: the model without
  /// fold k). Throws InvalidArgument for k out of range.
  [[nodiscard]] const Surrogate& model(Eigen::Index k) const;
  /// Input dimension of the fitted data (0 before fit()).
  [[nodiscard]] Eigen::Index dimension() const { return dimension_; }

 private:
  // Scores of calibration point set (rows of cal_X_, models per cal_model_) at `level`.
  Vector compute_scores(double level) const;
  void check_ready(double level, const char* caller) const;

  std::unique_ptr<Surrogate> prototype_;
  ConformalOptions options_;
  std::vector<std::unique_ptr<Surrogate>> models_;
  // Calibration points: inputs, observations and which model did not see each.
  Matrix cal_X_;
  Vector cal_y_;
  std::vector<Eigen::Index> cal_model_;
  // The absolute or normalized scores (level-free); empty for the quantile score, whose
  // scores are recomputed at each level.
  Vector scores_;
  Eigen::Index dimension_ = 0;
};

}  // namespace prospect
