// Tests of the multi-fidelity kernels (linear truncated, downsampling, exponential decay,
// their product, AR1 co-kriging): closed forms written independently from ALGORITHMS.md
// §3.2-3.3, hyperparameter contraction, input and diagonal gradients against central
// finite differences, positive semi-definiteness, thread-count independence, the GP
// objective gradient with each kernel, the prior hints and FidelityGP.
#include <doctest/doctest.h>
#include <omp.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "prospect/errors.hpp"
#include "prospect/kernels/autoregressive.hpp"
#include "prospect/kernels/fidelity.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/surrogates/gaussian_process.hpp"
#include "prospect/surrogates/multi_fidelity/fidelity_gp.hpp"
#include "surrogates/gp/priors.hpp"
#include "test_support.hpp"

namespace pk = prospect::kernels;
using pk::Matrix;
using pk::Vector;
using prospect::Dataset;
using prospect::FidelityGP;
using prospect::FidelityKernelChoice;
using prospect::GaussianProcess;
using prospect::GaussianProcessOptions;

namespace {

/// A kernel under test, its input dimension, and how many trailing columns are discrete
/// AR levels (0 or the number of levels).
struct Case {
  std::string label;
  std::shared_ptr<pk::Kernel> kernel;
  Eigen::Index d;
  Eigen::Index levels = 0;  // > 0: the last column is an AR level in 0..levels-1
};

std::vector<Case> cases() {
  using pk::FidelityKind;
  using pk::Profile;
  return {
      {"lt1_m52", std::make_shared<pk::LinearTruncatedFidelity>(1), 3},
      {"lt2_m52", std::make_shared<pk::LinearTruncatedFidelity>(2), 4},
      {"lt1_m32", std::make_shared<pk::LinearTruncatedFidelity>(1, Profile::matern32), 2},
      {"lt2_se", std::make_shared<pk::LinearTruncatedFidelity>(2, Profile::squared_exponential), 3},
      {"downsampling", std::make_shared<pk::DownsamplingFidelity>(), 2},
      {"exp_decay", std::make_shared<pk::ExponentialDecayFidelity>(), 2},
      {"product_ds",
       std::make_shared<pk::FidelityProduct>(std::vector<FidelityKind>{FidelityKind::downsampling}),
       3},
      {"product_ed_ds_m32",
       std::make_shared<pk::FidelityProduct>(
           std::vector<FidelityKind>{FidelityKind::exponential_decay, FidelityKind::downsampling},
           Profile::matern32),
       4},
      {"product_no_scale",
       std::make_shared<pk::FidelityProduct>(
           std::vector<FidelityKind>{FidelityKind::exponential_decay}, Profile::matern52, false),
       2},
      {"ar1_2", std::make_shared<pk::Autoregressive>(2), 3, 2},
      {"ar1_3_m52", std::make_shared<pk::Autoregressive>(3, Profile::matern52), 3, 3},
  };
}

/// theta around the defaults: positive hyperparameters at log default + U(-0.7, 0.7)
/// (clipped into the bounds), linear ones U(-1.5, 2).
Vector random_theta(const pk::Kernel& k, Eigen::Index d, std::mt19937_64& rng) {
  const auto specs = k.hyperparameters(d);
  std::uniform_real_distribution<double> u(-0.7, 0.7);
  std::uniform_real_distribution<double> lin(-1.5, 2.0);
  Vector theta(static_cast<Eigen::Index>(specs.size()));
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto& s = specs[i];
    const double v = s.linear ? lin(rng) : s.log_default + u(rng);
    theta(static_cast<Eigen::Index>(i)) = std::clamp(v, s.log_lower, s.log_upper);
  }
  return theta;
}

/// n random points: design U(0, 1); fidelity columns U(0.05, 0.95) (away from the clamp
/// kinks at 0 and 1) or AR levels l / (L - 1).
Matrix random_points(const Case& c, Eigen::Index n, std::mt19937_64& rng) {
  Matrix X = prospect::test::uniform(n, c.d, rng);
  if (c.levels > 0) {
    std::uniform_int_distribution<int> lv(0, static_cast<int>(c.levels) - 1);
    for (Eigen::Index i = 0; i < n; ++i)
      X(i, c.d - 1) = static_cast<double>(lv(rng)) / static_cast<double>(c.levels - 1);
  } else {
    // Every non-design column: the last m where m = d - (design columns) is unknown here,
    // so squeeze all columns (harmless for design columns).
    X = (0.05 + 0.9 * X.array()).matrix();
  }
  return X;
}

Matrix random_symmetric(Eigen::Index n, std::mt19937_64& rng) {
  std::normal_distribution<double> z(0.0, 1.0);
  Matrix W(n, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i <= j; ++i) W(i, j) = W(j, i) = z(rng);
  return W;
}

double contract(const Matrix& W, const Matrix& dK) {
  return (W.array() * dK.array()).sum();
}

}  // namespace

TEST_CASE("diagonal agrees with the matrix diagonal; symmetric matrix") {
  std::mt19937_64 rng(1);
  for (const auto& c : cases()) {
    INFO(c.label);
    const Vector theta = random_theta(*c.kernel, c.d, rng);
    const Matrix X = random_points(c, 12, rng);
    const Matrix K = (*c.kernel)(X, X, theta);
    const Matrix X2 = X;  // a copy: the general (non-symmetric) path
    const Matrix K2 = (*c.kernel)(X, X2, theta);
    CHECK((K - K2).cwiseAbs().maxCoeff() <= 1e-14 * K.cwiseAbs().maxCoeff());
    CHECK((K - K.transpose()).cwiseAbs().maxCoeff() == 0.0);
    Vector diag(X.rows());
    c.kernel->diagonal(X, theta, diag);
    CHECK((diag - K.diagonal()).cwiseAbs().maxCoeff() <= 1e-14 * diag.cwiseAbs().maxCoeff());
  }
}

TEST_CASE("hyperparameter contraction matches central finite differences") {
  std::mt19937_64 rng(2);
  for (const auto& c : cases()) {
    INFO(c.label);
    for (int trial = 0; trial < 3; ++trial) {
      const Vector theta = random_theta(*c.kernel, c.d, rng);
      const Matrix X = random_points(c, 15, rng);
      const Matrix W = random_symmetric(15, rng);
      Vector grad = Vector::Constant(theta.size(), 0.25);  // contraction ADDS to grad
      c.kernel->contract_hyperparameter_gradient(X, theta, W, grad);
      grad.array() -= 0.25;
      const double h = 1e-6;
      for (Eigen::Index k = 0; k < theta.size(); ++k) {
        Vector a = theta, b = theta;
        a(k) += h;
        b(k) -= h;
        const double fd =
            (contract(W, (*c.kernel)(X, X, a)) - contract(W, (*c.kernel)(X, X, b))) / (2 * h);
        const double scale =
            (W.cwiseAbs().array() * (*c.kernel)(X, X, theta).cwiseAbs().array()).sum();
        INFO("theta " << k << " analytic " << grad(k) << " fd " << fd);
        CHECK(std::abs(grad(k) - fd) <= 1e-6 * (std::abs(fd) + 1e-3 * scale));
      }
    }
  }
}

TEST_CASE("input and diagonal gradients match central finite differences") {
  std::mt19937_64 rng(3);
  for (const auto& c : cases()) {
    INFO(c.label);
    for (int trial = 0; trial < 3; ++trial) {
      const Vector theta = random_theta(*c.kernel, c.d, rng);
      const Matrix X = random_points(c, 10, rng);
      const Vector x = random_points(c, 1, rng).row(0).transpose();
      Matrix J(X.rows(), c.d);
      c.kernel->input_gradient(x, X, theta, J);
      Vector g(c.d);
      c.kernel->diagonal_gradient(x, theta, g);
      const double h = 1e-6;
      for (Eigen::Index j = 0; j < c.d; ++j) {
        if (c.levels > 0 && j == c.d - 1) {
          // The level column is discrete: no gradient.
          CHECK(J.col(j).cwiseAbs().maxCoeff() == 0.0);
          CHECK(g(j) == 0.0);
          continue;
        }
        Vector a = x, b = x;
        a(j) += h;
        b(j) -= h;
        const Vector fd = ((*c.kernel)(a.transpose(), X, theta).transpose() -
                           (*c.kernel)(b.transpose(), X, theta).transpose()) /
                          (2 * h);
        INFO("column " << j << "\nanalytic " << J.col(j).transpose() << "\nfd       "
                       << fd.transpose());
        CHECK((J.col(j) - fd).cwiseAbs().maxCoeff() <= 1e-6 * (fd.cwiseAbs().maxCoeff() + 1e-3));
        Vector da(1), db(1);
        c.kernel->diagonal(a.transpose(), theta, da);
        c.kernel->diagonal(b.transpose(), theta, db);
        const double fdd = (da(0) - db(0)) / (2 * h);
        INFO("diagonal gradient analytic " << g(j) << " fd " << fdd);
        CHECK(std::abs(g(j) - fdd) <= 1e-6 * (std::abs(fdd) + 1e-3));
      }
    }
  }
}

TEST_CASE("fidelity kernels have a non-zero diagonal gradient in the fidelity columns") {
  std::mt19937_64 rng(4);
  const pk::LinearTruncatedFidelity lt(1);
  const Vector theta = lt.default_theta(3);
  Vector x(3);
  x << 0.3, 0.6, 0.4;
  Vector g(3);
  lt.diagonal_gradient(x, theta, g);
  CHECK(g(0) == 0.0);
  CHECK(g(1) == 0.0);
  CHECK(std::abs(g(2)) > 1e-3);
}

TEST_CASE("kernel matrices are positive semi-definite") {
  std::mt19937_64 rng(5);
  for (const auto& c : cases()) {
    INFO(c.label);
    const auto specs = c.kernel->hyperparameters(c.d);
    for (int trial = 0; trial < 3; ++trial) {
      Vector theta = random_theta(*c.kernel, c.d, rng);
      // The linear truncated kernel is PSD only for an integer power (next test case).
      for (std::size_t k = 0; k < specs.size(); ++k)
        if (specs[k].name == "power") theta(static_cast<Eigen::Index>(k)) = std::log(1.0 + trial);
      Matrix X = random_points(c, 40, rng);
      if (c.levels == 0) {
        // Include the clamp boundaries: target and lowest fidelities.
        X.row(0).tail(1).setConstant(1.0);
        X.row(1).tail(1).setConstant(0.0);
      }
      const Matrix K = (*c.kernel)(X, X, theta);
      Eigen::SelfAdjointEigenSolver<Matrix> eig(K, Eigen::EigenvaluesOnly);
      INFO("smallest eigenvalue " << eig.eigenvalues()(0) << ", theta " << theta.transpose());
      CHECK(eig.eigenvalues()(0) >= -1e-10 * std::max(1.0, K.diagonal().maxCoeff()));
    }
  }
}

TEST_CASE("linear truncated: indefinite for a non-integer power, as BoTorch's kernel") {
  // (1 + s s')^p = sum_k C(p, k) (s s')^k has negative coefficients for non-integer p,
  // so B(s, s') = (1 - s)(1 - s')(1 + s s')^p, and with it BoTorch's kernel, can have
  // negative eigenvalues. Documented behaviour: the GP's noise and jitter absorb it in
  // practice (each failed Cholesky ends one start). Check it so that a change is noticed.
  std::mt19937_64 rng(55);
  const pk::LinearTruncatedFidelity lt(1);
  Vector theta = lt.default_theta(2);  // 1 design column
  Matrix X = prospect::test::uniform(40, 2, rng);
  X.col(0).setConstant(0.5);  // k0 = k1 = 1: K = s (1 + B)
  for (double p : {0.5, 1.0, 2.0}) {
    theta(2) = std::log(p);
    const Matrix K = lt(X, X, theta);
    // Remove the constant s k0 part: the spectrum of s B alone.
    const double s = std::exp(theta(3));
    Eigen::SelfAdjointEigenSolver<Matrix> eb(K - Matrix::Constant(40, 40, s),
                                             Eigen::EigenvaluesOnly);
    INFO("p = " << p << ": smallest eigenvalue of s B " << eb.eigenvalues()(0));
    if (p == 0.5) {
      CHECK(eb.eigenvalues()(0) < -1e-6 * eb.eigenvalues()(39));
    } else {
      CHECK(eb.eigenvalues()(0) >= -1e-12 * eb.eigenvalues()(39));
    }
  }
}

TEST_CASE("linear truncated: closed form, and k0 alone at the target fidelity") {
  std::mt19937_64 rng(6);
  for (Eigen::Index m : {1, 2}) {
    const Eigen::Index dx = 2, d = dx + m;
    const pk::LinearTruncatedFidelity lt(m);
    const Vector theta = random_theta(lt, d, rng);
    Case c{"lt", nullptr, d};
    Matrix X = random_points(c, 8, rng);
    const double p = std::exp(theta(2 * dx)), s = std::exp(theta(2 * dx + 1));
    // Independent k0, k1: Stationary Matern 5/2 on the design columns.
    const pk::Matern52 mat;
    const Matrix K0 = mat(X.leftCols(dx), X.leftCols(dx), theta.head(dx));
    const Matrix K1 = mat(X.leftCols(dx), X.leftCols(dx), theta.segment(dx, dx));
    const Matrix K = lt(X, X, theta);
    for (Eigen::Index i = 0; i < 8; ++i) {
      for (Eigen::Index j = 0; j < 8; ++j) {
        const double a1 = X(i, dx), b1 = X(j, dx);
        double B = (1 - a1) * (1 - b1) * std::pow(1 + a1 * b1, p);
        if (m == 2) {
          const double a2 = X(i, dx + 1), b2 = X(j, dx + 1);
          B += (1 - a2) * (1 - b2) * std::pow(1 + a2 * b2, p) +
               (1 - a1) * (1 - b1) * (1 - a2) * (1 - b2) * std::pow(1 + a1 * b1 + a2 * b2, p);
        }
        CHECK(K(i, j) == doctest::Approx(s * (K0(i, j) + B * K1(i, j))).epsilon(1e-13));
      }
    }
    // At s = s' = 1 the bias vanishes: k = s k0, a Matern 5/2 with an output scale.
    X.rightCols(m).setConstant(1.0);
    const pk::Matern52 scaled(pk::StationaryOptions{.outputscale = true});
    Vector t0(dx + 1);
    t0 << theta.head(dx), theta(2 * dx + 1);
    const Matrix Kt = lt(X, X, theta);
    const Matrix Ks = scaled(X.leftCols(dx), X.leftCols(dx), t0);
    CHECK((Kt - Ks).cwiseAbs().maxCoeff() <= 1e-14 * Ks.cwiseAbs().maxCoeff());
    // Slightly outside [0, 1] (the GP's input tolerance) is clamped.
    X.rightCols(m).setConstant(1.0 + 1e-10);
    CHECK((lt(X, X, theta) - Ks).cwiseAbs().maxCoeff() <= 1e-14 * Ks.cwiseAbs().maxCoeff());
  }
}

TEST_CASE("downsampling, exponential decay and the product: closed forms") {
  const pk::DownsamplingFidelity ds;
  const pk::ExponentialDecayFidelity ed;
  const Vector tds = Eigen::Vector2d(std::log(0.4), std::log(0.7));
  const Vector ted = Eigen::Vector3d(std::log(0.2), std::log(1.5), std::log(0.3));
  Matrix X(3, 2);
  X << 0.2, 0.0, 0.9, 0.35, 0.5, 1.0;
  const Matrix Kds = ds(X, X, tds), Ked = ed(X, X, ted);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      const double s = X(i, 1), t = X(j, 1);
      CHECK(Kds(i, j) == doctest::Approx(0.4 + std::pow((1 - s) * (1 - t), 1.7)).epsilon(1e-14));
      CHECK(Ked(i, j) ==
            doctest::Approx(0.2 + std::pow(0.3, 1.5) / std::pow(s + t + 0.3, 1.5)).epsilon(1e-13));
    }
  }
  // The log(0) guard: the delta derivative at s = 1 is 0, and finite everywhere.
  Matrix W = Matrix::Ones(3, 3);
  Vector g = Vector::Zero(2);
  ds.contract_hyperparameter_gradient(X, tds, W, g);
  CHECK(std::isfinite(g(0)));
  CHECK(std::isfinite(g(1)));

  // Product: s * SE(x) * k_ed(t) * k_ds(s).
  const pk::FidelityProduct prod(std::vector<pk::FidelityKind>{pk::FidelityKind::exponential_decay,
                                                               pk::FidelityKind::downsampling});
  Matrix Y(4, 3);
  Y << 0.1, 0.3, 0.8, 0.7, 0.9, 0.2, 0.4, 0.0, 1.0, 0.5, 0.5, 0.5;
  Vector theta(1 + 3 + 2 + 1);
  // [design lengthscale, exponential decay (as ted), downsampling (as tds), outputscale]
  theta << std::log(0.3), std::log(0.2), std::log(1.5), std::log(0.3), std::log(0.4), std::log(0.7),
      std::log(2.5);
  const Matrix Kp = prod(Y, Y, theta);
  const pk::SquaredExponential se;
  const Matrix Kse = se(Y.leftCols(1), Y.leftCols(1), theta.head(1));
  const Matrix Ke = ed(Y.col(1), Y.col(1), ted), Kd = ds(Y.col(2), Y.col(2), tds);
  const Matrix want = 2.5 * Kse.array() * Ke.array() * Kd.array();
  CHECK((Kp - want).cwiseAbs().maxCoeff() <= 1e-14 * want.cwiseAbs().maxCoeff());
}

TEST_CASE("AR1 kernel: block structure of the covariance") {
  std::mt19937_64 rng(7);
  const pk::Autoregressive ar(3);
  const Eigen::Index d = 3;  // 2 design columns + level
  const Vector theta = random_theta(ar, d, rng);
  const double r0 = theta(ar.rho_offset(d)), r1 = theta(ar.rho_offset(d) + 1);
  const pk::SquaredExponential se(pk::StationaryOptions{.outputscale = true});
  Matrix X = prospect::test::uniform(3, d, rng);
  X(0, 2) = ar.encode(0);
  X(1, 2) = ar.encode(1);
  X(2, 2) = ar.encode(2);
  const Matrix K = ar(X, X, theta);
  auto kq = [&](Eigen::Index q, Eigen::Index i, Eigen::Index j) {
    return se(X.row(i).head(2), X.row(j).head(2), theta.segment(q * d, 3))(0, 0);
  };
  CHECK(K(0, 0) == doctest::Approx(kq(0, 0, 0)).epsilon(1e-14));
  CHECK(K(0, 1) == doctest::Approx(r0 * kq(0, 0, 1)).epsilon(1e-14));
  CHECK(K(0, 2) == doctest::Approx(r0 * r1 * kq(0, 0, 2)).epsilon(1e-14));
  CHECK(K(1, 1) == doctest::Approx(r0 * r0 * kq(0, 1, 1) + kq(1, 1, 1)).epsilon(1e-14));
  CHECK(K(1, 2) == doctest::Approx(r0 * r0 * r1 * kq(0, 1, 2) + r1 * kq(1, 1, 2)).epsilon(1e-14));
  CHECK(K(2, 2) ==
        doctest::Approx(r0 * r0 * r1 * r1 * kq(0, 2, 2) + r1 * r1 * kq(1, 2, 2) + kq(2, 2, 2))
            .epsilon(1e-14));
  CHECK(ar.level_of(0.49) == 1);
  CHECK(ar.level_of(1.0 + 1e-10) == 2);
  CHECK(ar.level_of(-1e-10) == 0);
  // rho are linear hyperparameters with the documented bounds and default.
  const auto specs = ar.hyperparameters(d);
  CHECK(specs.size() == static_cast<std::size_t>(3 * d + 2));
  CHECK(specs[static_cast<std::size_t>(ar.rho_offset(d))].linear);
  CHECK(specs[static_cast<std::size_t>(ar.rho_offset(d))].log_lower == -10.0);
  CHECK(specs[static_cast<std::size_t>(ar.rho_offset(d))].log_upper == 10.0);
  CHECK(specs[static_cast<std::size_t>(ar.rho_offset(d))].log_default == 1.0);
  CHECK(ar.default_theta(d)(ar.rho_offset(d) + 1) == 1.0);
}

TEST_CASE("contraction does not depend on the number of threads") {
  std::mt19937_64 rng(8);
  for (const auto& c : cases()) {
    INFO(c.label);
    const Vector theta = random_theta(*c.kernel, c.d, rng);
    const Matrix X = random_points(c, 260, rng);
    const Matrix W = random_symmetric(260, rng);
    Vector g1 = Vector::Zero(theta.size()), g4 = Vector::Zero(theta.size());
    const int before = omp_get_max_threads();
    omp_set_num_threads(1);
    c.kernel->contract_hyperparameter_gradient(X, theta, W, g1);
    const Matrix K1 = (*c.kernel)(X, X, theta);
    omp_set_num_threads(4);
    c.kernel->contract_hyperparameter_gradient(X, theta, W, g4);
    const Matrix K4 = (*c.kernel)(X, X, theta);
    omp_set_num_threads(before);
    CHECK((g1 - g4).cwiseAbs().maxCoeff() == 0.0);
    CHECK((K1 - K4).cwiseAbs().maxCoeff() == 0.0);
  }
}

TEST_CASE("bad arguments throw InvalidArgument naming the problem") {
  using prospect::InvalidArgument;
  CHECK_THROWS_AS(pk::LinearTruncatedFidelity(0), InvalidArgument);
  CHECK_THROWS_AS(pk::LinearTruncatedFidelity(3), InvalidArgument);
  CHECK_THROWS_AS(pk::Autoregressive(1), InvalidArgument);
  CHECK_THROWS_AS(pk::FidelityProduct(std::vector<pk::FidelityKind>{}), InvalidArgument);
  const pk::LinearTruncatedFidelity lt(2);
  CHECK_THROWS_AS((void)lt.hyperparameters(2), InvalidArgument);  // no design column
  const Matrix X = Matrix::Constant(3, 4, 0.5);
  Matrix K(3, 3);
  CHECK_THROWS_WITH_AS(lt.matrix(X, X, Vector::Zero(3), K), doctest::Contains("theta has size 3"),
                       InvalidArgument);
  Vector bad = lt.default_theta(4);
  bad(0) = std::nan("");
  CHECK_THROWS_AS(lt.matrix(X, X, bad, K), InvalidArgument);
  Matrix Kwrong(2, 3);
  CHECK_THROWS_AS(lt.matrix(X, X, lt.default_theta(4), Kwrong), InvalidArgument);
  const pk::Autoregressive ar(2);
  CHECK_THROWS_AS((void)ar.hyperparameters(1), InvalidArgument);
  CHECK_THROWS_AS((void)ar.encode(2), InvalidArgument);
}

TEST_CASE("prior hints: BoTorch's priors reach the GP; linear hyperparameters get none") {
  using prospect::PriorPreset;
  using prospect::gp_detail::kernel_prior;
  const pk::LinearTruncatedFidelity lt(1);
  const auto specs = lt.hyperparameters(3);  // 2 design + 1 fidelity
  REQUIRE(specs.size() == 6);
  // BoTorch's code: Gamma(3, 6) unbiased, Gamma(6, 2) biased, Gamma(3, 3) power,
  // Gamma(2, 0.15) outputscale; defaults at the modes.
  const double want[6][2] = {{3, 6}, {3, 6}, {6, 2}, {6, 2}, {3, 3}, {2, 0.15}};
  for (std::size_t i = 0; i < 6; ++i) {
    INFO(specs[i].name);
    CHECK(specs[i].prior.family == pk::PriorHint::Family::gamma);
    CHECK(specs[i].prior.a == want[i][0]);
    CHECK(specs[i].prior.b == want[i][1]);
    CHECK(specs[i].log_default == doctest::Approx(std::log((want[i][0] - 1) / want[i][1])));
    for (auto preset : {PriorPreset::botorch, PriorPreset::botorch_legacy}) {
      const auto prior = kernel_prior(preset, specs[i], 3);
      const double v = 0.8, a = want[i][0], b = want[i][1];
      const double logpdf = a * std::log(b) - std::lgamma(a) + (a - 1) * std::log(v) - b * v;
      CHECK(prior.log_density(std::log(v)) == doctest::Approx(logpdf).epsilon(1e-12));
    }
    CHECK_FALSE(kernel_prior(PriorPreset::none, specs[i], 3).active());
  }
  // FidelityProduct: design lengthscales without hint take the preset's kind prior.
  const pk::FidelityProduct prod(std::vector<pk::FidelityKind>{pk::FidelityKind::downsampling});
  const auto ps = prod.hyperparameters(3);
  CHECK(ps[0].prior.family == pk::PriorHint::Family::none);
  CHECK(kernel_prior(PriorPreset::botorch, ps[0], 3).family() ==
        prospect::gp_detail::Prior::Family::lognormal);
  CHECK(kernel_prior(PriorPreset::botorch_legacy, ps[0], 3).family() ==
        prospect::gp_detail::Prior::Family::gamma);
  // AR1: rho is linear and gets no prior whatever the preset.
  const pk::Autoregressive ar(2);
  const auto as = ar.hyperparameters(2);
  const auto& rho = as.back();
  CHECK(rho.linear);
  for (auto preset : {PriorPreset::botorch, PriorPreset::botorch_legacy, PriorPreset::none})
    CHECK_FALSE(kernel_prior(preset, rho, 2).active());
  // A malformed hint is rejected.
  pk::HyperparameterSpec badspec{"x", pk::HyperparameterKind::other, -1, 1, 0};
  badspec.prior = pk::PriorHint{pk::PriorHint::Family::gamma, -1.0, 2.0};
  CHECK_THROWS_AS((void)kernel_prior(PriorPreset::botorch, badspec, 2), prospect::InvalidArgument);
}

namespace {

/// A smooth two-fidelity test function on design x fidelity (last column s):
/// f(x, s) = sin(6 x0) + x1^2 - 0.5 (1 - s) cos(4 x0).
double mf_function(const Eigen::RowVectorXd& x) {
  const Eigen::Index d = x.size();
  const double s = x(d - 1);
  double v = std::sin(6 * x(0)) - 0.5 * (1 - s) * std::cos(4 * x(0));
  if (d > 2) v += x(1) * x(1);
  return v;
}

Dataset mf_data(const Case& c, Eigen::Index n, std::mt19937_64& rng) {
  Dataset data;
  data.X = random_points(c, n, rng);
  data.y.resize(n);
  std::normal_distribution<double> z(0.0, 0.02);
  for (Eigen::Index i = 0; i < n; ++i) data.y(i) = mf_function(data.X.row(i)) + z(rng);
  return data;
}

}  // namespace

TEST_CASE("GP objective gradient matches finite differences with every kernel") {
  std::mt19937_64 rng(9);
  for (const auto& c : cases()) {
    INFO(c.label);
    const Dataset data = mf_data(c, 18, rng);
    GaussianProcessOptions o;
    o.restarts = 1;
    o.max_evaluations = 30;
    o.priors = prospect::PriorPreset::botorch;
    GaussianProcess gp(*c.kernel, o);
    gp.fit(data, 1);
    for (int trial = 0; trial < 2; ++trial) {
      Vector p = gp.parameters();
      const Vector theta = random_theta(*c.kernel, c.d, rng);
      p.head(theta.size()) = theta;
      Vector g;
      const double J = gp.objective(p, &g);
      REQUIRE(std::isfinite(J));
      const double h = 1e-5;
      for (Eigen::Index k = 0; k < p.size(); ++k) {
        Vector a = p, b = p;
        a(k) += h;
        b(k) -= h;
        const double fd = (gp.objective(a, nullptr) - gp.objective(b, nullptr)) / (2 * h);
        INFO("parameter " << gp.parameter_names()[static_cast<std::size_t>(k)] << " analytic "
                          << g(k) << " fd " << fd);
        CHECK(std::abs(g(k) - fd) <= 1e-6 * (std::abs(fd) + 1e-2 * g.cwiseAbs().maxCoeff()));
      }
    }
  }
}

TEST_CASE("FidelityGP: names, clone, prediction gradients with a fidelity-dependent variance") {
  std::mt19937_64 rng(10);
  for (auto choice : {FidelityKernelChoice::linear_truncated, FidelityKernelChoice::downsampling,
                      FidelityKernelChoice::exponential_decay}) {
    INFO(prospect::to_string(choice));
    FidelityGP gp(1, choice);
    CHECK(gp.name() == std::string("fidelity_gp(") + prospect::to_string(choice) + ")");
    const Case c{"fgp", nullptr, 3};
    gp.fit(mf_data(c, 30, rng), 2);
    const auto copy = gp.clone();
    CHECK(dynamic_cast<FidelityGP*>(copy.get()) != nullptr);
    CHECK(copy->name() == gp.name());
    for (int t = 0; t < 3; ++t) {
      const Vector x = random_points(c, 1, rng).row(0).transpose();
      const auto pp = gp.predict_with_gradient(x);
      const double h = 1e-6;
      for (Eigen::Index j = 0; j < 3; ++j) {
        Vector a = x, b = x;
        a(j) += h;
        b(j) -= h;
        const auto pa = gp.predict(a.transpose()), pb = gp.predict(b.transpose());
        const double gm = (pa.mean(0) - pb.mean(0)) / (2 * h);
        const double gv = (pa.variance(0) - pb.variance(0)) / (2 * h);
        INFO("column " << j << " mean " << pp.mean_gradient(j) << " vs " << gm << ", variance "
                       << pp.variance_gradient(j) << " vs " << gv);
        CHECK(std::abs(pp.mean_gradient(j) - gm) <= 1e-5 * (std::abs(gm) + 1e-2));
        CHECK(std::abs(pp.variance_gradient(j) - gv) <= 1e-5 * (std::abs(gv) + 1e-3));
      }
    }
  }
  CHECK_THROWS_AS(FidelityGP(0), prospect::InvalidArgument);
  CHECK_THROWS_AS(FidelityGP(3, FidelityKernelChoice::linear_truncated), prospect::InvalidArgument);
  // Too few columns for the fidelity columns: fit throws and leaves the model unfitted.
  FidelityGP gp2(2);
  Dataset small{Matrix::Constant(4, 2, 0.5), Vector::LinSpaced(4, 0, 1), Vector()};
  CHECK_THROWS_AS(gp2.fit(small, 0), prospect::InvalidArgument);
  CHECK_FALSE(gp2.fitted());
}
