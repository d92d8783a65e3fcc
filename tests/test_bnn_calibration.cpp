// Calibration of the network surrogates on a synthetic heteroscedastic regression
// (y = sin(6 x) + (0.05 + 0.3 x) eps on [0, 1], 200 training points, 2000 held-out points):
// the observation predictive (latent + noise variance) of the deep ensemble and of the HMC
// network must be calibrated to a stated bound, and the calibration metrics must tell a
// calibrated model from an over-confident one.
#include <doctest/doctest.h>

#include <cmath>

#include "prospect/metrics/calibration.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/bnn/deep_ensemble.hpp"
#include "prospect/surrogates/bnn/hmc_network.hpp"

using namespace prospect;

namespace {
Dataset heteroscedastic(Eigen::Index n, std::uint64_t seed) {
  Rng rng(seed);
  Dataset d;
  d.X.resize(n, 1);
  d.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double x = rng.uniform();
    d.X(i, 0) = x;
    d.y(i) = std::sin(6.0 * x) + (0.05 + 0.3 * x) * rng.normal();
  }
  return d;
}

// Probabilistic calibration error (PCE, 100 levels) of the observation predictive.
metrics::CalibrationReport report(const Surrogate& model, const Dataset& test) {
  return metrics::evaluate_calibration(model.predict(test.X), test.y, true);
}
}  // namespace

// Bounds: with 2000 test points the PCE of a perfectly calibrated predictive is ~0.01 (its
// sampling error). The stated bounds, PCE < 0.07 for the ensemble and < 0.06 for HMC, leave
// room for each model's own approximation (measured: 0.047 and 0.033 with these seeds; the
// ensemble's NLL-trained heads under-estimate the noise a little, its 90 % intervals cover
// 85 %), while an over-confident predictive (std halved) scores above 0.1 (checked below).
TEST_CASE("deep ensemble and HMC network are calibrated on heteroscedastic data") {
  const Dataset train = heteroscedastic(200, 1);
  const Dataset test = heteroscedastic(2000, 2);

  DeepEnsemble ensemble;
  ensemble.fit(train, 3);
  const auto e = report(ensemble, test);
  CAPTURE(e.summary());
  CHECK(e.pce < 0.07);
  CHECK(std::abs(e.coverage[1].empirical - 0.9) < 0.07);

  HMCNetworkOptions o;
  o.learn_noise = true;  // one noise level for the whole domain: heteroscedastic data
  HMCNetwork hmc(o);
  hmc.fit(train, 3);
  const auto h = report(hmc, test);
  CAPTURE(h.summary());
  CHECK(h.pce < 0.06);
  // The 90 % intervals cover 90 % of new observations within 4 binomial sd (0.027).
  CHECK(std::abs(h.coverage[1].empirical - 0.9) < 0.03);

  // The same ensemble made over-confident fails the bound: the metric can fail.
  Predictive sharp = ensemble.predict(test.X);
  sharp.variance /= 4.0;
  sharp.noise_variance /= 4.0;
  CHECK(metrics::evaluate_calibration(sharp, test.y, true).pce > 0.1);
}
