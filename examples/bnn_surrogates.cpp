// Neural-network surrogates for uncertainty quantification and optimization: fit a GP with
// the infinite-width network kernel, an HMC Bayesian neural network and a deep ensemble to
// noisy samples of a function with a kink, compare their calibration on held-out points,
// then minimize the same function with the HMC network and Thompson sampling.
#include <cmath>
#include <cstdio>

#include "prospect/prospect.hpp"

namespace {
// A kink at x = 0.6 and noise that grows with x: neither stationary nor homoscedastic.
double truth(double x) {
  return x < 0.6 ? std::sin(8.0 * x) : std::sin(4.8) - 3.0 * (x - 0.6);
}

prospect::Dataset sample(Eigen::Index n, prospect::Rng& rng) {
  prospect::Dataset data;
  data.X.resize(n, 1);
  data.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    data.X(i, 0) = rng.uniform();  // inputs already in the unit cube
    data.y(i) = truth(data.X(i, 0)) + (0.02 + 0.1 * data.X(i, 0)) * rng.normal();
  }
  return data;
}
}  // namespace

int main() {
  prospect::Rng rng(1);
  const prospect::Dataset train = sample(80, rng);
  const prospect::Dataset test = sample(1000, rng);

  prospect::GaussianProcess nngp(prospect::kernels::NeuralNetworkKernel{});
  prospect::HMCNetworkOptions hmc_options;  // 2 x 50 tanh, 2 chains, 120 kept networks
  // For uncertainty quantification, sample the noise too: the default keeps the BNN-BO
  // study's fixed noise (0.1 of the variance of y), a regularizer for optimization that
  // over-states the noise of this nearly noiseless function.
  hmc_options.learn_noise = true;
  prospect::HMCNetwork hmc(hmc_options);
  prospect::DeepEnsemble ensemble;  // 5 members with Gaussian likelihood heads
  const prospect::Surrogate* models[] = {&nngp, &hmc, &ensemble};
  nngp.fit(train, 0);
  hmc.fit(train, 0);
  ensemble.fit(train, 0);
  std::printf("%s\n%s\n", hmc.summary().one_line().c_str(), ensemble.summary().one_line().c_str());
  for (const auto* model : models) {
    // The observation predictive (latent + noise variance) scored on held-out points.
    const auto report = prospect::metrics::evaluate_calibration(model->predict(test.X), test.y);
    std::printf("%-28s %s\n", model->name().c_str(), report.summary().c_str());
  }

  // Optimization: minimize the function; every ask draws one network of the HMC posterior
  // and maximizes it (Thompson sampling), so ask(3) gives three different designs.
  prospect::Space space;
  space.add_real("x", 0.0, 1.0);
  prospect::Options options;
  options.n_initial = 5;
  options.surrogate = prospect::surrogates::HMC{};
  options.acquisition = prospect::acquisition::Thompson{};
  prospect::Optimizer opt(space, options);
  for (int round = 0; round < 5; ++round) {
    for (const auto& t : opt.ask(3)) opt.tell(t.id, truth(t.params.real("x")));
  }
  const prospect::Trial best = opt.best();
  std::printf("best after %zu evaluations: f(%.4f) = %.4f (the minimum is f(1) = %.4f)\n",
              opt.n_complete(), best.params.real("x"), best.value.value_or(NAN), truth(1.0));
  return 0;
}
