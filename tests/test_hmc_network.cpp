// HMC network: on Bayesian linear regression (no hidden layer: the network is w^T x + b)
// the kept samples reproduce the exact Gaussian posterior; the mixture predictive, its
// gradients and the function samples; determinism; bad input.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>

#include "network_checks.hpp"
#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/bnn/hmc_network.hpp"

using namespace prospect;

namespace {
Dataset linear_data(Eigen::Index n, std::uint64_t seed) {
  Rng rng(seed);
  Dataset data;
  data.X.resize(n, 2);
  data.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    data.X(i, 0) = rng.uniform();
    data.X(i, 1) = rng.uniform();
    data.y(i) = 3.0 * data.X(i, 0) - 2.0 * data.X(i, 1) + 0.5 * rng.normal();
  }
  return data;
}

Dataset wave_data(Eigen::Index n, std::uint64_t seed) {
  Rng rng(seed);
  Dataset data;
  data.X.resize(n, 1);
  data.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    data.X(i, 0) = rng.uniform();
    data.y(i) = std::sin(6.0 * data.X(i, 0)) + 0.05 * rng.normal();
  }
  return data;
}
}  // namespace

TEST_CASE("HMC on Bayesian linear regression recovers the exact posterior") {
  const Dataset data = linear_data(30, 11);
  HMCNetworkOptions o;
  o.hidden = {};
  o.chains = 4;
  o.burn_in = 400;
  o.samples = 3000;
  o.thin = 1;
  o.path_length = 1.0;  // a linear posterior is easy: long trajectories mix fast
  o.prior_variance = 2.0;
  o.noise_variance = 0.2;
  HMCNetwork model(o);
  model.fit(data, 5);
  REQUIRE(model.members().size() == 4u * 3000u);
  CHECK(model.summary().acceptance_rate > 0.5);

  // Exact posterior in the standardized space the network works in: theta = [w1, w2, b].
  const double mean_y = data.y.mean();
  const double sd_y = std::sqrt((data.y.array() - mean_y).square().sum() / (data.y.size() - 1.0));
  const Vector ys = (data.y.array() - mean_y) / sd_y;
  Matrix Phi(data.X.rows(), 3);
  Phi << data.X, Vector::Ones(data.X.rows());
  const Matrix precision =
      Phi.transpose() * Phi / o.noise_variance + Matrix::Identity(3, 3) / o.prior_variance;
  const Matrix cov = precision.inverse();
  const Vector mean = cov * Phi.transpose() * ys / o.noise_variance;

  Matrix S(static_cast<Eigen::Index>(model.members().size()), 3);
  for (std::size_t s = 0; s < model.members().size(); ++s) {
    S.row(static_cast<Eigen::Index>(s)) = model.members()[s].transpose();
  }
  const Vector hmc_mean = S.colwise().mean().transpose();
  const Matrix centred = S.rowwise() - hmc_mean.transpose();
  const Matrix hmc_cov = centred.transpose() * centred / (S.rows() - 1.0);
  // Monte Carlo error: 12000 correlated draws; with an effective size of >= 500 the
  // standard error of a mean is <= 0.045 posterior sd and of a variance <= 6.5 %.
  for (int k = 0; k < 3; ++k) {
    const double sd = std::sqrt(cov(k, k));
    CAPTURE(k);
    CHECK(std::abs(hmc_mean(k) - mean(k)) < 0.15 * sd);
    CHECK(hmc_cov(k, k) == doctest::Approx(cov(k, k)).epsilon(0.2));
  }
  // The off-diagonal structure (w and b strongly anti-correlated) is reproduced.
  for (int a = 0; a < 3; ++a) {
    for (int b = a + 1; b < 3; ++b) {
      const double rho = cov(a, b) / std::sqrt(cov(a, a) * cov(b, b));
      const double rho_hmc = hmc_cov(a, b) / std::sqrt(hmc_cov(a, a) * hmc_cov(b, b));
      CAPTURE(rho);
      CAPTURE(rho_hmc);
      CAPTURE(model.summary().one_line());
      CHECK(std::abs(rho_hmc - rho) < 0.1);
    }
  }
}

TEST_CASE("HMC network: predictive, gradients, function samples and determinism") {
  const Dataset data = wave_data(25, 3);
  HMCNetworkOptions o;
  o.hidden = {16, 16};
  o.burn_in = 150;
  o.samples = 150;
  HMCNetwork model(o);
  model.fit(data, 42);
  REQUIRE(model.fitted());
  CHECK(model.function_count() == 2 * 30);
  const auto caps = model.capabilities();
  CHECK(caps.function_samples);
  CHECK_FALSE(caps.conditioning);

  // The posterior mean follows the data where there is data.
  const Predictive p = model.predict(data.X);
  const double rmse = std::sqrt((p.mean - data.y).squaredNorm() / data.y.size());
  CHECK(rmse < 0.25);
  CHECK((p.variance.array() >= 0.0).all());
  CHECK(p.noise_variance(0) > 0.0);

  // Mixture moments and gradients agree with the function samples.
  Matrix Xq(3, 1);
  Xq << 0.1, 0.5, 0.93;
  test::check_mixture_predictive(model, Xq, true, 0.37);
  const double h = 1e-6;

  // joint_posterior_gradient against finite differences of a scalar of (mean, cov).
  Vector mean_bar(3);
  mean_bar << 0.3, -1.0, 0.5;
  Matrix cov_bar(3, 3);
  cov_bar << 1.0, 0.2, -0.4, 0.1, 2.0, 0.3, -0.2, 0.5, 0.7;
  auto scalar = [&](const Matrix& X) {
    const JointPosterior j = model.joint_posterior(X);
    return mean_bar.dot(j.mean) + (cov_bar.array() * j.covariance.array()).sum();
  };
  const Matrix G = model.joint_posterior_gradient(Xq, mean_bar, cov_bar);
  for (int j = 0; j < 3; ++j) {
    Matrix Xp = Xq, Xm = Xq;
    Xp(j, 0) += h;
    Xm(j, 0) -= h;
    CAPTURE(j);
    CHECK(G(j, 0) ==
          doctest::Approx((scalar(Xp) - scalar(Xm)) / (2 * h)).epsilon(1e-5).scale(1e-4));
  }

  test::check_seed_determinism(model, o, data, Xq);
}

TEST_CASE("HMC network: bad options and data throw, leaving the model unchanged") {
  HMCNetworkOptions o;
  o.chains = 0;
  o.target_accept = 1.5;
  CHECK_THROWS_WITH_AS(HMCNetwork{o}, doctest::Contains("chains"), InvalidArgument);
  CHECK_THROWS_WITH_AS(HMCNetwork{o}, doctest::Contains("target_accept"), InvalidArgument);
  HMCNetwork model({.hidden = {4}, .burn_in = 5, .samples = 5});
  Dataset bad = wave_data(5, 1);
  bad.X(2, 0) = 1.5;
  CHECK_THROWS_WITH_AS(model.fit(bad, 0), doctest::Contains("data.X(2, 0)"), InvalidArgument);
  CHECK_FALSE(model.fitted());
  CHECK_THROWS_AS((void)model.predict(Matrix::Zero(1, 1)), InvalidState);
  model.fit(wave_data(5, 1), 0);
  CHECK_THROWS_WITH_AS((void)model.predict(Matrix::Zero(1, 2)), doctest::Contains("columns"),
                       InvalidArgument);
}
