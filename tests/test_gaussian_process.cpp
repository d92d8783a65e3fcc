// Tests of the exact GP: objective gradient, closed-form posterior, input gradients,
// joint posterior and samples, incremental updates, fitting and bad input.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numbers>

#include "prospect/errors.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/gaussian_process.hpp"

using prospect::Dataset;
using prospect::GaussianProcess;
using prospect::GaussianProcessOptions;
using prospect::Matrix;
using prospect::NoiseModel;
using prospect::PriorPreset;
using prospect::Rng;
using prospect::Vector;
namespace pk = prospect::kernels;

namespace {

Matrix uniform_matrix(Eigen::Index n, Eigen::Index d, Rng& rng) {
  Matrix X(n, d);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < d; ++j) X(i, j) = rng.uniform();
  return X;
}

/// A smooth test function with noise.
Dataset make_data(Eigen::Index n, Eigen::Index d, double noise_sd, std::uint64_t seed) {
  Rng rng(seed);
  Dataset data;
  data.X = uniform_matrix(n, d, rng);
  data.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    double v = 3.0;
    for (Eigen::Index j = 0; j < d; ++j)
      v += std::sin(3.0 * data.X(i, j) + static_cast<double>(j)) * (1.0 + 0.3 * j);
    data.y(i) = 5.0 * v + noise_sd * rng.normal();
  }
  return data;
}

/// Max over components of |a - b| / max(|b|, floor).
double max_rel_error(const Vector& a, const Vector& b, double floor) {
  double e = 0.0;
  for (Eigen::Index i = 0; i < a.size(); ++i)
    e = std::max(e, std::abs(a(i) - b(i)) / std::max(std::abs(b(i)), floor));
  return e;
}

/// Central finite differences of gp.objective at p.
Vector fd_objective(const GaussianProcess& gp, const Vector& p, double h) {
  Vector g(p.size());
  for (Eigen::Index k = 0; k < p.size(); ++k) {
    Vector a = p, b = p;
    a(k) += h;
    b(k) -= h;
    g(k) = (gp.objective(a, nullptr) - gp.objective(b, nullptr)) / (2.0 * h);
  }
  return g;
}

/// Random parameters away from the bounds: log lengthscales in [log 0.1, log 2],
/// log output scale in [-1, 1], log noise in [log 1e-3, log 0.5], c in [-1, 1].
Vector random_parameters(const GaussianProcess& gp, Rng& rng) {
  const auto names = gp.parameter_names();
  Vector p(static_cast<Eigen::Index>(names.size()));
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto i = static_cast<Eigen::Index>(k);
    const double u = rng.uniform();
    if (names[k].rfind("lengthscale", 0) == 0) {
      p(i) = std::log(0.1) + u * (std::log(2.0) - std::log(0.1));
    } else if (names[k] == "outputscale") {
      p(i) = -1.0 + 2.0 * u;
    } else if (names[k] == "noise") {
      p(i) = std::log(1e-3) + u * (std::log(0.5) - std::log(1e-3));
    } else {
      p(i) = -1.0 + 2.0 * u;
    }
  }
  return p;
}

void check_objective_gradient(const pk::Kernel& kernel, GaussianProcessOptions options,
                              Eigen::Index d, std::uint64_t seed) {
  Dataset data = make_data(20, d, 0.3, seed);
  if (options.noise == NoiseModel::fixed) data.noise_variance = Vector::Constant(20, 0.05);
  GaussianProcess gp(kernel, options);
  gp.fit(data, seed);
  Rng rng(seed + 100);
  for (int trial = 0; trial < 4; ++trial) {
    const Vector p = random_parameters(gp, rng);
    Vector g;
    const double J = gp.objective(p, &g);
    CHECK(std::isfinite(J));
    CHECK(J == doctest::Approx(gp.objective(p, nullptr)).epsilon(1e-14));
    const Vector fd = fd_objective(gp, p, 1e-5);
    INFO("analytic " << g.transpose() << "\nfd       " << fd.transpose());
    CHECK(max_rel_error(g, fd, 1e-2) < 1e-6);
    CHECK((g - fd).norm() / fd.norm() < 1e-6);
  }
}

double lognormal_logpdf(double value, double mu, double s) {
  const double z = (std::log(value) - mu) / s;
  return -std::log(value) - std::log(s * std::sqrt(2.0 * std::numbers::pi)) - 0.5 * z * z;
}

}  // namespace

TEST_CASE("objective gradient matches central finite differences") {
  SUBCASE("SE, learned noise and mean, botorch priors") {
    check_objective_gradient(pk::SquaredExponential{}, {}, 3, 1);
  }
  SUBCASE("Matern52, learned noise and mean, botorch priors") {
    check_objective_gradient(pk::Matern52{}, {}, 4, 2);
  }
  SUBCASE("Matern52 with output scale, legacy priors") {
    GaussianProcessOptions o;
    o.priors = PriorPreset::botorch_legacy;
    check_objective_gradient(pk::Matern52{pk::StationaryOptions{.outputscale = true}}, o, 3, 3);
  }
  SUBCASE("SE with output scale, legacy priors") {
    GaussianProcessOptions o;
    o.priors = PriorPreset::botorch_legacy;
    check_objective_gradient(pk::SquaredExponential{pk::StationaryOptions{.outputscale = true}}, o,
                             2, 4);
  }
  SUBCASE("Matern32, fixed noise, no priors") {
    GaussianProcessOptions o;
    o.priors = PriorPreset::none;
    o.noise = NoiseModel::fixed;
    check_objective_gradient(pk::Matern32{}, o, 2, 5);
  }
  SUBCASE("SE, no mean learned") {
    GaussianProcessOptions o;
    o.learn_mean = false;
    check_objective_gradient(pk::SquaredExponential{}, o, 2, 6);
  }
}

TEST_CASE("posterior, LML and objective match a dense closed form") {
  // Three points in 2-D, SE kernel, fixed parameters; everything recomputed here.
  Dataset data;
  data.X.resize(3, 2);
  data.X << 0.1, 0.2, 0.5, 0.9, 0.8, 0.4;
  data.y.resize(3);
  data.y << 1.0, 3.0, -2.0;
  const double l0 = 0.3, l1 = 0.7, noise = 0.05, c = 0.2;
  Vector params(4);
  params << std::log(l0), std::log(l1), std::log(noise), c;
  GaussianProcess gp(pk::SquaredExponential{});
  gp.fit_fixed(data, params);
  CHECK(gp.parameters().isApprox(params));
  CHECK(gp.parameter_names() ==
        std::vector<std::string>{"lengthscale[0]", "lengthscale[1]", "noise", "mean"});

  const double ybar = 2.0 / 3.0;
  const double sd = std::sqrt(
      ((1.0 - ybar) * (1.0 - ybar) + (3.0 - ybar) * (3.0 - ybar) + (-2.0 - ybar) * (-2.0 - ybar)) /
      2.0);
  const Vector ys = (data.y.array() - ybar) / sd;
  auto k = [&](const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
    const double r0 = (a(0) - b(0)) / l0, r1 = (a(1) - b(1)) / l1;
    return std::exp(-0.5 * (r0 * r0 + r1 * r1));
  };
  Eigen::Matrix3d K;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      K(i, j) = k(data.X.row(i).transpose(), data.X.row(j).transpose()) + (i == j ? noise : 0.0);
  const Eigen::Matrix3d Kinv = K.inverse();
  const Eigen::Vector3d r = ys.array() - c;
  const double lml = -0.5 * r.dot(Kinv * r) - 0.5 * std::log(K.determinant()) -
                     1.5 * std::log(2 * std::numbers::pi);
  CHECK(gp.log_marginal_likelihood() == doctest::Approx(lml).epsilon(1e-10));
  const double mu = std::sqrt(2.0) + 0.5 * std::log(2.0), s = std::sqrt(3.0);
  const double log_prior = lognormal_logpdf(l0, mu, s) + lognormal_logpdf(l1, mu, s) +
                           lognormal_logpdf(noise, -4.0, 1.0);
  CHECK(gp.objective(params, nullptr) == doctest::Approx((lml + log_prior) / 3.0).epsilon(1e-10));
  CHECK(gp.summary().objective == doctest::Approx((lml + log_prior) / 3.0).epsilon(1e-10));
  CHECK(gp.noise_variance() == doctest::Approx(noise * sd * sd).epsilon(1e-12));

  Matrix Xs(4, 2);
  Xs << 0.0, 0.0, 0.3, 0.5, 0.5, 0.9, 1.0, 1.0;
  const auto pred = gp.predict(Xs);
  for (int t = 0; t < 4; ++t) {
    Eigen::Vector3d kx;
    for (int i = 0; i < 3; ++i) kx(i) = k(Xs.row(t).transpose(), data.X.row(i).transpose());
    const double m = ybar + sd * (c + kx.dot(Kinv * r));
    const double v = sd * sd * (1.0 - kx.dot(Kinv * kx));
    CHECK(pred.mean(t) == doctest::Approx(m).epsilon(1e-10));
    CHECK(pred.variance(t) == doctest::Approx(v).epsilon(1e-9));
    CHECK(pred.noise_variance(t) == doctest::Approx(noise * sd * sd).epsilon(1e-12));
  }
}

TEST_CASE("predict_with_gradient matches predict and finite differences") {
  for (int which = 0; which < 2; ++which) {
    const pk::Stationary kernel = which == 0 ? pk::Stationary(pk::Profile::squared_exponential)
                                             : pk::Stationary(pk::Profile::matern52);
    const Dataset data = make_data(25, 3, 0.2, 7 + which);
    GaussianProcess gp(kernel);
    gp.fit(data, 3);
    Rng rng(11);
    for (int t = 0; t < 5; ++t) {
      const Vector x = 0.05 + 0.9 * uniform_matrix(3, 1, rng).array();
      const auto pp = gp.predict_with_gradient(x);
      const auto pr = gp.predict(x.transpose());
      CHECK(pp.mean == doctest::Approx(pr.mean(0)).epsilon(1e-12));
      CHECK(pp.variance == doctest::Approx(pr.variance(0)).epsilon(1e-10));
      const double h = 1e-6;
      Vector gm(3), gv(3);
      for (int j = 0; j < 3; ++j) {
        Vector a = x, b = x;
        a(j) += h;
        b(j) -= h;
        const auto pa = gp.predict(a.transpose()), pb = gp.predict(b.transpose());
        gm(j) = (pa.mean(0) - pb.mean(0)) / (2 * h);
        gv(j) = (pa.variance(0) - pb.variance(0)) / (2 * h);
      }
      INFO("kernel " << kernel.name() << " mean grad " << pp.mean_gradient.transpose() << " fd "
                     << gm.transpose());
      CHECK(max_rel_error(pp.mean_gradient, gm, 1e-2 * gm.norm() + 1e-8) < 1e-5);
      INFO("var grad " << pp.variance_gradient.transpose() << " fd " << gv.transpose());
      CHECK(max_rel_error(pp.variance_gradient, gv, 1e-2 * gv.norm() + 1e-8) < 1e-5);
    }
  }
}

TEST_CASE("joint posterior: covariance diagonal and sample statistics") {
  const Dataset data = make_data(15, 2, 0.3, 21);
  GaussianProcess gp(pk::Matern52{});
  gp.fit(data, 1);
  Matrix Xs(3, 2);
  Xs << 0.2, 0.3, 0.25, 0.35, 0.9, 0.1;
  const Matrix S = gp.posterior_covariance(Xs);
  const auto pred = gp.predict(Xs);
  CHECK((S - S.transpose()).norm() == 0.0);
  for (int i = 0; i < 3; ++i) CHECK(S(i, i) == doctest::Approx(pred.variance(i)).epsilon(1e-10));

  Rng rng(5);
  const Eigen::Index N = 20000;
  const Matrix draws = gp.sample(Xs, N, rng);
  REQUIRE(draws.rows() == N);
  REQUIRE(draws.cols() == 3);
  const Vector mean = draws.colwise().mean();
  const Matrix centered = draws.rowwise() - mean.transpose();
  const Matrix cov = centered.transpose() * centered / static_cast<double>(N - 1);
  for (int i = 0; i < 3; ++i) {
    // 4.5 standard errors: a false alarm about once in 10^5 per check.
    CHECK(std::abs(mean(i) - pred.mean(i)) < 4.5 * std::sqrt(S(i, i) / N));
    for (int j = 0; j < 3; ++j) {
      const double se = std::sqrt((S(i, i) * S(j, j) + S(i, j) * S(i, j)) / N);
      CHECK(std::abs(cov(i, j) - S(i, j)) < 4.5 * se);
    }
  }
  // Same generator state, same draws.
  Rng a(9), b(9);
  CHECK(gp.sample(Xs, 5, a) == gp.sample(Xs, 5, b));
}

TEST_CASE("joint_posterior matches predict/posterior_covariance; its gradient matches FD") {
  const Dataset data = make_data(14, 3, 0.2, 33);
  for (int kernel = 0; kernel < 2; ++kernel) {
    GaussianProcess gp =
        kernel == 0 ? GaussianProcess(pk::Matern52{}) : GaussianProcess(pk::SquaredExponential{});
    gp.fit(data, 2);
    Rng rng(17);
    const Matrix X = uniform_matrix(4, 3, rng);
    const auto joint = gp.joint_posterior(X);
    CHECK((joint.mean - gp.predict(X).mean).norm() < 1e-10);
    CHECK((joint.covariance - gp.posterior_covariance(X)).norm() < 1e-10);

    // a(mean, Sigma) = mean_bar . mean + sum(C_bar .* Sigma) with a NON-symmetric C_bar.
    Vector mean_bar(4);
    mean_bar << 0.7, -1.3, 0.4, 2.0;
    Matrix C_bar = uniform_matrix(4, 4, rng).array() - 0.5;
    auto a = [&](const Matrix& Z) {
      const auto jp = gp.joint_posterior(Z);
      return mean_bar.dot(jp.mean) + (C_bar.array() * jp.covariance.array()).sum();
    };
    const Matrix grad = gp.joint_posterior_gradient(X, mean_bar, C_bar);
    REQUIRE(grad.rows() == 4);
    REQUIRE(grad.cols() == 3);
    const double h = 1e-6;
    for (Eigen::Index i = 0; i < 4; ++i) {
      for (Eigen::Index j = 0; j < 3; ++j) {
        Matrix Xp = X, Xm = X;
        Xp(i, j) += h;
        Xm(i, j) -= h;
        const double fd = (a(Xp) - a(Xm)) / (2 * h);
        CHECK(grad(i, j) == doctest::Approx(fd).epsilon(1e-5).scale(1.0));
      }
    }
    // Coupled to the first two rows: the same entries where computed, 0 elsewhere, and the
    // gradient of any a that ignores the block among rows 2 and 3.
    const auto coupled = gp.joint_posterior(X, 2);
    CHECK((coupled.mean - joint.mean).norm() < 1e-12);
    for (Eigen::Index i = 0; i < 4; ++i) {
      for (Eigen::Index j = 0; j < 4; ++j) {
        const double expected = (i >= 2 && j >= 2) ? 0.0 : joint.covariance(i, j);
        CHECK(coupled.covariance(i, j) == doctest::Approx(expected).epsilon(1e-10).scale(1.0));
      }
    }
    Matrix C_cross = C_bar;
    C_cross.bottomRightCorner(2, 2).setZero();
    const Matrix grad_full = gp.joint_posterior_gradient(X, mean_bar, C_cross);
    const Matrix grad_coupled = gp.joint_posterior_gradient(X, mean_bar, C_bar, 2);
    CHECK((grad_full - grad_coupled).norm() < 1e-10 * (1.0 + grad_full.norm()));
    // Only the first rows wanted (the others held fixed by the caller): those rows as in
    // the full gradient, the others 0; uncoupled and coupled alike.
    for (const Eigen::Index wanted : {1, 3}) {
      CAPTURE(wanted);
      const Matrix all = gp.joint_posterior_gradient(X, mean_bar, C_bar);
      const Matrix some = gp.joint_posterior_gradient(X, mean_bar, C_bar, -1, wanted);
      CHECK((some.topRows(wanted) - all.topRows(wanted)).norm() < 1e-12 * (1.0 + all.norm()));
      CHECK(some.bottomRows(4 - wanted).norm() == 0.0);
      const Matrix some_coupled = gp.joint_posterior_gradient(X, mean_bar, C_bar, 2, wanted);
      CHECK((some_coupled.topRows(wanted) - grad_coupled.topRows(wanted)).norm() <
            1e-12 * (1.0 + grad_coupled.norm()));
      CHECK(some_coupled.bottomRows(4 - wanted).norm() == 0.0);
    }
    CHECK_THROWS_AS((void)gp.joint_posterior_gradient(X, Vector::Zero(3), C_bar),
                    prospect::InvalidArgument);
    CHECK_THROWS_AS((void)gp.joint_posterior_gradient(X, mean_bar, Matrix::Zero(4, 3)),
                    prospect::InvalidArgument);
  }
}

TEST_CASE("add_observations equals fit_fixed on all data; condition_on leaves the original") {
  Dataset data = make_data(12, 2, 0.3, 31);
  GaussianProcess gp(pk::Matern52{});
  gp.fit(data, 2);
  const Vector params = gp.parameters();

  // y = ybar +- sd leaves the (frozen) standardization unchanged, so a fit_fixed on all
  // data must give the very same model.
  const double ybar = data.y.mean();
  const double sd = std::sqrt((data.y.array() - ybar).square().sum() / 11.0);
  Matrix Xn(2, 2);
  Xn << 0.33, 0.71, 0.95, 0.05;
  Vector yn(2);
  yn << ybar + sd, ybar - sd;

  Matrix Xt(5, 2);
  Xt << 0.1, 0.1, 0.33, 0.7, 0.5, 0.5, 0.9, 0.1, 0.6, 0.2;
  const auto before = gp.predict(Xt);
  const auto conditioned = gp.condition_on(Xn, yn);
  const auto after_condition = gp.predict(Xt);
  CHECK(after_condition.mean == before.mean);
  CHECK(after_condition.variance == before.variance);
  CHECK(gp.parameters() == params);

  Dataset all;
  all.X.resize(14, 2);
  all.X << data.X, Xn;
  all.y.resize(14);
  all.y << data.y, yn;
  GaussianProcess reference(pk::Matern52{});
  reference.fit_fixed(all, params);
  const auto expected = reference.predict(Xt);

  gp.add_observations(Xn, yn);
  const auto got = gp.predict(Xt);
  const auto got_conditioned = conditioned->predict(Xt);
  for (int i = 0; i < 5; ++i) {
    CHECK(got.mean(i) == doctest::Approx(expected.mean(i)).epsilon(1e-9));
    CHECK(got.variance(i) == doctest::Approx(expected.variance(i)).epsilon(1e-8));
    CHECK(got_conditioned.mean(i) == doctest::Approx(expected.mean(i)).epsilon(1e-9));
    CHECK(got_conditioned.variance(i) == doctest::Approx(expected.variance(i)).epsilon(1e-8));
  }
  CHECK(gp.log_marginal_likelihood() ==
        doctest::Approx(reference.log_marginal_likelihood()).epsilon(1e-9));
  // The new points changed the posterior near them.
  CHECK(std::abs(got.variance(1) - before.variance(1)) > 1e-3 * before.variance(1));
}

TEST_CASE("noise-free model interpolates the data") {
  const Dataset data = make_data(10, 1, 0.0, 41);
  GaussianProcessOptions o;
  o.noise = NoiseModel::none;
  GaussianProcess gp(pk::Matern52{}, o);
  gp.fit(data, 0);
  const auto pred = gp.predict(data.X);
  const double ybar = data.y.mean();
  const double sd = std::sqrt((data.y.array() - ybar).square().sum() / 9.0);
  for (int i = 0; i < 10; ++i) CHECK(std::abs(pred.mean(i) - data.y(i)) < 1e-3 * sd);
  CHECK(gp.noise_variance() == doctest::Approx(o.noiseless_nugget * sd * sd));
}

TEST_CASE("fit recovers the noise of a noisy sine and is deterministic") {
  Rng rng(51);
  const Eigen::Index n = 60;
  Dataset data;
  data.X = uniform_matrix(n, 1, rng);
  data.y.resize(n);
  const double noise_sd = 0.1;
  for (Eigen::Index i = 0; i < n; ++i)
    data.y(i) = std::sin(2 * std::numbers::pi * data.X(i, 0)) + noise_sd * rng.normal();

  GaussianProcessOptions o;
  o.restarts = 4;
  o.threads = 1;
  GaussianProcess gp1(pk::Matern52{}, o);
  gp1.fit(data, 123);
  MESSAGE(gp1.summary().brief_report());
  CHECK(gp1.summary().termination != prospect::FitTermination::all_starts_failed);
  CHECK(gp1.summary().starts == 4);
  CHECK(gp1.noise_variance() > 0.25 * noise_sd * noise_sd);
  CHECK(gp1.noise_variance() < 4.0 * noise_sd * noise_sd);
  // The fit is a local optimum of J: the gradient is small where no bound is active.
  Vector g;
  gp1.objective(gp1.parameters(), &g);
  CHECK(g.norm() < 1e-3);

  GaussianProcess again(pk::Matern52{}, o);
  again.fit(data, 123);
  CHECK(again.parameters() == gp1.parameters());

  o.threads = 2;
  GaussianProcess gp2(pk::Matern52{}, o);
  gp2.fit(data, 123);
  CHECK(gp2.parameters() == gp1.parameters());
  CHECK(gp2.summary().evaluations == gp1.summary().evaluations);

  // A refit warm-starts from the previous MAP and finds at least as good an optimum.
  gp1.fit(data, 124);
  CHECK(gp1.summary().objective >= again.summary().objective - 1e-9);
}

TEST_CASE("bad input throws the right error and leaves the model unchanged") {
  const Dataset data = make_data(10, 2, 0.2, 61);
  GaussianProcess gp(pk::SquaredExponential{});
  CHECK_THROWS_AS((void)gp.predict(Matrix::Zero(1, 2)), prospect::InvalidState);
  gp.fit(data, 0);
  const Vector params = gp.parameters();
  const Matrix Xt = Matrix::Constant(2, 2, 0.4);
  const Vector mean = gp.predict(Xt).mean;
  auto unchanged = [&] {
    CHECK(gp.parameters() == params);
    CHECK(gp.predict(Xt).mean == mean);
    CHECK(gp.dimension() == 2);
  };

  CHECK_THROWS_AS(gp.fit(Dataset{}, 0), prospect::InvalidArgument);
  unchanged();
  Dataset nan = data;
  nan.y(3) = std::nan("");
  CHECK_THROWS_AS(gp.fit(nan, 0), prospect::InvalidArgument);
  unchanged();
  Dataset outside = data;
  outside.X(2, 1) = 1.01;
  CHECK_THROWS_AS(gp.fit(outside, 0), prospect::InvalidArgument);
  unchanged();
  Dataset mismatch = data;
  mismatch.y.conservativeResize(9);
  CHECK_THROWS_AS(gp.fit(mismatch, 0), prospect::InvalidArgument);
  unchanged();
  CHECK_THROWS_AS((void)gp.predict(Matrix::Zero(1, 3)), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)gp.predict_with_gradient(Vector::Zero(3)), prospect::InvalidArgument);
  CHECK_THROWS_AS(gp.add_observations(Matrix::Zero(1, 3), Vector::Zero(1)),
                  prospect::InvalidArgument);
  CHECK_THROWS_AS(gp.add_observations(Matrix::Zero(1, 2), Vector::Constant(1, INFINITY)),
                  prospect::InvalidArgument);
  CHECK_THROWS_AS(gp.set_state(Vector::Zero(2)), prospect::InvalidArgument);
  unchanged();

  GaussianProcessOptions fixed;
  fixed.noise = NoiseModel::fixed;
  GaussianProcess gf(pk::SquaredExponential{}, fixed);
  CHECK_THROWS_AS(gf.fit(data, 0), prospect::InvalidArgument);
  CHECK_FALSE(gf.fitted());

  GaussianProcessOptions bad;
  bad.restarts = 0;
  bad.ftol_rel = -1.0;
  CHECK(bad.validate().size() == 2);
  CHECK_THROWS_AS(GaussianProcess(pk::SquaredExponential{}, bad), prospect::InvalidOptions);

  // A new fit on another dimension is fine.
  gp.fit(make_data(8, 3, 0.2, 62), 0);
  CHECK(gp.dimension() == 3);
}

TEST_CASE("names, state and enum strings") {
  GaussianProcess gp(pk::Matern52{});
  CHECK(gp.name() == "gp(matern52)");
  const auto caps = gp.capabilities();
  CHECK((caps.input_gradients && caps.joint_posterior && caps.conditioning && caps.incremental));
  CHECK(prospect::prior_preset_from_string(prospect::to_string(PriorPreset::botorch_legacy)) ==
        PriorPreset::botorch_legacy);
  CHECK(prospect::noise_model_from_string(prospect::to_string(NoiseModel::fixed)) ==
        NoiseModel::fixed);
  CHECK_THROWS_AS((void)prospect::noise_model_from_string("loud"), prospect::InvalidArgument);

  const Dataset data = make_data(10, 2, 0.2, 71);
  gp.fit(data, 0);
  GaussianProcessOptions o;
  o.restarts = 2;  // prior mode, then the state as warm start
  GaussianProcess other(pk::Matern52{}, o);
  other.set_state(gp.state());
  other.fit(data, 0);
  CHECK(other.summary().objective >= gp.summary().objective - 1e-9);
}

namespace {
/// SE kernel whose training matrices hold NaN for the next `*failures` calls, to force
/// numerical failures inside the fit. Clones share the counter.
class FlakyKernel : public pk::Stationary {
 public:
  explicit FlakyKernel(int* failures)
      : pk::Stationary(pk::Profile::squared_exponential), failures_(failures) {}
  [[nodiscard]] std::unique_ptr<pk::Kernel> clone() const override {
    return std::make_unique<FlakyKernel>(failures_);
  }
  void matrix(pk::MatrixCRef X1, pk::MatrixCRef X2, pk::VectorCRef theta,
              Eigen::Ref<pk::Matrix> K) const override {
    pk::Stationary::matrix(X1, X2, theta, K);
    if (*failures_ > 0) {
      --*failures_;
      K(0, 0) = std::nan("");
    }
  }

 private:
  int* failures_;
};
}  // namespace

TEST_CASE("numerical failures: failed starts are skipped, all failed keeps the parameters") {
  const Dataset data = make_data(12, 2, 0.2, 81);
  int failures = 0;
  GaussianProcessOptions o;
  o.threads = 1;  // the failure counter is consumed in start order
  o.restarts = 3;
  GaussianProcess gp(FlakyKernel(&failures), o);
  gp.fit(data, 0);
  const Vector params = gp.parameters();
  CHECK(gp.summary().failed_starts == 0);

  // The first start fails at once; the others still fit.
  failures = 1;
  gp.fit(data, 1);
  CHECK(gp.summary().failed_starts == 1);
  CHECK(gp.summary().termination != prospect::FitTermination::all_starts_failed);

  // Every start fails at its first evaluation: the previous parameters are kept.
  GaussianProcess again(FlakyKernel(&failures), o);
  again.fit(data, 0);
  const Vector kept = again.parameters();
  failures = 3;
  again.fit(data, 5);
  CHECK(again.summary().termination == prospect::FitTermination::all_starts_failed);
  CHECK(again.summary().failed_starts == 3);
  CHECK(again.parameters() == kept);
  CHECK(again.fitted());

  // The fallback factorization fails too: NumericalError, model unchanged.
  failures = 4;
  CHECK_THROWS_AS(again.fit(data, 6), prospect::NumericalError);
  CHECK(again.parameters() == kept);
  CHECK(again.summary().termination == prospect::FitTermination::all_starts_failed);
  failures = 0;
}
