// Tests of the NARGP kernel and the NonlinearAR1 surrogate: kernel values and
// derivatives against independent formulas and finite differences, prediction
// gradients against finite differences, accuracy and calibration on Perdikaris'
// nonlinear pair, exact resume, bad input.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "prospect/errors.hpp"
#include "prospect/kernels/nargp.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/gaussian_process.hpp"
#include "prospect/surrogates/multi_fidelity/nonlinear_ar1.hpp"

using prospect::Dataset;
using prospect::GaussianProcess;
using prospect::GaussianProcessOptions;
using prospect::Matrix;
using prospect::NonlinearAR1;
using prospect::NonlinearAR1Options;
using prospect::Rng;
using prospect::Vector;
namespace pk = prospect::kernels;

namespace {

constexpr double kPi = std::numbers::pi;

double f_low(double x) {
  return std::sin(8.0 * kPi * x);
}
double f_high(double x) {
  const double s = f_low(x);
  return (x - std::numbers::sqrt2) * s * s;
}

/// Perdikaris' pair: `n_low` evenly spaced low-fidelity points, `n_high` of them (evenly
/// chosen, so nested) at the high level. Level column last (0 low, 1 high).
Dataset perdikaris_data(int n_low, int n_high) {
  Dataset data;
  data.X.resize(n_low + n_high, 2);
  data.y.resize(n_low + n_high);
  for (int i = 0; i < n_low; ++i) {
    const double x = static_cast<double>(i) / (n_low - 1);
    data.X.row(i) << x, 0.0;
    data.y(i) = f_low(x);
  }
  for (int k = 0; k < n_high; ++k) {
    const int i =
        static_cast<int>(std::lround(static_cast<double>(k) * (n_low - 1) / (n_high - 1)));
    const double x = static_cast<double>(i) / (n_low - 1);
    data.X.row(n_low + k) << x, 1.0;
    data.y(n_low + k) = f_high(x);
  }
  return data;
}

/// Three nested levels on [0,1]^2: f0 = sin(3 x0) + x1, f1 = f0^2 + x0, f2 = f1 cos(f1) + x1.
Dataset three_level_data() {
  Rng rng(11);
  const int n0 = 30, n1 = 15, n2 = 8;
  Dataset data;
  data.X.resize(n0 + n1 + n2, 3);
  data.y.resize(n0 + n1 + n2);
  Matrix P(n0, 2);
  for (int i = 0; i < n0; ++i) P.row(i) << rng.uniform(), rng.uniform();
  auto f0 = [](double a, double b) { return std::sin(3.0 * a) + b; };
  auto f1 = [&](double a, double b) { return f0(a, b) * f0(a, b) + a; };
  auto f2 = [&](double a, double b) { return f1(a, b) * std::cos(f1(a, b)) + b; };
  int r = 0;
  for (int i = 0; i < n0; ++i, ++r) {
    data.X.row(r) << P(i, 0), P(i, 1), 0.0;
    data.y(r) = f0(P(i, 0), P(i, 1));
  }
  for (int i = 0; i < n1; ++i, ++r) {
    data.X.row(r) << P(i, 0), P(i, 1), 0.5;
    data.y(r) = f1(P(i, 0), P(i, 1));
  }
  for (int i = 0; i < n2; ++i, ++r) {
    data.X.row(r) << P(i, 0), P(i, 1), 1.0;
    data.y(r) = f2(P(i, 0), P(i, 1));
  }
  return data;
}

double rmse(const Vector& a, const Vector& b) {
  return std::sqrt((a - b).squaredNorm() / static_cast<double>(a.size()));
}

/// Independent value of the NARGP kernel at one pair.
double nargp_reference(const Vector& z1, const Vector& z2, const Vector& theta) {
  const Eigen::Index d = z1.size() - 1;
  double r_rho = 0.0, r_delta = 0.0;
  for (Eigen::Index j = 0; j < d; ++j) {
    r_rho += std::pow((z1(j) - z2(j)) / std::exp(theta(j)), 2);
    r_delta += std::pow((z1(j) - z2(j)) / std::exp(theta(d + 2 + j)), 2);
  }
  const double r_f = std::pow((z1(d) - z2(d)) / std::exp(theta(d + 1)), 2);
  return std::exp(theta(d)) * std::exp(-0.5 * r_rho) * std::exp(-0.5 * r_f) +
         std::exp(theta(2 * d + 2)) * std::exp(-0.5 * r_delta);
}

}  // namespace

TEST_CASE("NargpKernel: values, diagonal, hyperparameter and input gradients") {
  const pk::NargpKernel k;
  const Eigen::Index d = 2, D = 3, n = 6;
  Rng rng(3);
  Matrix Z(n, D);
  for (Eigen::Index i = 0; i < n; ++i) Z.row(i) << rng.uniform(), rng.uniform(), 3.0 * rng.normal();
  const auto specs = k.hyperparameters(D);
  REQUIRE(specs.size() == static_cast<std::size_t>(2 * d + 3));
  CHECK(specs[static_cast<std::size_t>(d)].kind == pk::HyperparameterKind::outputscale);
  CHECK(specs[static_cast<std::size_t>(d + 1)].kind == pk::HyperparameterKind::lengthscale);
  Vector theta(2 * d + 3);
  theta << std::log(0.3), std::log(0.7), std::log(1.5), std::log(0.9), std::log(0.4), std::log(0.2),
      std::log(0.3);

  const Matrix K = k(Z, Z, theta);
  for (Eigen::Index a = 0; a < n; ++a)
    for (Eigen::Index b = 0; b < n; ++b)
      CHECK(K(a, b) == doctest::Approx(nargp_reference(Z.row(a), Z.row(b), theta)).epsilon(1e-13));
  Vector diag(n);
  k.diagonal(Z, theta, diag);
  for (Eigen::Index a = 0; a < n; ++a) CHECK(diag(a) == doctest::Approx(K(a, a)).epsilon(1e-14));

  // Contraction with a symmetric W against central differences of sum W .* K.
  Matrix W(n, n);
  for (Eigen::Index a = 0; a < n; ++a)
    for (Eigen::Index b = 0; b <= a; ++b) W(a, b) = W(b, a) = rng.normal();
  Vector grad = Vector::Zero(theta.size());
  k.contract_hyperparameter_gradient(Z, theta, W, grad);
  const double h = 1e-6;
  for (Eigen::Index p = 0; p < theta.size(); ++p) {
    Vector tp = theta, tm = theta;
    tp(p) += h;
    tm(p) -= h;
    const double fd =
        (W.cwiseProduct(k(Z, Z, tp)).sum() - W.cwiseProduct(k(Z, Z, tm)).sum()) / (2.0 * h);
    CHECK(grad(p) == doctest::Approx(fd).epsilon(1e-7).scale(1.0));
  }

  // Input gradient in x and u.
  const Vector z = Z.row(0).transpose() + Vector::Constant(D, 0.05);
  Matrix J(n, D);
  k.input_gradient(z, Z, theta, J);
  for (Eigen::Index j = 0; j < D; ++j) {
    Vector zp = z, zm = z;
    zp(j) += h;
    zm(j) -= h;
    const Matrix fd = (k(zp.transpose(), Z, theta) - k(zm.transpose(), Z, theta)) / (2.0 * h);
    for (Eigen::Index i = 0; i < n; ++i)
      CHECK(J(i, j) == doctest::Approx(fd(0, i)).epsilon(1e-7).scale(1.0));
  }
  Vector g(D);
  k.diagonal_gradient(z, theta, g);
  CHECK(g.norm() == 0.0);

  CHECK_THROWS_AS((void)k.hyperparameters(1), prospect::InvalidArgument);
  CHECK_THROWS_AS(k.diagonal(Z, theta.head(4), diag), prospect::InvalidArgument);
}

TEST_CASE("GaussianProcess with the NARGP kernel: objective gradient; inputs off the unit cube") {
  // The previous-level column is not bounded: require_unit_cube = false accepts it.
  Rng rng(5);
  Dataset data;
  data.X.resize(12, 2);
  data.y.resize(12);
  for (Eigen::Index i = 0; i < 12; ++i) {
    data.X.row(i) << rng.uniform(), 4.0 * rng.normal();
    data.y(i) = std::sin(5.0 * data.X(i, 0)) * data.X(i, 1);
  }
  GaussianProcessOptions strict;
  GaussianProcess rejecting(pk::NargpKernel(), strict);
  CHECK_THROWS_AS(rejecting.fit(data, 0), prospect::InvalidArgument);
  GaussianProcessOptions o;
  o.require_unit_cube = false;
  GaussianProcess gp(pk::NargpKernel(), o);
  gp.fit(data, 1);
  const Vector p = gp.parameters();
  Vector grad;
  gp.objective(p, &grad);
  const double h = 1e-6;
  for (Eigen::Index k = 0; k < p.size(); ++k) {
    Vector a = p, b = p;
    a(k) += h;
    b(k) -= h;
    const double fd = (gp.objective(a, nullptr) - gp.objective(b, nullptr)) / (2.0 * h);
    CHECK(grad(k) == doctest::Approx(fd).epsilon(1e-5).scale(1e-3));
  }
}

TEST_CASE("NonlinearAR1: Perdikaris' nonlinear pair beats a single GP, calibrated") {
  const Dataset data = perdikaris_data(50, 14);
  NonlinearAR1 model;
  model.fit(data, 7);
  REQUIRE(model.fitted());
  CHECK(model.dimension() == 2);
  CHECK(model.paths(1) == 100);
  CHECK(model.capabilities().input_gradients);
  CHECK_FALSE(model.capabilities().joint_posterior);
  CHECK_FALSE(model.capabilities().conditioning);

  // A single GP on the 14 high-fidelity points.
  Dataset high;
  high.X = data.X.bottomRows(14).leftCols(1);
  high.y = data.y.tail(14);
  GaussianProcessOptions go;
  go.restarts = 5;
  GaussianProcess single(pk::SquaredExponential(), go);
  single.fit(high, 7);

  const int m = 201;
  Matrix Xt(m, 2);
  Vector truth(m);
  for (int i = 0; i < m; ++i) {
    const double x = (i + 0.25) / m;  // off the training grid
    Xt.row(i) << x, 1.0;
    truth(i) = f_high(x);
  }
  const prospect::Predictive nargp = model.predict(Xt);
  const prospect::Predictive gp = single.predict(Xt.leftCols(1));
  const double e_nargp = rmse(nargp.mean, truth);
  const double e_gp = rmse(gp.mean, truth);
  MESSAGE("held-out RMSE at the high level: NARGP " << e_nargp << ", single GP " << e_gp
                                                    << " (linear AR1: not on this branch)");
  CHECK(e_nargp < 0.25 * e_gp);
  CHECK(e_nargp < 0.05);

  CHECK(nargp.variance.minCoeff() > 0.0);
  int covered = 0;
  for (int i = 0; i < m; ++i) {
    const double half = 1.6448536269514722 * std::sqrt(nargp.variance(i));
    if (std::abs(nargp.mean(i) - truth(i)) <= half) ++covered;
  }
  const double coverage = static_cast<double>(covered) / m;
  MESSAGE("90% interval coverage on held-out points: " << coverage);
  CHECK(coverage >= 0.7);
  CHECK(coverage <= 1.0);

  // Level 0 is the low-fidelity GP: accurate on f_low.
  Matrix Xl = Xt;
  Xl.col(1).setZero();
  Vector truth_low(m);
  for (int i = 0; i < m; ++i) truth_low(i) = f_low(Xt(i, 0));
  CHECK(rmse(model.predict(Xl).mean, truth_low) < 0.02);

  // Rows asking for different levels in one call give what they give alone.
  Matrix mixed(2, 2);
  mixed << Xt(10, 0), 0.0, Xt(10, 0), 1.0;
  const prospect::Predictive both = model.predict(mixed);
  CHECK(both.mean(0) == doctest::Approx(model.predict(Xl.row(10)).mean(0)).epsilon(1e-12));
  CHECK(both.mean(1) == doctest::Approx(nargp.mean(10)).epsilon(1e-12));
  CHECK(both.noise_variance(1) == doctest::Approx(model.noise_variance()).epsilon(1e-14));
}

TEST_CASE("NonlinearAR1: predict_with_gradient against predict and finite differences") {
  auto check_point = [](const NonlinearAR1& model, const Vector& x) {
    const prospect::PointPrediction p = model.predict_with_gradient(x);
    const prospect::Predictive q = model.predict(x.transpose());
    CHECK(p.mean == doctest::Approx(q.mean(0)).epsilon(1e-10));
    CHECK(p.variance == doctest::Approx(q.variance(0)).epsilon(1e-9));
    REQUIRE(p.mean_gradient.size() == x.size());
    CHECK(p.mean_gradient(x.size() - 1) == 0.0);
    CHECK(p.variance_gradient(x.size() - 1) == 0.0);
    const double h = 1e-6;
    for (Eigen::Index j = 0; j + 1 < x.size(); ++j) {
      Vector a = x, b = x;
      a(j) += h;
      b(j) -= h;
      const auto pa = model.predict_with_gradient(a);
      const auto pb = model.predict_with_gradient(b);
      const double fd_mean = (pa.mean - pb.mean) / (2.0 * h);
      const double fd_var = (pa.variance - pb.variance) / (2.0 * h);
      const double mean_scale = std::max(1.0, std::abs(fd_mean));
      INFO("x = " << x.transpose() << ", j = " << j << ": mean gradient " << p.mean_gradient(j)
                  << " (fd " << fd_mean << "), variance " << p.variance << " gradient "
                  << p.variance_gradient(j) << " (fd " << fd_var << ")");
      CHECK(std::abs(p.mean_gradient(j) - fd_mean) / mean_scale < 1e-5);
      // Absolute floor: the rounding of k(x,x) - v^T v (~1e-16 of the prior variance)
      // divided by 2h.
      CHECK(std::abs(p.variance_gradient(j) - fd_var) < 1e-4 * std::abs(fd_var) + 1e-8);
    }
  };

  SUBCASE("two levels, one design dimension") {
    NonlinearAR1 model;
    model.fit(perdikaris_data(50, 14), 3);
    for (const double x : {0.13, 0.4711, 0.86}) {
      check_point(model, Vector{{x, 1.0}});
      check_point(model, Vector{{x, 0.0}});
    }
  }
  SUBCASE("three levels, two design dimensions, capped paths") {
    NonlinearAR1Options o;
    o.levels = 3;
    o.samples = 20;
    o.max_paths = 100;  // level 2: 20 parents x 5 children
    o.restarts = 2;
    NonlinearAR1 model(o);
    CHECK(model.paths(0) == 1);
    CHECK(model.paths(1) == 20);
    CHECK(model.paths(2) == 100);
    model.fit(three_level_data(), 5);
    CHECK(model.dimension() == 3);
    for (const double s : {0.0, 0.5, 1.0}) check_point(model, Vector{{0.3, 0.62, s}});
    check_point(model, Vector{{0.81, 0.17, 1.0}});
  }
}

TEST_CASE("NonlinearAR1: determinism, state and exact restore") {
  const Dataset data = perdikaris_data(30, 8);
  NonlinearAR1Options o;
  o.restarts = 2;
  NonlinearAR1 a(o), b(o);
  a.fit(data, 9);
  b.fit(data, 9);
  const Vector s = a.state();
  CHECK(s == b.state());
  // Level 0: 1 lengthscale + mean; level 1: 5 kernel + noise + mean; then 100 normals.
  CHECK(s.size() == 2 + 7 + 100);
  CHECK(s.tail(100) == a.normals());

  Matrix Xt(5, 2);
  for (int i = 0; i < 5; ++i) Xt.row(i) << 0.1 + 0.19 * i, (i % 2 ? 1.0 : 0.0);
  const prospect::Predictive pa = a.predict(Xt);

  NonlinearAR1 c(o);
  c.restore(data, s);
  const prospect::Predictive pc = c.predict(Xt);
  CHECK(pc.mean == pa.mean);
  CHECK(pc.variance == pa.variance);
  CHECK(c.state() == s);

  // set_state on a fitted model: the same rebuild.
  NonlinearAR1 e(o);
  e.fit(data, 123);
  e.set_state(s);
  CHECK(e.predict(Xt).mean == pa.mean);

  // A clone predicts the same.
  const auto cl = a.clone();
  CHECK(cl->predict(Xt).mean == pa.mean);

  CHECK_THROWS_AS(c.restore(data, s.head(s.size() - 1)), prospect::InvalidArgument);
  CHECK(c.predict(Xt).mean == pa.mean);  // unchanged on throw
}

TEST_CASE("NonlinearAR1: bad input") {
  NonlinearAR1Options bad;
  bad.levels = 1;
  CHECK_THROWS_AS(NonlinearAR1{bad}, prospect::InvalidOptions);
  bad = {};
  bad.top_noise = prospect::NoiseModel::fixed;
  CHECK_THROWS_AS(NonlinearAR1{bad}, prospect::InvalidOptions);
  bad = {};
  bad.samples = 0;
  CHECK_FALSE(bad.validate().empty());

  NonlinearAR1 model;
  CHECK_THROWS_AS((void)model.predict(Matrix::Zero(1, 2)), prospect::InvalidState);
  CHECK_THROWS_AS((void)model.noise_variance(), prospect::InvalidState);

  const Dataset good = perdikaris_data(20, 6);
  Dataset off = good;
  off.X(3, 1) = 0.3;  // not a level of L = 2
  try {
    model.fit(off, 0);
    FAIL("expected InvalidArgument");
  } catch (const prospect::InvalidArgument& e) {
    const std::string what = e.what();
    CHECK(what.find("data.X(3, 1)") != std::string::npos);
    CHECK(what.find("0.3") != std::string::npos);
  }
  CHECK_FALSE(model.fitted());

  Dataset only_low = good;
  only_low.X = good.X.topRows(20);
  only_low.y = good.y.head(20);
  CHECK_THROWS_AS(model.fit(only_low, 0), prospect::InvalidArgument);
  // can_fit says so beforehand (the optimizer continues its design instead of failing).
  CHECK(model.can_fit(good));
  CHECK_FALSE(model.can_fit(only_low));
  Dataset one_high = only_low;
  one_high.X.conservativeResize(21, Eigen::NoChange);
  one_high.X.row(20) = good.X.row(good.X.rows() - 1);
  one_high.y.conservativeResize(21);
  one_high.y(20) = good.y(good.y.size() - 1);
  CHECK(model.can_fit(one_high));
  one_high.X(20, 1) = 0.7;  // an off-grid row counts for no level
  CHECK_FALSE(model.can_fit(one_high));
  Dataset outside = good;
  outside.X(0, 0) = 1.5;
  CHECK_THROWS_AS(model.fit(outside, 0), prospect::InvalidArgument);
  Dataset one_column = good;
  one_column.X = good.X.rightCols(1);
  CHECK_THROWS_AS(model.fit(one_column, 0), prospect::InvalidArgument);
  Dataset known_noise = good;
  known_noise.noise_variance = Vector::Constant(good.y.size(), 0.1);
  CHECK_THROWS_AS(model.fit(known_noise, 0), prospect::InvalidArgument);

  model.fit(good, 0);
  const Vector before = model.state();
  CHECK_THROWS_AS(model.fit(off, 0), prospect::InvalidArgument);
  CHECK(model.state() == before);
  CHECK_THROWS_AS((void)model.predict(Matrix{{0.5, 0.5}}), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)model.predict(Matrix{{0.5, 1.0, 0.0}}), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)model.predict_with_gradient(Vector{{0.5, 1.0 + 1e-6}}),
                  prospect::InvalidArgument);
  CHECK_NOTHROW((void)model.predict_with_gradient(Vector{{0.5, 1.0 + 1e-12}}));
  CHECK_THROWS_AS((void)model.level_model(2), prospect::OutOfRange);
}
