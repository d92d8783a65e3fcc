// Tests of LinearCoKriging (AR1 co-kriging on GaussianProcess): recovery of the scale
// factor rho of a known two-level pair, better high-fidelity predictions than a GP on the
// high-fidelity points alone, three levels, names, clone and errors.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "prospect/errors.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/surrogates/gaussian_process.hpp"
#include "prospect/surrogates/multi_fidelity/cokriging.hpp"
#include "test_support.hpp"

namespace pk = prospect::kernels;
using pk::Matrix;
using pk::Vector;
using prospect::Dataset;
using prospect::GaussianProcess;
using prospect::GaussianProcessOptions;
using prospect::LinearCoKriging;
using prospect::NoiseModel;

namespace {

constexpr double kRho = 1.8;

/// A smooth low-fidelity function on [0,1]^2 and the high fidelity
/// f_high = kRho f_low + delta with a smooth, small delta.
double f_low(double x0, double x1) {
  return std::sin(2 * std::numbers::pi * x0) * std::cos(std::numbers::pi * x1) + x1;
}
double delta(double x0, double x1) {
  return 0.4 * (x0 - 0.5) * (x0 - 0.5) + 0.2 * x1;
}
double f_high(double x0, double x1) {
  return kRho * f_low(x0, x1) + delta(x0, x1);
}

/// Nested design: n_low random points at level 0, the first n_high of them at level 1.
/// Rows are [x0, x1, level / (L - 1)] with L = 2.
Dataset two_level_data(Eigen::Index n_low, Eigen::Index n_high, std::mt19937_64& rng) {
  const Matrix P = prospect::test::uniform(n_low, 2, rng);
  Dataset data;
  data.X.resize(n_low + n_high, 3);
  data.y.resize(n_low + n_high);
  for (Eigen::Index i = 0; i < n_low; ++i) {
    data.X.row(i) << P(i, 0), P(i, 1), 0.0;
    data.y(i) = f_low(P(i, 0), P(i, 1));
  }
  for (Eigen::Index i = 0; i < n_high; ++i) {
    data.X.row(n_low + i) << P(i, 0), P(i, 1), 1.0;
    data.y(n_low + i) = f_high(P(i, 0), P(i, 1));
  }
  return data;
}

GaussianProcessOptions exact_options() {
  GaussianProcessOptions o;
  o.noise = NoiseModel::none;
  o.restarts = 5;
  return o;
}

}  // namespace

TEST_CASE("co-kriging recovers rho and beats a GP on the high-fidelity points alone") {
  std::mt19937_64 rng(2024);
  const Eigen::Index n_low = 30, n_high = 12;
  const Dataset data = two_level_data(n_low, n_high, rng);

  LinearCoKriging ck(2, pk::Profile::squared_exponential, exact_options());
  ck.fit(data, 7);
  const Vector rho = ck.rho();
  REQUIRE(rho.size() == 1);
  INFO("fitted rho " << rho(0) << " (true " << kRho << "), " << ck.summary().brief_report());
  // rho is unit-free: the joint standardization of y does not change it.
  CHECK(std::abs(rho(0) - kRho) <= 0.10 * kRho);

  // A plain GP on the 12 high-fidelity points only (design columns).
  Dataset high;
  high.X = data.X.bottomRows(n_high).leftCols(2);
  high.y = data.y.tail(n_high);
  GaussianProcess gp(pk::SquaredExponential{}, exact_options());
  gp.fit(high, 7);

  const Eigen::Index n_test = 300;
  const Matrix T = prospect::test::uniform(n_test, 2, rng);
  Matrix T1(n_test, 3);
  T1 << T, Vector::Ones(n_test);
  Vector truth(n_test);
  for (Eigen::Index i = 0; i < n_test; ++i) truth(i) = f_high(T(i, 0), T(i, 1));
  const auto pc = ck.predict(T1);
  const auto pg = gp.predict(T);
  const double rmse_ck = std::sqrt((pc.mean - truth).squaredNorm() / n_test);
  const double rmse_gp = std::sqrt((pg.mean - truth).squaredNorm() / n_test);
  const double spread = std::sqrt((truth.array() - truth.mean()).square().mean());
  INFO("held-out RMSE: co-kriging " << rmse_ck << ", GP on high points " << rmse_gp
                                    << ", std of f_high " << spread);
  CHECK(rmse_ck < 0.5 * rmse_gp);
  CHECK(rmse_ck < 0.1 * spread);

  // Noise-free: the model interpolates the high-fidelity training points.
  const auto at_train = ck.predict(data.X.bottomRows(n_high));
  CHECK((at_train.mean - data.y.tail(n_high)).cwiseAbs().maxCoeff() < 1e-3 * spread);

  // The level column is discrete: no gradient there; the design gradient matches FD.
  Vector x(3);
  x << 0.3, 0.7, 1.0;
  const auto pp = ck.predict_with_gradient(x);
  CHECK(pp.mean_gradient(2) == 0.0);
  CHECK(pp.variance_gradient(2) == 0.0);
  // h = 1e-4: the near-interpolating mean (nugget 1e-9) carries rounding noise of ~1e-9
  // that a smaller step would amplify; the central difference's own error is O(h^2).
  const double h = 1e-4;
  for (Eigen::Index j = 0; j < 2; ++j) {
    Vector a = x, b = x;
    a(j) += h;
    b(j) -= h;
    const double fd =
        (ck.predict(a.transpose()).mean(0) - ck.predict(b.transpose()).mean(0)) / (2 * h);
    CHECK(pp.mean_gradient(j) == doctest::Approx(fd).epsilon(1e-5));
  }
}

TEST_CASE("rho is invariant to an affine change of the units of y") {
  // rho relates function values (f_high = rho f_low + delta): scaling y by a and
  // shifting it by b leaves rho unchanged (the shift goes into delta).
  std::mt19937_64 rng(99);
  Dataset data = two_level_data(30, 12, rng);
  LinearCoKriging a(2, pk::Profile::squared_exponential, exact_options());
  a.fit(data, 3);
  data.y = (250.0 * data.y.array() - 40.0).matrix();
  LinearCoKriging b(2, pk::Profile::squared_exponential, exact_options());
  b.fit(data, 3);
  INFO("rho " << a.rho()(0) << " vs " << b.rho()(0));
  CHECK(a.rho()(0) == doctest::Approx(b.rho()(0)).epsilon(0.02));
}

TEST_CASE("three levels: two scale factors, a fitted model") {
  // f_0 = g, f_1 = 0.5 f_0 + 0.1 x0, f_2 = 2 f_1 + 0.1 x1; nested 30 / 15 / 8.
  std::mt19937_64 rng(5);
  const Matrix P = prospect::test::uniform(30, 1, rng);
  auto g = [](double x) { return std::sin(6 * x) + 0.5 * x; };
  Dataset data;
  const Eigen::Index n[3] = {30, 15, 8};
  data.X.resize(53, 2);
  data.y.resize(53);
  Eigen::Index row = 0;
  for (int l = 0; l < 3; ++l) {
    for (Eigen::Index i = 0; i < n[l]; ++i, ++row) {
      const double x = P(i, 0);
      const double f0 = g(x), f1 = 0.5 * f0 + 0.1 * x, f2 = 2.0 * f1 + 0.1 * x * x;
      data.X.row(row) << x, 0.5 * l;
      data.y(row) = l == 0 ? f0 : (l == 1 ? f1 : f2);
    }
  }
  LinearCoKriging ck(3, pk::Profile::squared_exponential, exact_options());
  CHECK(ck.encode_level(1) == 0.5);
  ck.fit(data, 1);
  const Vector rho = ck.rho();
  REQUIRE(rho.size() == 2);
  INFO("rho " << rho.transpose());
  CHECK(std::abs(rho(0) - 0.5) <= 0.1 * 0.5);
  CHECK(std::abs(rho(1) - 2.0) <= 0.1 * 2.0);
  CHECK(ck.parameter_names()[static_cast<std::size_t>(3 * 2)] == "rho[0]");
}

TEST_CASE("names, clone, errors") {
  LinearCoKriging ck(2);
  CHECK(ck.name() == "cokriging_ar1");
  CHECK_THROWS_AS((void)ck.rho(), prospect::InvalidState);
  CHECK_THROWS_AS(LinearCoKriging(1), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)ck.encode_level(2), prospect::InvalidArgument);
  std::mt19937_64 rng(3);
  ck.fit(two_level_data(15, 6, rng), 0);
  const auto copy = ck.clone();
  const auto* typed = dynamic_cast<LinearCoKriging*>(copy.get());
  REQUIRE(typed != nullptr);
  CHECK(typed->name() == "cokriging_ar1");
  CHECK(typed->rho()(0) == ck.rho()(0));
  // A single input column has no design column: fit throws and leaves the model as it was.
  LinearCoKriging fresh(2);
  Dataset bad{Matrix::Constant(4, 1, 0.0), Vector::LinSpaced(4, 0, 1), Vector()};
  CHECK_THROWS_AS(fresh.fit(bad, 0), prospect::InvalidArgument);
  CHECK_FALSE(fresh.fitted());
}
