// prospect/surrogates/multi_fidelity/nonlinear_ar1.hpp — nonlinear autoregressive
// multi-fidelity GP (NARGP; Perdikaris et al. 2017; ALGORITHMS.md §3.4).
//
// Levels l = 0 .. L-1 (0 = cheapest, L-1 = the target). Level 0 is a GP on x with an SE
// ARD kernel; level l >= 1 is a GP on z = (x, u) where u is the previous level's output
// f_{l-1}(x) mapped affinely, with the kernel k_rho(x,x') k_f(u,u') + k_delta(x,x')
// (kernels::NargpKernel). The previous output is not in [0, 1]: it is mapped by
// u = (f - a_{l-1}) / b_{l-1}, with a_{l-1} the minimum and b_{l-1} the range (max - min;
// 1 when the range is 0) of level l-1's TRAINING outputs, so that the lengthscale prior
// of the f dimension sees the scale it sees on a design coordinate. u may leave [0, 1]
// (predictions, samples); the level GPs are built with require_unit_cube = false.
//
// Data convention: every row of Dataset::X is (x_1 .. x_d, s) with x in [0,1]^d and the
// LAST column the level encoded s = l / (L-1); the level is round(s (L-1)), and a value
// more than 1e-9 away from a level is rejected. The same convention holds for predict()
// and predict_with_gradient(): the level read from the last column of a query is the
// level predicted. dimension() is d + 1.
//
// Training (nested designs assumed: each level's points a subset of the level below's):
// the level-l GP is trained on (x_i, u(mu_{l-1}(x_i))) where mu_{l-1} is the
// DETERMINISTIC propagated mean (level 0's posterior mean, pushed through the means of
// levels 1 .. l-1). At a nested point mu_{l-1}(x_i) is the level-(l-1) observation up to
// the lower-level noise (1e-4 standardized); a point without a twin one level below gets
// the posterior mean there, which is the same rule. Noise: fixed at lower_noise
// (standardized units of each level) on levels 0 .. L-2; learned or a nugget on the top.
// Each level is fitted with `restarts` L-BFGS starts after the level below.
//
// Prediction at level t by Monte Carlo with S fixed standard normals eps (drawn at fit
// from the seed and kept in state()): level 0 gives (mu_0, var_0) at x; each parent path
// p of level l-1 (mean m_p, variance v_p) spawns children with previous outputs
// f = m_p + sqrt(v_p) eps_k pushed through level l. Children per parent: S while the
// number of paths stays <= max_paths (S^t paths: 100 for two levels, 10^4 for three),
// else max(1, max_paths / parents), child j of parent p using eps_{(p c + j) mod S} (c =
// children per parent) so that the normals are cycled evenly over the parents. The mean
// is the average of the path means; the variance the average path variance plus the
// population variance of the path means (law of total variance). Gradients by the chain
// rule through f: d f / dx = grad m_p + eps grad v_p / (2 sqrt(max(v_p, 1e-10))). The
// gradient w.r.t. the level column is 0.
//
// state(): [parameters() of level 0, ..., of level L-1, eps_1 .. eps_S]; restore(data,
// state) rebuilds every level by GaussianProcess::fit_fixed (and the same normals), so a
// resumed study continues exactly.
//
// Complexity (n_l points at level l, d design dimensions, P = paths of the queried level):
//   fit: the sum over levels of a GP fit on n_l points (dimension d, then d + 1), plus
//        propagating the means through lower levels: O(sum_l l n_l (n d + n^2));
//   predict: O(P (n d + n^2)) per point; predict_with_gradient: the same with gradients.
// Capabilities: input gradients only (no joint posterior, conditioning or incremental
// updates).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "prospect/surrogates/gaussian_process.hpp"
#include "prospect/surrogates/surrogate.hpp"

namespace prospect {

/// Settings of a NonlinearAR1 (every field but `levels` has the default of §3.4).
struct NonlinearAR1Options {
  /// Number of fidelity levels L (>= 2).
  int levels = 2;
  /// Fixed standard normals S of the Monte Carlo propagation (>= 1).
  int samples = 100;
  /// Cap on the Monte Carlo paths per query point (>= samples); reached from L = 4 with
  /// the defaults.
  Eigen::Index max_paths = 10000;
  /// L-BFGS starts per level.
  int restarts = 5;
  /// Likelihood evaluations per start.
  int max_evaluations = 500;
  /// Fixed noise variance of levels 0 .. L-2 in each level's standardized units (> 0).
  double lower_noise = 1e-4;
  /// Noise of the top level: NoiseModel::learned or NoiseModel::none (a nugget).
  NoiseModel top_noise = NoiseModel::learned;
  /// Standardized nugget of the top level when top_noise is none (> 0).
  double top_nugget = 1e-6;
  /// Hyperparameter priors of every level.
  PriorPreset priors = PriorPreset::botorch;

  /// Every problem with these options, empty when they are valid (never throws).
  [[nodiscard]] std::vector<std::string> validate() const;
};

/// NARGP as a Surrogate: one GP per level, Monte Carlo propagation between levels.
class NonlinearAR1 : public Surrogate {
 public:
  /// Throws InvalidOptions when options.validate() finds problems.
  explicit NonlinearAR1(NonlinearAR1Options options = {});

  // --- Surrogate ---
  [[nodiscard]] std::unique_ptr<Surrogate> clone() const override;
  /// "nargp(L=2)".
  [[nodiscard]] std::string name() const override;
  /// input_gradients only.
  [[nodiscard]] SurrogateCapabilities capabilities() const override;
  /// At least one observation at every level (rows whose level is off the grid count for
  /// none; fit() names them).
  [[nodiscard]] bool can_fit(const Dataset& data) const override;
  /// Fits the levels in order (level l with seed derive_seed(seed, l)) and draws the S
  /// normals with Rng(derive_seed(seed, L)). A previous fit (or set_state()) of the same
  /// dimension warm-starts each level. Throws InvalidArgument for empty data, fewer than
  /// 2 columns, mismatched sizes, non-finite values, inputs outside the unit cube, a
  /// level value off the grid (naming the row and value), a level without observations,
  /// or non-empty data.noise_variance (known noises are not supported); NumericalError
  /// when a level cannot be factored. Unchanged on throw.
  void fit(const Dataset& data, std::uint64_t seed) override;
  [[nodiscard]] bool fitted() const override;
  /// d + 1 (the level column included); 0 before a fit.
  [[nodiscard]] Eigen::Index dimension() const override;
  /// Mean and variance of f_l at each row, l read from the row's last column (rows may
  /// ask for different levels); noise_variance is the queried level's noise. Throws
  /// InvalidState before a fit, InvalidArgument for a wrong number of columns,
  /// non-finite values or a level value off the grid.
  [[nodiscard]] Predictive predict(MatrixCRef X) const override;
  /// The same at one point with gradients (size d + 1, the last entry 0). Throws as
  /// predict().
  [[nodiscard]] PointPrediction predict_with_gradient(VectorCRef x) const override;
  /// The top level's noise variance (units of y squared). InvalidState before a fit.
  [[nodiscard]] double noise_variance() const override;
  /// [level parameters..., normals]; empty before a fit.
  [[nodiscard]] Vector state() const override;
  /// On a fitted model: restore(data of the last fit, state) (InvalidArgument for a
  /// wrong size). Before a fit: kept, and its level parameters warm-start the next fit
  /// when the sizes match that data's dimension.
  void set_state(VectorCRef state) override;
  /// Rebuilds the model fit() left for `data` with state() `state`, without learning.
  /// Throws as fit(), and InvalidArgument when the size of state does not match.
  void restore(const Dataset& data, VectorCRef state) override;

  // --- NARGP specifics ---
  [[nodiscard]] const NonlinearAR1Options& options() const { return options_; }
  /// The GP of level l (0 .. L-1); InvalidState before a fit, OutOfRange for a bad l.
  [[nodiscard]] const GaussianProcess& level_model(int level) const;
  /// Monte Carlo paths of a prediction at level l (1 at level 0, S at level 1, ...).
  [[nodiscard]] Eigen::Index paths(int level) const;
  /// The fixed standard normals (size S; empty before a fit).
  [[nodiscard]] const Vector& normals() const { return normals_; }
  /// The level encoded by s: round(s (L-1)); InvalidArgument naming `what` and the value
  /// when s is more than 1e-9 away from a level.
  [[nodiscard]] int decode_level(double s, const std::string& what) const;
  /// The level l with s = l / (L - 1) within tolerance, or -1 when s is not one.
  [[nodiscard]] int level_or_none(double s) const;

 private:
  struct Split;
  [[nodiscard]] Split split(const Dataset& data) const;
  /// Fits (parameters empty) or restores (parameters given) every level on `sp`.
  void build(const Split& sp, std::uint64_t seed, const std::vector<Vector>* parameters,
             const Vector* normals);
  /// Deterministic mean of level `level` at design points X (n x d).
  [[nodiscard]] Vector propagated_mean(const std::vector<std::shared_ptr<GaussianProcess>>& models,
                                       const std::vector<double>& offset,
                                       const std::vector<double>& scale, int level,
                                       MatrixCRef X) const;
  /// Number of parameters of level l for d design dimensions.
  [[nodiscard]] Eigen::Index level_size(int level, Eigen::Index d) const;
  [[nodiscard]] GaussianProcessOptions level_options(int level) const;
  void require_fitted(const char* what) const;

  NonlinearAR1Options options_;
  // Shared between clones: a fitted level is never modified (a fit builds new ones).
  std::vector<std::shared_ptr<const GaussianProcess>> models_;
  std::vector<double> offset_, scale_;  // affine map of level l's output (l < L-1)
  std::vector<Eigen::Index> children_;  // children per parent path into level l (l >= 1)
  Vector normals_;
  Dataset data_;
  Eigen::Index d_ = 0;  // design dimensions (without the level column)
  bool fitted_ = false;
  Vector pending_state_;  // set_state() before a fit
};

}  // namespace prospect
