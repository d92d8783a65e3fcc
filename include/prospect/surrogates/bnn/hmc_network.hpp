// prospect/surrogates/bnn/hmc_network.hpp — a Bayesian neural network sampled by full-batch
// Hamiltonian Monte Carlo (ALGORITHMS.md §5.3), the inference the BNN-BO study (Li, Rudner,
// Wilson, ICLR 2024) found best for fully stochastic BNNs.
//
// Target: log pi(theta) = sum_i log N(y_i | f_theta(x_i), sigma_n^2) + log N(theta | 0,
// sigma_p^2 I), y standardized, x in the unit cube. Each chain starts from PyTorch's
// initialization, optionally moved to the MAP by Adam (pretraining: only the starting
// point changes), then runs leapfrog HMC with an identity mass matrix; the step size is
// tuned during burn-in by dual averaging (Hoffman & Gelman 2014) towards an acceptance
// rate of target_accept, the number of leapfrog steps is min(max_leapfrog,
// ceil(path_length / step)) and the path length is halved while that exceeds
// max_leapfrog. Chains run in parallel (OpenMP); every kept sample is a member of the
// NetworkMixture predictive.
//
// Defaults, and how they differ from the study (which ran 1 chain of 500 burn-in + 500
// kept samples of a 3 x 128 tanh network, noise variance 0.1 fixed, prior variance 10 for
// Branin, 1 for Hartmann, 0.1 for Ackley, initial step 0.02, path length 0.01): a 2 x 50
// tanh network and 2 chains of 300 burn-in + 300 kept iterations thinned to every 5th (120
// networks), prior variance 10, with Adam pretraining on, so that a fit at 100
// observations stays under 5 s on 2 cores (bench/bench_bnn measures it); set hidden =
// {128, 128, 128}, chains = 1, burn_in = 500, samples = 500 and pretrain_steps = 0 for
// the study's settings.
//
// Cost of fit(): chains x (pretrain_steps + (burn_in + samples) x leapfrog steps) network
// gradients, each O(n P) for n observations and P parameters; memory O(S P) for the S
// kept networks. Deterministic for a seed whatever the number of threads.
#pragma once

#include <string>
#include <vector>

#include "prospect/surrogates/bnn/network_mixture.hpp"

namespace prospect {

/// Settings of the HMC network. Every field has a sound default (see the header).
struct HMCNetworkOptions {
  /// Hidden layer widths, each >= 1.
  std::vector<Eigen::Index> hidden{50, 50};
  /// Nonlinearity of the hidden layers (tanh: smooth input gradients for acquisitions).
  bnn::Activation activation = bnn::Activation::tanh;
  /// Independent chains, >= 1, run in parallel.
  int chains = 2;
  /// Burn-in iterations per chain (step-size adaptation), >= 1.
  int burn_in = 300;
  /// Iterations per chain after burn-in, >= 1; every `thin`-th is kept.
  int samples = 300;
  /// Keep every thin-th post-burn-in iteration, >= 1.
  int thin = 5;
  /// Leapfrog step size at the start of burn-in, > 0 (units of the parameters).
  double initial_step = 0.02;
  /// Integration time of one trajectory, > 0.
  double path_length = 0.01;
  /// Upper bound on the leapfrog steps of one trajectory, >= 1.
  int max_leapfrog = 200;
  /// Each trajectory's step is the adapted one times a uniform factor in
  /// [1 - step_jitter, 1 + step_jitter], in [0, 1): with a fixed step and path length
  /// HMC can resonate with the posterior's scales and stop exploring some directions
  /// (Neal 2011, §5.4.2.2). 0 reproduces the study's sampler.
  double step_jitter = 0.2;
  /// Acceptance rate the dual averaging aims at, in (0, 1).
  double target_accept = 0.8;
  /// Variance sigma_p^2 of the Gaussian prior on every weight and bias, > 0. 10 is the
  /// study's value for Branin (it used 1 for Hartmann-6, 0.1 for Ackley); with the short
  /// trajectories below, a wide prior is what keeps the kept networks diverse enough to
  /// explore (bench_bnn, 3 seeds: Gramacy-Lee regret 0.0017 against 0.24 with 1).
  double prior_variance = 10.0;
  /// Observation-noise variance of standardized y, > 0 (the starting value when learned).
  double noise_variance = 0.1;
  /// Sample log sigma_n^2 with the network (prior N(log noise_variance, 1)) instead of
  /// keeping it fixed.
  bool learn_noise = false;
  /// Adam steps towards the MAP before sampling, >= 0 (0: start from the initialization).
  int pretrain_steps = 500;
  /// Adam's step size for pretraining, > 0.
  double pretrain_learning_rate = 1e-2;

  /// Every problem, one message each naming the field (empty when valid). Does not throw.
  [[nodiscard]] std::vector<std::string> validate() const;
};

/// What the last fit did.
struct HMCSummary {
  double acceptance_rate = 0.0;   ///< mean acceptance probability after burn-in, all chains
  double step_size = 0.0;         ///< mean adapted step size over chains
  int leapfrog_steps = 0;         ///< leapfrog steps per trajectory after burn-in (max over chains)
  long gradient_evaluations = 0;  ///< network gradients, all chains (pretraining included)
  double noise_variance = 0.0;    ///< mean sampled noise variance (standardized y)
  double seconds = 0.0;           ///< wall time of fit()
  /// "HMC: 120 networks, acceptance 0.81, step 1.2e-3 x 9, 3.1 s".
  [[nodiscard]] std::string one_line() const;
};

/// A BNN whose posterior is a set of HMC samples.
class HMCNetwork final : public NetworkMixture {
 public:
  /// Throws InvalidArgument listing every problem of the options.
  explicit HMCNetwork(HMCNetworkOptions options = {});

  [[nodiscard]] std::unique_ptr<Surrogate> clone() const override;
  /// "hmc_bnn".
  [[nodiscard]] std::string name() const override { return "hmc_bnn"; }
  /// Standardizes y, runs the chains and keeps their samples; deterministic for a seed.
  /// Throws InvalidArgument for fewer than 2 observations, mismatched sizes, non-finite
  /// values or inputs outside the unit cube (model unchanged); NumericalError when every
  /// trajectory of a chain diverged.
  void fit(const Dataset& data, std::uint64_t seed) override;

  [[nodiscard]] const HMCNetworkOptions& options() const { return options_; }
  [[nodiscard]] const HMCSummary& summary() const { return summary_; }

 private:
  HMCNetworkOptions options_;
  HMCSummary summary_;
};

}  // namespace prospect
