// Tests of the stationary kernels: closed forms, positive definiteness, hyperparameter
// and input gradients against central finite differences, thread-count independence.
#include <doctest/doctest.h>
#include <omp.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <random>
#include <vector>

#include "kernels/stationary_math.hpp"
#include "prospect/errors.hpp"
#include "prospect/kernels/stationary.hpp"
#include "test_support.hpp"

using prospect::kernels::Matrix;
using prospect::kernels::Profile;
using prospect::kernels::Stationary;
using prospect::kernels::StationaryOptions;
using prospect::kernels::Vector;

namespace {

using prospect::test::kProfiles;

using prospect::test::uniform;

/// Independent closed form of k(a, b), written from the formulas of ALGORITHMS.md §1.2.
double closed_form(Profile p, const Vector& a, const Vector& b, const Vector& l, double s) {
  double r2 = 0.0;
  for (Eigen::Index j = 0; j < a.size(); ++j) r2 += std::pow((a(j) - b(j)) / l(j), 2);
  const double r = std::sqrt(r2);
  switch (p) {
    case Profile::squared_exponential:
      return s * std::exp(-r2 / 2.0);
    case Profile::matern12:
      return s * std::exp(-r);
    case Profile::matern32:
      return s * (1.0 + std::sqrt(3.0) * r) * std::exp(-std::sqrt(3.0) * r);
    case Profile::matern52:
      return s * (1.0 + std::sqrt(5.0) * r + 5.0 * r2 / 3.0) * std::exp(-std::sqrt(5.0) * r);
  }
  return 0.0;
}

/// theta for the given options with lengthscales in a realistic range and s = 1.7.
Vector make_theta(const StationaryOptions& o, Eigen::Index d, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(std::log(0.15), std::log(1.2));
  const Eigen::Index p = (o.ard ? d : 1) + (o.outputscale ? 1 : 0);
  Vector theta(p);
  for (Eigen::Index k = 0; k < (o.ard ? d : 1); ++k) theta(k) = u(rng);
  if (o.outputscale) theta(p - 1) = std::log(1.7);
  return theta;
}

Vector lengthscales(const StationaryOptions& o, const Vector& theta, Eigen::Index d) {
  Vector l(d);
  for (Eigen::Index j = 0; j < d; ++j) l(j) = std::exp(theta(o.ard ? j : 0));
  return l;
}

std::vector<StationaryOptions> all_options() {
  std::vector<StationaryOptions> out;
  for (bool ard : {true, false})
    for (bool os : {false, true}) {
      StationaryOptions o;
      o.ard = ard;
      o.outputscale = os;
      out.push_back(o);
    }
  return out;
}

std::string label(Profile p, const StationaryOptions& o) {
  return std::string(prospect::kernels::to_string(p)) + (o.ard ? " ard" : " shared") +
         (o.outputscale ? " +outputscale" : "");
}

}  // namespace

TEST_CASE("kernel values match the closed forms") {
  std::mt19937_64 rng(1);
  const Eigen::Index d = 3;
  for (Profile p : kProfiles)
    for (const auto& o : all_options()) {
      CAPTURE(label(p, o));
      const Stationary k(p, o);
      const Matrix X1 = uniform(5, d, rng);
      const Matrix X2 = uniform(4, d, rng);
      const Vector theta = make_theta(o, d, rng);
      const Vector l = lengthscales(o, theta, d);
      const double s = o.outputscale ? 1.7 : 1.0;
      const Matrix K = k(X1, X2, theta);
      REQUIRE(K.rows() == 5);
      REQUIRE(K.cols() == 4);
      for (Eigen::Index i = 0; i < 5; ++i)
        for (Eigen::Index j = 0; j < 4; ++j) {
          const double expected =
              closed_form(p, X1.row(i).transpose(), X2.row(j).transpose(), l, s);
          CHECK(K(i, j) == doctest::Approx(expected).epsilon(1e-12));
        }
      Vector diag(5);
      k.diagonal(X1, theta, diag);
      CHECK((diag.array() == s).all());
    }
}

TEST_CASE("per-pair factors match the derivative of g") {
  // f = -g'(r) / r for r > 0: check against a finite difference of g in r.
  for (Profile p : kProfiles) {
    CAPTURE(prospect::kernels::to_string(p));
    for (double r : {0.05, 0.4, 1.3, 3.0}) {
      double g, f, gp, fp, gm, fm;
      const double h = 1e-6;
      prospect::kernels::detail::profile_value_and_factor(p, r * r, g, f);
      prospect::kernels::detail::profile_value_and_factor(p, (r + h) * (r + h), gp, fp);
      prospect::kernels::detail::profile_value_and_factor(p, (r - h) * (r - h), gm, fm);
      CHECK(f == doctest::Approx(-(gp - gm) / (2 * h) / r).epsilon(1e-7));
    }
    double g0, f0;
    prospect::kernels::detail::profile_value_and_factor(p, 0.0, g0, f0);
    CHECK(g0 == 1.0);
    CHECK(std::isfinite(f0));
  }
}

TEST_CASE("K(X, X) is symmetric, positive semi-definite, with k(x, x) = s") {
  std::mt19937_64 rng(2);
  const Eigen::Index d = 4;
  const Eigen::Index n = 40;
  for (Profile p : kProfiles)
    for (const auto& o : all_options()) {
      CAPTURE(label(p, o));
      const Stationary k(p, o);
      const Matrix X = uniform(n, d, rng);
      const Vector theta = make_theta(o, d, rng);
      const double s = o.outputscale ? 1.7 : 1.0;
      const Matrix K = k(X, X, theta);
      CHECK(K == K.transpose());
      CHECK((K.diagonal().array() == s).all());
      const Eigen::SelfAdjointEigenSolver<Matrix> eig(K, Eigen::EigenvaluesOnly);
      CHECK(eig.eigenvalues().minCoeff() > -1e-10);
      // The symmetric shortcut (same object) gives the same bits as two distinct inputs.
      const Matrix Xcopy = X;
      CHECK(k(X, Xcopy, theta) == K);
    }
}

TEST_CASE("contract_hyperparameter_gradient matches finite differences of sum(W .* K)") {
  std::mt19937_64 rng(3);
  const Eigen::Index d = 3;
  for (Eigen::Index n : {15, 230}) {  // 230 takes the blocked, parallel path
    for (Profile p : kProfiles)
      for (const auto& o : all_options()) {
        CAPTURE(n);
        CAPTURE(label(p, o));
        const Stationary k(p, o);
        const Matrix X = uniform(n, d, rng);
        Matrix W = uniform(n, n, rng).array() - 0.5;
        W = (W + W.transpose()).eval();
        const Vector theta = make_theta(o, d, rng);
        // grad is accumulated into, so start from a known offset.
        Vector grad = Vector::Constant(theta.size(), 0.25);
        k.contract_hyperparameter_gradient(X, theta, W, grad);
        grad.array() -= 0.25;
        const double h = 1e-5;
        for (Eigen::Index m = 0; m < theta.size(); ++m) {
          Vector tp = theta, tm = theta;
          tp(m) += h;
          tm(m) -= h;
          const double fd =
              ((W.array() * k(X, X, tp).array()).sum() - (W.array() * k(X, X, tm).array()).sum()) /
              (2 * h);
          CAPTURE(m);
          CHECK(std::abs(grad(m) - fd) <= 1e-6 * std::max(std::abs(fd), 1.0));
        }
      }
  }
}

TEST_CASE("input_gradient matches finite differences, and is zero at a training point") {
  std::mt19937_64 rng(4);
  const Eigen::Index d = 3;
  const Eigen::Index n = 6;
  for (Profile p : kProfiles)
    for (const auto& o : all_options()) {
      CAPTURE(label(p, o));
      const Stationary k(p, o);
      const Matrix X = uniform(n, d, rng);
      const Vector theta = make_theta(o, d, rng);
      const Vector x = uniform(d, 1, rng);
      Matrix J(n, d);
      k.input_gradient(x, X, theta, J);
      const double h = 1e-6;
      for (Eigen::Index j = 0; j < d; ++j) {
        Vector xp = x, xm = x;
        xp(j) += h;
        xm(j) -= h;
        const Vector fd =
            (k(xp.transpose(), X, theta) - k(xm.transpose(), X, theta)).transpose() / (2 * h);
        for (Eigen::Index i = 0; i < n; ++i)
          CHECK(std::abs(J(i, j) - fd(i)) <= 1e-6 * std::max(std::abs(fd(i)), 1.0));
      }
      // x equal to training point 2: the gradient of k(x, x_2) is exactly 0 (the maximum
      // for SE, Matern 3/2 and 5/2; the subgradient 0 for Matern 1/2).
      const Vector x2 = X.row(2).transpose();
      k.input_gradient(x2, X, theta, J);
      CHECK(J.allFinite());
      CHECK((J.row(2).array() == 0.0).all());
      if (p != Profile::matern12) {
        for (Eigen::Index j = 0; j < d; ++j) {
          Vector xp = x2, xm = x2;
          xp(j) += h;
          xm(j) -= h;
          const Vector fd =
              (k(xp.transpose(), X, theta) - k(xm.transpose(), X, theta)).transpose() / (2 * h);
          for (Eigen::Index i = 0; i < n; ++i)
            CHECK(std::abs(J(i, j) - fd(i)) <= 1e-6 * std::max(std::abs(fd(i)), 1.0));
        }
      }
      Vector g = Vector::Constant(d, 3.0);
      k.diagonal_gradient(x, theta, g);
      CHECK(g.isZero(0.0));
    }
}

TEST_CASE("results are bitwise identical with 1 and 2 OpenMP threads") {
  std::mt19937_64 rng(5);
  const Eigen::Index n = 300;
  const Eigen::Index d = 5;
  const Matrix X = uniform(n, d, rng);
  const Matrix X2 = uniform(250, d, rng);
  Matrix W = uniform(n, n, rng).array() - 0.5;
  W = (W + W.transpose()).eval();
  const int saved = omp_get_max_threads();
  for (Profile p : kProfiles) {
    CAPTURE(prospect::kernels::to_string(p));
    StationaryOptions o;
    o.outputscale = true;
    const Stationary k(p, o);
    const Vector theta = make_theta(o, d, rng);
    Matrix K[2], Kc[2];
    Vector g[2];
    for (int t = 0; t < 2; ++t) {
      omp_set_num_threads(t + 1);
      K[t] = k(X, X, theta);
      Kc[t] = k(X, X2, theta);
      g[t] = Vector::Zero(theta.size());
      k.contract_hyperparameter_gradient(X, theta, W, g[t]);
    }
    CHECK(K[0] == K[1]);
    CHECK(Kc[0] == Kc[1]);
    CHECK(g[0] == g[1]);
  }
  omp_set_num_threads(saved);
}

TEST_CASE("bad sizes throw InvalidArgument") {
  const Stationary k(Profile::matern52);
  const Matrix X = Matrix::Constant(4, 3, 0.5);
  const Vector theta = k.default_theta(3);
  Matrix K(4, 4);
  CHECK_THROWS_AS(k.matrix(X, Matrix::Zero(4, 2), theta, K), prospect::InvalidArgument);
  CHECK_THROWS_AS(k.matrix(X, X, Vector::Zero(2), K), prospect::InvalidArgument);
  Matrix Kbad(4, 3);
  CHECK_THROWS_AS(k.matrix(X, X, theta, Kbad), prospect::InvalidArgument);
  Vector diag(3);
  CHECK_THROWS_AS(k.diagonal(X, theta, diag), prospect::InvalidArgument);
  Vector grad(3);
  CHECK_THROWS_AS(k.contract_hyperparameter_gradient(X, theta, Matrix::Zero(3, 3), grad),
                  prospect::InvalidArgument);
  Vector grad_bad(2);
  CHECK_THROWS_AS(k.contract_hyperparameter_gradient(X, theta, Matrix::Zero(4, 4), grad_bad),
                  prospect::InvalidArgument);
  Matrix J(4, 3);
  CHECK_THROWS_AS(k.input_gradient(Vector::Zero(2), X, theta, J), prospect::InvalidArgument);
  Matrix Jbad(3, 3);
  CHECK_THROWS_AS(k.input_gradient(Vector::Zero(3), X, theta, Jbad), prospect::InvalidArgument);
  Vector nan_theta = theta;
  nan_theta(0) = std::nan("");
  CHECK_THROWS_AS(k.matrix(X, X, nan_theta, K), prospect::InvalidArgument);
  StationaryOptions bad;
  bad.min_lengthscale = 0.0;
  CHECK_THROWS_AS(Stationary(Profile::matern52, bad), prospect::InvalidArgument);
}

TEST_CASE("hyperparameter specs, names and profile strings") {
  for (Profile p : kProfiles) {
    CHECK(prospect::kernels::profile_from_string(prospect::kernels::to_string(p)) == p);
    const Stationary k(p);
    CHECK(k.name() == prospect::kernels::to_string(p));
    CHECK(k.clone()->name() == k.name());
  }
  CHECK_THROWS_AS((void)prospect::kernels::profile_from_string("matern72"),
                  prospect::InvalidArgument);

  StationaryOptions o;
  o.outputscale = true;
  const Stationary k(Profile::matern52, o);
  const auto specs = k.hyperparameters(4);
  REQUIRE(specs.size() == 5);
  CHECK(specs[0].name == "lengthscale[0]");
  CHECK(specs[3].name == "lengthscale[3]");
  CHECK(specs[4].name == "outputscale");
  CHECK(specs[0].kind == prospect::kernels::HyperparameterKind::lengthscale);
  CHECK(specs[4].kind == prospect::kernels::HyperparameterKind::outputscale);
  CHECK(specs[0].log_lower == doctest::Approx(std::log(0.025)));
  CHECK(specs[0].log_upper == doctest::Approx(std::log(1e3)));
  // Mode of LogNormal(sqrt2 + log(d)/2, sqrt3), computed independently.
  CHECK(specs[0].log_default ==
        doctest::Approx(std::sqrt(2.0) + 0.5 * std::log(4.0) - 3.0).epsilon(1e-4));
  CHECK(specs[4].log_default == 0.0);
  CHECK(specs[4].log_lower == doctest::Approx(std::log(1e-2)));

  StationaryOptions shared;
  shared.ard = false;
  const auto s2 = Stationary(Profile::squared_exponential, shared).hyperparameters(7);
  REQUIRE(s2.size() == 1);
  CHECK(s2[0].name == "lengthscale");

  // The default clips into the bounds.
  StationaryOptions tight;
  tight.max_lengthscale = 0.1;
  const auto s3 = Stationary(Profile::matern32, tight).hyperparameters(2);
  CHECK(s3[0].log_default == doctest::Approx(std::log(0.1)));
  CHECK_THROWS_AS((void)k.hyperparameters(0), prospect::InvalidArgument);
}
