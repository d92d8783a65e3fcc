// prospect/surrogates/gaussian_process.hpp — exact Gaussian-process regression.
//
// Model: y_i = c + f(x_i) + e_i, f ~ GP(0, k), e_i ~ N(0, noise). Inputs in the unit
// cube, outputs standardized (mean, unbiased std) and frozen between refits.
// Hyperparameters (kernel log hyperparameters, log noise, constant mean c) are
// fitted by MAP with multi-start L-BFGS (NLopt) on the analytic gradient of
// J = (log marginal likelihood + log prior) / n, the objective GPyTorch/BoTorch use.
//
// Priors ("botorch" preset, BoTorch 0.12-0.15 defaults, Hvarfner et al. 2024):
//   lengthscale ~ LogNormal(sqrt2 + 0.5 ln d, sqrt3), noise ~ LogNormal(-4, 1) with
//   noise >= 1e-4 (standardized units), no output scale, c without prior.
// "botorch_legacy": lengthscale ~ Gamma(3, 6), outputscale ~ Gamma(2, 0.15),
//   noise ~ Gamma(1.1, 0.05). "none": maximum likelihood.
// With both botorch presets, a kernel hyperparameter whose spec carries a PriorHint
// (kernel.hpp; e.g. the multi-fidelity kernels' BoTorch priors) gets that prior instead
// of the kind-based one. A `linear` kernel hyperparameter (a signed value such as the
// co-kriging rho) gets no prior, is bounded by its spec's bounds on the value, starts at
// its default and is drawn as default + N(0, 1) for the random restarts.
//
// Complexity (n observations, d dimensions, p hyperparameters):
//   fit: O(R * E * (n^3 + p n^2)) for R restarts of E likelihood evaluations;
//   predict: O(n d + n^2) per point; predict_with_gradient: O(n d + n^2);
//   posterior_covariance of m points: O(m n^2 + m^2 n);
//   add_observations of q points: O(n^2 q + q^3); condition_on: the same.
//
// Parameter vector (parameters(), state(), objective()): [kernel theta (log values, or
// the values of `linear` ones; see kernel.hpp), log noise variance in standardized units
// (only with NoiseModel::learned; bounds [log 1e-4, log 10]), constant mean c in
// standardized units (only with learn_mean; bounds [-10, 10])]. New observations added by
// add_observations() and condition_on() use the model's noise: the learned value, the nugget, or
// the mean of the known variances (NoiseModel::fixed), and the output transform of the last fit.
//
// Threads: fit() runs its starts in parallel with OpenMP and BLAS single-threaded
// (OpenBLAS's own threads would oversubscribe the cores and change the rounding with
// their count); the fitted parameters do not depend on the number of threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "prospect/device.hpp"
#include "prospect/kernels/cholesky.hpp"
#include "prospect/kernels/kernel.hpp"
#include "prospect/surrogates/surrogate.hpp"

namespace prospect {

/// Which hyperparameter priors the MAP fit uses.
enum class PriorPreset { botorch, botorch_legacy, none };
[[nodiscard]] const char* to_string(PriorPreset preset);
[[nodiscard]] PriorPreset prior_preset_from_string(const std::string& name);

/// How the observation noise is treated.
enum class NoiseModel {
  learned,  ///< one homoscedastic noise variance, fitted with the other hyperparameters
  fixed,    ///< per-point variances from Dataset::noise_variance (required then)
  none      ///< a deterministic objective: a fixed tiny nugget (noiseless_nugget)
};
[[nodiscard]] const char* to_string(NoiseModel noise);
[[nodiscard]] NoiseModel noise_model_from_string(const std::string& name);

/// Settings of a Gaussian process (every field has a sound default).
struct GaussianProcessOptions {
  /// Prior preset for the MAP fit.
  PriorPreset priors = PriorPreset::botorch;
  /// Observation-noise treatment.
  NoiseModel noise = NoiseModel::learned;
  /// Noise variance in standardized units when noise == none: a nugget that keeps K
  /// factorable (the Cholesky's jitter escalation covers what it does not) while the
  /// posterior interpolates the data to ~3e-5 of its spread. At 3e-8 the model could not
  /// resolve the last digits near an optimum (noiseless Branin median regret 1.9e-5 after
  /// 50 evaluations; 4.5e-6 at 1e-9, docs/benchmarks.md).
  double noiseless_nugget = 1e-9;
  /// Number of L-BFGS starts: the prior mode, the previous fit (warm start) when
  /// there is one, then draws from the priors.
  int restarts = 3;
  /// From this many observations the fit runs ONE start (the previous fit when there
  /// is one, else the prior mode) with multi-threaded BLAS, as BoTorch does: each start
  /// costs O(n^3) per evaluation. Below it, `restarts` starts.
  Eigen::Index large_n = 500;
  /// Likelihood evaluations per start.
  int max_evaluations = 500;
  /// Relative tolerance on J for L-BFGS.
  double ftol_rel = 1e-9;
  /// Learn the constant mean c (true) or fix c = 0 on standardized data.
  bool learn_mean = true;
  /// Require training inputs in the unit cube (true: InvalidArgument outside it, values
  /// within 1e-9 of it clipped) or accept any finite inputs (false: for models whose
  /// inputs include a column that is not a design coordinate, e.g. the previous-level
  /// output of NonlinearAR1).
  bool require_unit_cube = true;
  /// Jitter escalation of the Cholesky.
  kernels::CholeskyOptions cholesky{};
  /// Where the O(n^3) likelihood evaluations and large predictions run (device.hpp). The
  /// GPU path covers stationary kernels (kernels::Stationary) of dimension <= 32 and
  /// agrees with the CPU path to 1e-9 relative in the objective and 1e-6 in its
  /// gradient (docs/gpu.md); other kernels always run on the CPU.
  DeviceOptions device{};
  /// OpenMP threads for the restarts (0: one thread below 128 observations, OpenMP's
  /// default from there). Results do not depend on it.
  int threads = 0;

  /// Every problem with these options, empty when they are valid (never throws).
  [[nodiscard]] std::vector<std::string> validate() const;
};

/// Why the last fit ended.
enum class FitTermination { converged, max_evaluations, all_starts_failed, not_fitted };
[[nodiscard]] const char* to_string(FitTermination termination);

/// What the last fit did.
struct FitSummary {
  FitTermination termination = FitTermination::not_fitted;
  double objective = 0.0;                ///< best J = (LML + log prior) / n
  double log_marginal_likelihood = 0.0;  ///< LML of standardized y at the optimum
  int starts = 0;                        ///< L-BFGS starts run
  int failed_starts = 0;                 ///< starts ended by a numerical failure
  int evaluations = 0;                   ///< likelihood-and-gradient evaluations in all starts
  double seconds = 0.0;                  ///< wall time of the fit
  /// "converged: J=-0.84 (LML -41.9), 3 starts (0 failed), 212 evaluations, 4.1 ms".
  [[nodiscard]] std::string brief_report() const;
  /// Multi-line report with every field.
  [[nodiscard]] std::string full_report() const;
};

/// Exact GP regression; a Surrogate with every capability.
class GaussianProcess : public Surrogate {
 public:
  /// A GP with the given kernel (copied) and options. Throws InvalidOptions when
  /// options.validate() finds problems.
  explicit GaussianProcess(const kernels::Kernel& kernel, GaussianProcessOptions options = {});
  GaussianProcess(const GaussianProcess& other);
  GaussianProcess& operator=(const GaussianProcess& other);
  GaussianProcess(GaussianProcess&&) noexcept = default;
  GaussianProcess& operator=(GaussianProcess&&) noexcept = default;
  ~GaussianProcess() override;

  // --- Surrogate ---
  [[nodiscard]] std::unique_ptr<Surrogate> clone() const override;
  [[nodiscard]] std::string name() const override;
  [[nodiscard]] SurrogateCapabilities capabilities() const override;
  /// Starts: the prior modes, the previous fit's parameters (or set_state()) when their
  /// size matches, then draws from the priors with Rng(derive_seed(seed, k)). A start
  /// ended by a numerical failure keeps its best point so far; when no start produced a
  /// point, the previous (or default) parameters are kept and summary() says
  /// all_starts_failed. Throws InvalidArgument for bad data (see Surrogate::fit), and
  /// NumericalError when even those parameters cannot be factored; unchanged on throw.
  void fit(const Dataset& data, std::uint64_t seed) override;
  [[nodiscard]] bool fitted() const override;
  [[nodiscard]] Eigen::Index dimension() const override;
  /// Latent variance clamped at 1e-12 (standardized); noise_variance is noise_variance()
  /// at every point. Throws InvalidState before a fit, InvalidArgument for a wrong
  /// number of columns or non-finite X.
  [[nodiscard]] Predictive predict(MatrixCRef X) const override;
  [[nodiscard]] PointPrediction predict_with_gradient(VectorCRef x) const override;
  [[nodiscard]] Matrix posterior_covariance(MatrixCRef X) const override;
  [[nodiscard]] JointPosterior joint_posterior(MatrixCRef X,
                                               Eigen::Index coupled = -1) const override;
  [[nodiscard]] Matrix joint_posterior_gradient(MatrixCRef X, VectorCRef mean_bar,
                                                MatrixCRef covariance_bar,
                                                Eigen::Index coupled = -1,
                                                Eigen::Index wanted = -1) const override;
  [[nodiscard]] Matrix sample(MatrixCRef X, Eigen::Index n_samples, Rng& rng) const override;
  [[nodiscard]] std::unique_ptr<Surrogate> condition_on(MatrixCRef X, VectorCRef y) const override;
  void add_observations(MatrixCRef X, VectorCRef y) override;
  [[nodiscard]] double noise_variance() const override;
  /// parameters() (empty before a fit).
  [[nodiscard]] Vector state() const override;
  /// Sets the parameters: on a fitted model the size must match (InvalidArgument
  /// otherwise) and the posterior is recomputed at the values clipped into the bounds;
  /// before a fit the dimension is unknown, so the vector is only kept and used as the
  /// warm start of the next fit when its size matches there.
  void set_state(VectorCRef state) override;
  /// fit_fixed(data, state): bit for bit the posterior fit() left at those parameters.
  void restore(const Dataset& data, VectorCRef state) override { fit_fixed(data, state); }

  // --- GP specifics ---
  /// Convenience for UQ work: fit on raw X (already in [0,1]^d) and y with seed 0.
  void fit(MatrixCRef X, VectorCRef y) { fit(Dataset{Matrix(X), Vector(y), Vector()}, 0); }

  /// Fits only the posterior (no hyperparameter learning) at the given parameters (the
  /// layout of parameters() for this data's dimension; InvalidArgument otherwise).
  void fit_fixed(const Dataset& data, VectorCRef parameters);

  /// The optimized vector [kernel theta..., log noise (if learned), c (if learned)].
  [[nodiscard]] Vector parameters() const;
  /// Names of parameters(), e.g. "lengthscale[0]", "noise", "mean".
  [[nodiscard]] std::vector<std::string> parameter_names() const;

  /// J(parameters) = (LML + log prior)/n on the fitted data and its gradient (if
  /// grad is non-null, resized to parameters.size()). For tests and diagnostics;
  /// throws InvalidState before a fit, InvalidArgument for a wrong size and
  /// NumericalError when the kernel matrix cannot be factored. O(n^3 + p n^2 d).
  double objective(VectorCRef parameters, Vector* grad) const;

  /// The log marginal likelihood of the standardized data at the fitted parameters.
  [[nodiscard]] double log_marginal_likelihood() const;

  /// The last fit's summary.
  [[nodiscard]] const FitSummary& summary() const;
  [[nodiscard]] const kernels::Kernel& kernel() const;
  [[nodiscard]] const GaussianProcessOptions& options() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace prospect
