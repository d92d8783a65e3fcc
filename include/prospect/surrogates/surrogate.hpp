// prospect/surrogates/surrogate.hpp — what every surrogate model gives.
//
// A surrogate is fitted on a Dataset in the unit cube and predicts marginal means
// and variances; where it can, it also gives input gradients (for gradient-based
// acquisition optimization), the joint posterior (for batch and Monte Carlo
// acquisitions) and a copy conditioned on extra observations (for fantasies:
// knowledge gradient, Kriging believer). capabilities() says which; the optimizer
// refuses, when it is built, an acquisition that needs what the surrogate lacks.
//
// y is in the user's units with the sign already turned for MAXIMIZATION; the
// surrogate standardizes internally and returns predictions in those same units.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "prospect/types.hpp"

namespace prospect {

/// Observations in the unit cube.
struct Dataset {
  /// n x d inputs, one point per row, each coordinate in [0, 1]. Fidelity columns,
  /// when a study has them, are the last columns.
  Matrix X;
  /// n observations (maximization sign).
  Vector y;
  /// Empty (the surrogate learns or assumes the noise) or n known noise variances
  /// in the units of y squared.
  Vector noise_variance;
};

/// Marginal predictive distribution at m points.
struct Predictive {
  Vector mean;            ///< posterior mean of f, units of y
  Vector variance;        ///< posterior variance of f (latent, no observation noise)
  Vector noise_variance;  ///< observation-noise variance at each point (0 when noiseless)

  /// Central interval of probability `level` in (0, 1) under a normal predictive:
  /// (lower, upper). With include_noise the interval is for a new observation.
  /// Throws InvalidArgument for a level outside (0, 1).
  [[nodiscard]] std::pair<Vector, Vector> interval(double level, bool include_noise = false) const;
  /// Standard deviation of f.
  [[nodiscard]] Vector stddev() const { return variance.cwiseMax(0.0).cwiseSqrt(); }
};

/// Prediction at one point with gradients in the unit cube.
struct PointPrediction {
  double mean = 0.0;
  double variance = 0.0;
  Vector mean_gradient;      ///< d mean / dx (size d)
  Vector variance_gradient;  ///< d variance / dx (size d); 0 where the variance is clamped
};

/// What a surrogate can do beyond marginal predictions.
struct SurrogateCapabilities {
  bool input_gradients = false;  ///< predict_with_gradient()
  bool joint_posterior = false;  ///< posterior_covariance(), sample()
  bool conditioning = false;     ///< condition_on() for fantasies
  bool incremental = false;      ///< add_observations() cheaper than a refit
  bool joint_gradients = false;  ///< joint_posterior_gradient() (Monte Carlo acquisitions, KG)
  /// The posterior is a finite set of functions (HMC samples, ensemble members):
  /// function_values() and function_values_gradient(). Monte Carlo acquisitions and
  /// Thompson sampling then work on those functions instead of Gaussian draws.
  bool function_samples = false;
  /// The model predicts quantiles of y natively (conformal quantile regression):
  /// quantiles() is its own prediction, not a normal approximation, and predict() is a
  /// summary of it (median and a spread-derived variance).
  bool quantiles = false;
};

/// Joint posterior of f at m points: what Monte Carlo acquisitions and the knowledge
/// gradient are functions of.
struct JointPosterior {
  Vector mean;        ///< m posterior means of f, units of y
  Matrix covariance;  ///< m x m posterior covariance of f (latent, no noise), units of y^2
};

class Rng;

/// The runtime interface of a surrogate. A user's own model derives from it.
class Surrogate {
 public:
  virtual ~Surrogate() = default;

  [[nodiscard]] virtual std::unique_ptr<Surrogate> clone() const = 0;
  [[nodiscard]] virtual std::string name() const = 0;
  [[nodiscard]] virtual SurrogateCapabilities capabilities() const = 0;

  /// Fits the model (hyperparameters included) to data; deterministic for a seed.
  /// Throws InvalidArgument for empty data, mismatched sizes, non-finite values or
  /// inputs outside the unit cube; the model is unchanged on throw.
  virtual void fit(const Dataset& data, std::uint64_t seed) = 0;
  /// True when `data` has what fit() needs besides valid values: enough observations
  /// (networks standardize y with its spread, so they need 2) and, for a model of
  /// fidelity levels stacked level by level, one at every level. The optimizer continues
  /// its initial design while it is false, and best() ranks by observed value. Default:
  /// at least one observation. O(n).
  [[nodiscard]] virtual bool can_fit(const Dataset& data) const { return data.X.rows() > 0; }
  /// True after a successful fit().
  [[nodiscard]] virtual bool fitted() const = 0;
  /// Input dimension d of the fitted data.
  [[nodiscard]] virtual Eigen::Index dimension() const = 0;

  /// Marginal predictions at the rows of X (m x d).
  [[nodiscard]] virtual Predictive predict(MatrixCRef X) const = 0;

  /// Mean and variance with their input gradients at one point.
  /// Default: throws InvalidState (capability absent).
  [[nodiscard]] virtual PointPrediction predict_with_gradient(VectorCRef x) const;
  /// Joint posterior covariance of f at the rows of X (m x m). Default: throws.
  [[nodiscard]] virtual Matrix posterior_covariance(MatrixCRef X) const;
  /// Mean and covariance of f at the rows of X together (one pass; default: predict()
  /// and posterior_covariance()). With `coupled` = c in [0, m), only the covariances
  /// that involve one of the first c rows are computed and the block among the last
  /// m - c rows is left 0: callers that need only the cross-covariances with a few
  /// rows (the one-shot knowledge gradient: its q candidates against 64 fantasy
  /// maximizers) save O((m - c)^2 (n + d)). c < 0 or c >= m: everything.
  [[nodiscard]] virtual JointPosterior joint_posterior(MatrixCRef X,
                                                       Eigen::Index coupled = -1) const;
  /// Reverse mode through joint_posterior(): for a scalar a(mean, covariance) with
  /// adjoints mean_bar = da/dmean (size m) and covariance_bar = da/dcovariance (m x m;
  /// read as a whole matrix, both triangles count; with `coupled` = c its block among
  /// the last m - c rows is ignored), returns da/dX (m x d). Rows that a caller holds
  /// fixed need no gradient: with `wanted` = w in [0, m) only the first w rows' are
  /// computed and the others come back 0 (w < 0 or w >= m: all). Default: throws
  /// InvalidState.
  /// GP cost: O(n^2 m + n m c + (n + c) w d) with c = m when not coupled, w = m when all
  /// rows are wanted.
  [[nodiscard]] virtual Matrix joint_posterior_gradient(MatrixCRef X, VectorCRef mean_bar,
                                                        MatrixCRef covariance_bar,
                                                        Eigen::Index coupled = -1,
                                                        Eigen::Index wanted = -1) const;
  /// n_samples joint draws of f at the rows of X, one draw per row (n_samples x m).
  /// Default: throws.
  [[nodiscard]] virtual Matrix sample(MatrixCRef X, Eigen::Index n_samples, Rng& rng) const;
  /// Sample-based surrogates (capabilities().function_samples): the number S of functions
  /// f_1..f_S whose equally weighted mixture is the posterior of f. Default: 0.
  [[nodiscard]] virtual Eigen::Index function_count() const { return 0; }
  /// f_s at the rows of X: an S x m matrix, units of y (maximization sign).
  /// Default: throws InvalidState (capability absent).
  [[nodiscard]] virtual Matrix function_values(MatrixCRef X) const;
  /// Row s of function_values(X) alone: f_s at the rows of X (size m), for callers that
  /// need one function (Thompson sampling). Default: function_values(X).row(s); a network
  /// mixture evaluates only network s (S times less work). Throws InvalidArgument for s
  /// outside [0, function_count()).
  [[nodiscard]] virtual Vector function_value(MatrixCRef X, Eigen::Index s) const;
  /// Reverse mode through function_values(): for a scalar a(F) with adjoint
  /// values_bar = da/dF (S x m), returns da/dX (m x d). Default: throws InvalidState.
  [[nodiscard]] virtual Matrix function_values_gradient(MatrixCRef X, MatrixCRef values_bar) const;
  /// Quantiles of a new observation y at the rows of X (m x d), one column per entry of
  /// `levels` (each in (0, 1), any order): an m x L matrix in units of y (maximization
  /// sign, so a level above 0.5 is optimistic). Default: the normal predictive
  /// N(mean, variance + noise_variance) of predict(), O(predict + m L). A quantile model
  /// (capabilities().quantiles) gives its own, monotone in the level. Throws
  /// InvalidArgument for an empty `levels` or a level outside (0, 1).
  [[nodiscard]] virtual Matrix quantiles(MatrixCRef X, VectorCRef levels) const;
  /// A copy conditioned on extra observations (X, y) with the hyperparameters and
  /// output transform frozen (fantasies). Default: throws.
  [[nodiscard]] virtual std::unique_ptr<Surrogate> condition_on(MatrixCRef X, VectorCRef y) const;
  /// Adds observations keeping hyperparameters; default: refit everything.
  virtual void add_observations(MatrixCRef X, VectorCRef y);

  /// The observation-noise variance the model uses (units of y squared).
  [[nodiscard]] virtual double noise_variance() const = 0;

  /// The learned state a resumed study needs to continue exactly (e.g. the GP's
  /// log hyperparameters, used as a warm start of the next fit). Default: empty.
  [[nodiscard]] virtual Vector state() const { return {}; }
  /// Restores state() of an identical model; default: ignores it.
  virtual void set_state(VectorCRef /*state*/) {}
  /// Rebuilds the model fitted on `data` whose state() was `state`, without learning:
  /// what fit() produced, so that a resumed study continues exactly. Default:
  /// set_state(state), then fit(data, 0). Throws as fit().
  virtual void restore(const Dataset& data, VectorCRef state);
};

/// Throws InvalidArgument, naming `caller`, unless `levels` is non-empty with every entry in
/// (0, 1): the check of Surrogate::quantiles(), for implementations to share.
void check_quantile_levels(VectorCRef levels, const char* caller);

}  // namespace prospect
