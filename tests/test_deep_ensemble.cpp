// Deep ensemble: the variance heads learn heteroscedastic noise and the mean fits; the
// members disagree away from the data; mixture moments and gradients against the
// members and finite differences; determinism; the fixed-noise (study) variant; bad input.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>

#include "network_checks.hpp"
#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/bnn/deep_ensemble.hpp"

using namespace prospect;

namespace {
double truth(double x) {
  return std::sin(6.0 * x);
}

// y = sin(6x) + (0.05 + 0.3 x) eps on x ~ U[lo, hi].
Dataset wave_data(Eigen::Index n, std::uint64_t seed, double lo = 0.0, double hi = 1.0,
                  double noise_slope = 0.3) {
  Rng rng(seed);
  Dataset data;
  data.X.resize(n, 1);
  data.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double x = lo + (hi - lo) * rng.uniform();
    data.X(i, 0) = x;
    data.y(i) = truth(x) + (0.05 + noise_slope * x) * rng.normal();
  }
  return data;
}

Matrix column(std::initializer_list<double> xs) {
  Matrix X(static_cast<Eigen::Index>(xs.size()), 1);
  Eigen::Index i = 0;
  for (double x : xs) X(i++, 0) = x;
  return X;
}
}  // namespace

TEST_CASE("deep ensemble: heteroscedastic noise is learned and the mean fits") {
  const Dataset data = wave_data(200, 1);
  DeepEnsemble model;
  model.fit(data, 7);
  REQUIRE(model.fitted());
  CHECK(model.function_count() == 5);
  CHECK(model.name() == "deep_ensemble");
  CAPTURE(model.summary().one_line());

  const Predictive p = model.predict(column({0.1, 0.9}));
  // True noise variances 0.08^2 = 0.0064 and 0.32^2 = 0.1024: a ratio of 16.
  CAPTURE(p.noise_variance(0));
  CAPTURE(p.noise_variance(1));
  CHECK(p.noise_variance(1) > 3.0 * p.noise_variance(0));
  CHECK(p.noise_variance(1) == doctest::Approx(0.1024).epsilon(0.6));

  Matrix grid(41, 1);
  for (Eigen::Index i = 0; i < grid.rows(); ++i) grid(i, 0) = 0.025 * static_cast<double>(i);
  const Predictive g = model.predict(grid);
  double sse = 0.0;
  for (Eigen::Index i = 0; i < grid.rows(); ++i) {
    sse += std::pow(g.mean(i) - truth(grid(i, 0)), 2);
  }
  const double rmse = std::sqrt(sse / static_cast<double>(grid.rows()));
  CAPTURE(rmse);
  CHECK(rmse < 0.15);
  CHECK((g.variance.array() >= 0.0).all());
}

TEST_CASE("deep ensemble: the members disagree more far from the data") {
  const Dataset data = wave_data(60, 2, 0.0, 0.5, 0.0);
  DeepEnsemble model({.hidden = {32, 32}});
  model.fit(data, 3);
  const Predictive p = model.predict(column({0.25, 0.95}));
  CAPTURE(p.variance(0));
  CAPTURE(p.variance(1));
  CHECK(p.variance(1) > 10.0 * p.variance(0));
}

TEST_CASE("deep ensemble: mixture moments, gradients, determinism and restore") {
  const Dataset data = wave_data(40, 4);
  DeepEnsembleOptions o;
  o.members = 4;
  o.hidden = {16, 16};
  o.epochs = 300;
  o.warmup = 50;
  o.subsample = 0.8;
  o.adversarial_epsilon = 0.01;
  DeepEnsemble model(o);
  model.fit(data, 42);
  CHECK(model.summary().points_per_member == 32);
  CHECK(model.summary().member_loss.size() == 4u);

  const Matrix Xq = column({0.1, 0.5, 0.93});
  REQUIRE(model.function_count() == 4);
  // The exact mixture variance: divisor M, not M - 1.
  test::check_mixture_predictive(model, Xq, false, 0.37);
  // noise_variance() is the average head variance over the training inputs.
  CHECK(model.noise_variance() ==
        doctest::Approx(model.predict(data.X).noise_variance.mean()).epsilon(1e-12));
  CHECK(model.noise_variance() > 0.0);
  test::check_seed_determinism(model, o, data, Xq);
}

TEST_CASE("deep ensemble without variance heads: constant noise in units of y") {
  Dataset data = wave_data(40, 5);
  data.y = 3.0 * data.y.array() + 10.0;  // scale matters for the noise in units of y
  DeepEnsembleOptions o;
  o.hidden = {16, 16};
  o.epochs = 400;
  o.variance_head = false;
  o.noise_variance = 0.05;
  DeepEnsemble model(o);
  model.fit(data, 1);
  REQUIRE(model.network()->architecture().outputs == 1);
  const double mean = data.y.mean();
  const double var = (data.y.array() - mean).square().sum() / (data.y.size() - 1.0);
  const Predictive p = model.predict(column({0.05, 0.5, 0.95}));
  for (int j = 0; j < 3; ++j) CHECK(p.noise_variance(j) == doctest::Approx(0.05 * var));
  CHECK(model.noise_variance() == doctest::Approx(0.05 * var));
  // The mean still follows the data.
  const Predictive t = model.predict(data.X);
  const double rmse = std::sqrt((t.mean - data.y).squaredNorm() / data.y.size());
  CHECK(rmse < 0.25 * std::sqrt(var));
}

TEST_CASE("deep ensemble: bad options and data throw, leaving the model unchanged") {
  DeepEnsembleOptions o;
  o.members = 1;
  o.subsample = 0.0;
  o.warmup = 2000;
  o.learning_rate = -1.0;
  const auto problems = o.validate();
  CHECK(problems.size() == 4u);
  CHECK_THROWS_WITH_AS(DeepEnsemble{o}, doctest::Contains("members"), InvalidArgument);
  CHECK_THROWS_WITH_AS(DeepEnsemble{o}, doctest::Contains("subsample"), InvalidArgument);
  CHECK_THROWS_WITH_AS(DeepEnsemble{o}, doctest::Contains("warmup"), InvalidArgument);
  CHECK_THROWS_WITH_AS(DeepEnsemble{o}, doctest::Contains("learning_rate"), InvalidArgument);
  CHECK_THROWS_WITH_AS(DeepEnsemble({.hidden = {8, 0}}), doctest::Contains("hidden[1]"),
                       InvalidArgument);
  CHECK_THROWS_WITH_AS(DeepEnsemble({.noise_variance = 0.0}), doctest::Contains("noise_variance"),
                       InvalidArgument);
  CHECK(DeepEnsembleOptions{}.validate().empty());

  DeepEnsemble model({.hidden = {4}, .epochs = 5, .warmup = 1});
  Dataset bad = wave_data(5, 1);
  bad.X(2, 0) = 1.5;
  CHECK_THROWS_WITH_AS(model.fit(bad, 0), doctest::Contains("data.X(2, 0)"), InvalidArgument);
  CHECK_FALSE(model.fitted());
  bad = wave_data(5, 1);
  bad.y(3) = std::nan("");
  CHECK_THROWS_WITH_AS(model.fit(bad, 0), doctest::Contains("data.y"), InvalidArgument);
  bad = wave_data(1, 1);
  CHECK_THROWS_AS(model.fit(bad, 0), InvalidArgument);
  CHECK_FALSE(model.fitted());
  CHECK_THROWS_AS((void)model.predict(Matrix::Zero(1, 1)), InvalidState);
  model.fit(wave_data(5, 1), 0);
  CHECK(model.fitted());
  CHECK_THROWS_WITH_AS((void)model.predict(Matrix::Zero(1, 2)), doctest::Contains("columns"),
                       InvalidArgument);
}
