// prospect/options.hpp — everything a study can be told, as runtime values.
//
// Model components are chosen by value types (prospect::surrogates::GP{...},
// prospect::acquisition::LogEI{...}) or by a user's own Surrogate / Acquisition
// object. Options::validate() lists every problem without throwing; the Optimizer
// refuses invalid or impossible options when it is built (InvalidOptions).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "prospect/acquisition/choice.hpp"
#include "prospect/acquisition_optimizer.hpp"
#include "prospect/device.hpp"
#include "prospect/kernels/nngp.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/scheduler.hpp"
#include "prospect/surrogates/bnn/deep_ensemble.hpp"
#include "prospect/surrogates/bnn/hmc_network.hpp"
#include "prospect/surrogates/cqr/conformal_quantile_regression.hpp"
#include "prospect/surrogates/gaussian_process.hpp"
#include "prospect/surrogates/multi_fidelity/fidelity_gp.hpp"
#include "prospect/surrogates/multi_fidelity/nonlinear_ar1.hpp"
#include "prospect/types.hpp"

namespace prospect {

namespace surrogates {
/// An exact Gaussian process (the default surrogate).
struct GP {
  /// Radial profile of the built-in stationary kernel.
  kernels::Profile kernel = kernels::Profile::matern52;
  /// ARD, output scale and lengthscale bounds of the built-in kernel.
  kernels::StationaryOptions kernel_options{};
  /// Radial profiles fitted beside `kernel` (same kernel_options and priors) at every full
  /// fit; the model with the highest MAP objective J (GaussianProcess::summary()) is the
  /// one the study uses until the next full fit. Costs one more fit per profile. Empty
  /// (the default): `kernel` only. Noisy smooth objectives gain most: with {SE}, noisy
  /// Branin's qLogNEI regret at 60 evaluations falls from 0.126 to 0.062 (docs/
  /// benchmarks.md); noiseless ones lose (Matern-5/2 interpolates better). Not used with
  /// custom_kernel, a fidelity kernel or ASHA.
  std::vector<kernels::Profile> rival_kernels{};
  /// A user's own kernel; when set it replaces `kernel` and `kernel_options`.
  std::shared_ptr<const kernels::Kernel> custom_kernel = nullptr;
  /// In a multi-fidelity study (a space with fidelity parameters) whose acquisition
  /// chooses the fidelity (MFKG, AEI), the kernel over the design and fidelity columns:
  /// BoTorch's linear truncated fidelity kernel by default (FidelityGP). Ignored without
  /// fidelities, when custom_kernel is set, and when every evaluation is at the target
  /// (any other acquisition): that study gets the stationary kernel above.
  FidelityKernelChoice fidelity_kernel = FidelityKernelChoice::linear_truncated;
  /// Priors, restarts, evaluations ... (its `noise` is set from Options::noise).
  GaussianProcessOptions gp{};
};

/// Linear autoregressive co-kriging (Kennedy & O'Hagan 2000) over the levels of the
/// study's ONE discrete fidelity parameter (Space::add_fidelity_levels): f_l = rho f_{l-1}
/// + delta_l, all levels fitted jointly (LinearCoKriging).
struct CoKriging {
  /// Radial profile of every level's kernel.
  kernels::Profile base = kernels::Profile::squared_exponential;
  /// Priors, restarts, evaluations ... (its `noise` is set from Options::noise).
  GaussianProcessOptions gp{};
};

/// The nonlinear autoregressive GP (NARGP, Perdikaris et al. 2017) over the levels of the
/// study's ONE discrete fidelity parameter. Marginal predictions with input gradients only:
/// it works with the analytic acquisitions at the target (LogEI ...), not with MFKG.
struct NARGP {
  /// Samples, restarts, noise of the lower levels ... (`levels` is set from the space,
  /// `top_noise` from Options::noise).
  NonlinearAR1Options options{};
};
/// An exact GP with the infinite-width ReLU network kernel (NNGP, kernels::NeuralNetworkKernel):
/// a non-stationary kernel the BNN-BO study found strong in many dimensions. Being a GP, it
/// works with every acquisition (the knowledge gradient included).
struct NNGP {
  /// Depth and the starting weight and bias variances (learned by marginal likelihood).
  kernels::NNGPOptions kernel{};
  /// Priors, restarts, evaluations ... (its `noise` is set from Options::noise).
  GaussianProcessOptions gp{};
};

/// A Bayesian neural network sampled by full-batch HMC (HMCNetwork). Its posterior is a set
/// of networks: analytic acquisitions use the mixture's moments, qLogNEI/qEI/qUCB and
/// Thompson sampling use the networks themselves; the knowledge gradient is refused (no
/// fantasies).
struct HMC {
  /// Architecture, chains, burn-in, step-size adaptation, prior and noise.
  HMCNetworkOptions options{};
};

/// A deep ensemble (DeepEnsemble, Lakshminarayanan et al. 2017): independently trained
/// networks with Gaussian likelihood heads; the same predictive interface as HMC. The
/// BNN-BO study found ensembles relatively weak for optimization; they are cheap and give
/// heteroscedastic noise estimates.
struct DeepEnsemble {
  /// Members, architecture, epochs, learning rate, weight decay, variance heads.
  DeepEnsembleOptions options{};
};

/// Conformalized quantile regression (ConformalQuantileRegression; Salinas et al. 2023): one
/// gradient-boosted quantile model per level, conformalized on a held-out split. Robust to
/// heavy-tailed noise and outliers, with no Gaussian assumption. It predicts quantiles only
/// (no gradients, no joint posterior): the paper's searcher is acquisition::QuantileThompson{}
/// (set it: the default LogEI also runs, on the model's median and spread by derivative-free
/// search, but that is not CQR's acquisition); acquisition::Quantile{} optimizes one quantile.
/// Acquisitions that need gradients or a joint posterior are refused with a message.
struct CQR {
  /// Levels, calibration split, conformal level, boosting settings.
  CQROptions options{};
};

/// No model: random search. Every ask continues the study's scrambled Sobol sequence (a
/// quasi-random search, more even than independent uniform draws); the acquisition is not
/// used, and best() is the best observed value. The baseline of the ASHA searchers
/// ("random + ASHA").
struct RandomSearch {};
}  // namespace surrogates

/// A built-in surrogate or a user's own (cloned for each study).
using SurrogateChoice =
    std::variant<surrogates::GP, surrogates::CoKriging, surrogates::NARGP, surrogates::NNGP,
                 surrogates::HMC, surrogates::DeepEnsemble, surrogates::CQR,
                 surrogates::RandomSearch, std::shared_ptr<const Surrogate>>;
/// "gp(matern52)" or the user surrogate's name().
[[nodiscard]] std::string to_string(const SurrogateChoice& choice);

/// A built-in acquisition (LogEI, EI, UCB, PI, LogPI) or a user's own.
using AcquisitionChoice = acquisition::AcquisitionChoice;

/// What the objective's noise is.
enum class Noise {
  learned,  ///< noisy objective: the noise variance is learned (the default)
  none      ///< deterministic objective (a simulator): interpolate, recommend by observed value
};
[[nodiscard]] const char* to_string(Noise noise);
[[nodiscard]] Noise noise_from_string(const std::string& name);

/// How ask(q) and pending trials are handled: the value believed at a pending point.
enum class PendingStrategy {
  kriging_believer,    ///< the model's mean (Ginsbourger et al. 2010)
  constant_liar_min,   ///< the worst observed value (most exploratory)
  constant_liar_mean,  ///< the mean observed value
  constant_liar_max    ///< the best observed value
};
[[nodiscard]] const char* to_string(PendingStrategy strategy);
[[nodiscard]] PendingStrategy pending_strategy_from_string(const std::string& name);

/// How ask(q) chooses q points with a joint acquisition (qLogNEI, qEI, KG, ...).
enum class BatchSelection {
  joint,      ///< all q points in one optimization of dimension q d (BoTorch's default)
  sequential  ///< one point at a time, the chosen ones pending for the next (q searches in
              ///< d; BoTorch's sequential=True); the default
};
[[nodiscard]] const char* to_string(BatchSelection selection);
[[nodiscard]] BatchSelection batch_selection_from_string(const std::string& name);

/// What tell() does with a NaN or infinite objective value.
enum class NonFinitePolicy {
  refuse,        ///< throw InvalidArgument and leave the trial pending (the default)
  record_failed  ///< record the trial as failed with a message
};
[[nodiscard]] const char* to_string(NonFinitePolicy policy);

/// Settings of a study. Every field has a sound default.
struct Options {
  /// Seed of every random choice; the same seed and tells give the same asks.
  std::uint64_t seed = 0;
  /// Minimize or maximize the objective.
  Direction direction = Direction::minimize;
  /// Points of the initial Sobol design before the model is used; 0 means
  /// max(2 (d + 1), 5) for a space of d parameters.
  int n_initial = 0;
  /// Noise of the objective (learned, or none for deterministic simulators).
  Noise noise = Noise::learned;
  /// The surrogate model.
  SurrogateChoice surrogate = surrogates::GP{};
  /// The acquisition function (LogEI by default).
  AcquisitionChoice acquisition = acquisition::LogEI{};
  /// The inner optimizer of the acquisition.
  AcquisitionOptimizerOptions inner{};
  /// What pending trials (and the points of ask(q)) are believed to return.
  PendingStrategy pending = PendingStrategy::kriging_believer;
  /// How a joint acquisition picks the q points of ask(q); single-point acquisitions
  /// always go one point at a time with `pending`. Sequential by default: with qLogNEI
  /// and q = 4 it found better points than the joint search on noisy Branin and
  /// Hartmann-6 (median regret after 15 rounds 0.079 vs 0.215 and 0.174 vs 0.312, 20
  /// seeds, docs/benchmarks.md), at about twice the ask time.
  BatchSelection batch_selection = BatchSelection::sequential;
  /// Refit the surrogate's hyperparameters every `refit_every` completed trials;
  /// in between the model is updated incrementally with frozen hyperparameters. Under a
  /// scheduler it counts results (reports and tells), and the model is rebuilt on the
  /// current data with frozen hyperparameters in between (Surrogate::restore).
  int refit_every = 1;
  /// What tell() does with NaN/inf values.
  NonFinitePolicy non_finite = NonFinitePolicy::refuse;
  /// Where the Gaussian processes' large linear algebra runs (device.hpp): automatic
  /// (the GPU for large calls when one is usable), cpu, or cuda (an error when no GPU is
  /// usable), with the size thresholds of automatic. A surrogate's own
  /// GaussianProcessOptions::device takes precedence when it is not automatic.
  DeviceOptions device{};
  /// OpenMP threads for fitting and inner optimization (0: OpenMP's default).
  /// Results do not depend on it.
  int threads = 0;
  /// What an evaluation costs: an affine function of the fidelity (the default, 1 per
  /// evaluation without fidelities), a model learned from the costs passed to tell(),
  /// or the user's function. Cost-aware acquisitions (mfkg) divide by it, and
  /// Optimizer::cumulative_cost() sums it.
  acquisition::CostChoice cost = acquisition::AffineCost{};
  /// minimize() stops once the cumulative cost reaches this (0: no cost budget).
  double cost_budget = 0.0;
  /// Early stopping from learning curves (Optimizer::report / should_stop): none by
  /// default, or asynchronous successive halving (schedulers::ASHA). With ASHA the searcher
  /// learns from every trial that has reported, each contributing its value at the highest
  /// resource it reached (its last report, or its told value): Salinas et al.'s
  /// multi-fidelity aggregation, the same for every surrogate.
  SchedulerChoice scheduler = schedulers::None{};
  /// Print a progress line per evaluation to stderr in minimize().
  bool progress = false;

  /// Every problem with these options, empty when valid. Never throws.
  [[nodiscard]] std::vector<std::string> validate() const;
};

}  // namespace prospect
