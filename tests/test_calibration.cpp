// Calibration metrics: closed forms against numerical integration and Monte Carlo,
// calibration statistics of data drawn from (or mis-specified against) the predictive
// with binomial / DKW tolerances, hand-computed scores, and bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "prospect/errors.hpp"
#include "prospect/metrics/calibration.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/surrogate.hpp"

using prospect::Matrix;
using prospect::Vector;
namespace pm = prospect::metrics;

namespace {

const boost::math::normal_distribution<double> kStd{};
double Phi(double z) {
  return boost::math::cdf(kStd, z);
}
double Phi_inv(double p) {
  return boost::math::quantile(kStd, p);
}

// Adaptive Gauss-Kronrod on [a, b], tight tolerance.
double integrate(const std::function<double(double)>& f, double a, double b) {
  return boost::math::quadrature::gauss_kronrod<double, 61>::integrate(f, a, b, 12, 1e-11);
}

// CRPS = int (F(t) - 1[t >= y])^2 dt, split at y where the integrand jumps; the tails
// beyond 40 standard deviations of every component contribute < 1e-300.
double crps_by_quadrature(const std::function<double(double)>& cdf, double y, double lo,
                          double hi) {
  lo = std::min(lo, y);
  hi = std::max(hi, y);
  const double left = integrate([&](double t) { return cdf(t) * cdf(t); }, lo, y);
  const double right = integrate([&](double t) { return (1 - cdf(t)) * (1 - cdf(t)); }, y, hi);
  return left + right;
}

// Dvoretzky-Kiefer-Wolfowitz: P(sup |F_N - F| > eps) <= 2 exp(-2 N eps^2); for N = 20000
// and eps = 0.015 that is 2.5e-4. Every L1 calibration error is bounded by that sup.
constexpr int kN = 20000;
constexpr double kDkw = 0.015;

struct GaussianData {
  Vector y, mean, variance;
};

// y_i ~ N(mean_i, variance_i) with heterogeneous means and variances.
GaussianData gaussian_data(std::uint64_t seed, int n = kN) {
  prospect::Rng rng(seed);
  GaussianData d{Vector(n), Vector(n), Vector(n)};
  for (int i = 0; i < n; ++i) {
    d.mean[i] = 2.0 * rng.normal();
    d.variance[i] = std::exp(rng.normal());
    d.y[i] = d.mean[i] + std::sqrt(d.variance[i]) * rng.normal();
  }
  return d;
}

struct MixtureData {
  Vector y;
  Matrix means, variances;
};

// y_i from an equally weighted mixture of m components per point.
MixtureData mixture_data(std::uint64_t seed, int n, int m) {
  prospect::Rng rng(seed);
  MixtureData d{Vector(n), Matrix(n, m), Matrix(n, m)};
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < m; ++k) {
      d.means(i, k) = 1.5 * rng.normal();
      d.variances(i, k) = 0.2 + rng.uniform();
    }
    const auto k = static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(m)));
    d.y[i] = d.means(i, k) + std::sqrt(d.variances(i, k)) * rng.normal();
  }
  return d;
}

template <class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const prospect::InvalidArgument& e) {
    return e.what();
  }
  return "(no InvalidArgument thrown)";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("gaussian_nll equals minus the log of the normal density") {
  const Vector y{{0.3, -2.0, 7.0}}, mean{{0.0, 1.0, 5.0}}, var{{1.0, 0.25, 9.0}};
  const Vector nll = pm::gaussian_nll_pointwise(y, mean, var);
  double sum = 0.0;
  for (int i = 0; i < 3; ++i) {
    const boost::math::normal_distribution<double> dist(mean[i], std::sqrt(var[i]));
    const double expected = -std::log(boost::math::pdf(dist, y[i]));
    CHECK(nll[i] == doctest::Approx(expected).epsilon(1e-13));
    sum += expected;
  }
  CHECK(pm::gaussian_nll(y, mean, var) == doctest::Approx(sum / 3).epsilon(1e-13));
}

TEST_CASE("gaussian_crps equals the integral of (F(t) - 1[t >= y])^2") {
  const std::vector<std::array<double, 3>> cases = {
      {0.3, 0.0, 1.0}, {-2.5, 1.0, 0.25}, {10.0, 0.0, 4.0}, {5.0, 5.0, 1e-2}, {-40.0, 3.0, 2.0}};
  for (const auto& [y, mu, var] : cases) {
    const double sd = std::sqrt(var);
    const auto cdf = [&](double t) { return Phi((t - mu) / sd); };
    const double expected = crps_by_quadrature(cdf, y, mu - 40 * sd, mu + 40 * sd);
    const double got = pm::gaussian_crps(Vector::Constant(1, y), Vector::Constant(1, mu),
                                         Vector::Constant(1, var));
    CAPTURE(y);
    CHECK(got == doctest::Approx(expected).epsilon(1e-9));
  }
}

TEST_CASE("mixture_crps: M = 1 is the Gaussian CRPS, any M matches quadrature") {
  const auto d = mixture_data(11, 40, 1);
  // The 1e-12 inside the square root shifts the value by ~1e-12 / sd only.
  const Vector g = pm::gaussian_crps_pointwise(d.y, d.means.col(0), d.variances.col(0));
  const Vector m = pm::mixture_crps_pointwise(d.y, d.means, d.variances);
  CHECK((g - m).cwiseAbs().maxCoeff() < 1e-10);

  const auto d5 = mixture_data(12, 6, 5);
  const Vector crps = pm::mixture_crps_pointwise(d5.y, d5.means, d5.variances);
  for (int i = 0; i < 6; ++i) {
    const Vector mu = d5.means.row(i).transpose(), var = d5.variances.row(i).transpose();
    const auto cdf = [&](double t) { return pm::mixture_cdf(t, mu, var); };
    const double sdmax = var.cwiseSqrt().maxCoeff();
    const double expected =
        crps_by_quadrature(cdf, d5.y[i], mu.minCoeff() - 40 * sdmax, mu.maxCoeff() + 40 * sdmax);
    CAPTURE(i);
    CHECK(crps[i] == doctest::Approx(expected).epsilon(1e-9));
  }
  CHECK(pm::mixture_crps(d5.y, d5.means, d5.variances) ==
        doctest::Approx(crps.mean()).epsilon(1e-14));
}

TEST_CASE("mixture_crps agrees with the sample CRPS of many mixture draws") {
  const int n = 4, m = 3, s = 200000;
  const auto d = mixture_data(21, n, m);
  prospect::Rng rng(22);
  Matrix draws(n, s);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < s; ++j) {
      const auto k = static_cast<Eigen::Index>(rng.below(m));
      draws(i, j) = d.means(i, k) + std::sqrt(d.variances(i, k)) * rng.normal();
    }
  }
  const Vector exact = pm::mixture_crps_pointwise(d.y, d.means, d.variances);
  const Vector mc = pm::sample_crps_pointwise(d.y, draws);
  for (int i = 0; i < n; ++i) {
    // Monte Carlo error: the term (1/S) sum |x - y| has std sd(|X - y|)/sqrt(S); the
    // pairwise U-statistic term has std <= sd(|X - X'|)/sqrt(S); bias E|X - X'|/(2S).
    const Eigen::ArrayXd a = (draws.row(i).array() - d.y[i]).abs();
    const Eigen::ArrayXd b =
        (draws.row(i).head(s / 2).array() - draws.row(i).tail(s / 2).array()).abs();
    const double sd_a = std::sqrt((a - a.mean()).square().mean());
    const double sd_b = std::sqrt((b - b.mean()).square().mean());
    const double tol = 5.0 * (sd_a + sd_b) / std::sqrt(double(s)) + b.mean() / s;
    CAPTURE(i);
    CAPTURE(tol);
    CHECK(std::abs(mc[i] - exact[i]) < tol);
  }
}

TEST_CASE("mixture_nll equals minus the log of the averaged component densities") {
  const auto d = mixture_data(31, 10, 4);
  const Vector nll = pm::mixture_nll_pointwise(d.y, d.means, d.variances);
  for (int i = 0; i < 10; ++i) {
    double density = 0.0;
    for (int k = 0; k < 4; ++k) {
      density += boost::math::pdf(
          boost::math::normal_distribution<double>(d.means(i, k), std::sqrt(d.variances(i, k))),
          d.y[i]);
    }
    CHECK(nll[i] == doctest::Approx(-std::log(density / 4)).epsilon(1e-12));
  }
  // Far in the tail every density underflows to 0; log-sum-exp still gives the exact
  // value, which for identical components is the Gaussian NLL.
  const Vector y{{100.0}}, mu{{0.0}}, var{{0.01}};
  const Matrix means = Matrix::Zero(1, 3), vars = Matrix::Constant(1, 3, 0.01);
  const double expected = pm::gaussian_nll(y, mu, var);
  CHECK(std::isfinite(expected));
  CHECK(pm::mixture_nll(y, means, vars) == doctest::Approx(expected).epsilon(1e-13));
}

TEST_CASE("mixture_quantile inverts mixture_cdf") {
  const Vector mu{{-3.0, 0.5, 4.0}}, var{{0.3, 2.0, 0.05}};
  for (double p : {1e-9, 1e-3, 0.1, 0.3333, 0.5, 0.77, 0.99, 1 - 1e-9}) {
    const double q = pm::mixture_quantile(p, mu, var);
    CAPTURE(p);
    CHECK(std::abs(pm::mixture_cdf(q, mu, var) - p) < 1e-13);
  }
  // One component: the normal quantile.
  const Vector one_mu{{2.0}}, one_var{{9.0}};
  for (double p : {0.01, 0.5, 0.975}) {
    CHECK(pm::mixture_quantile(p, one_mu, one_var) ==
          doctest::Approx(2.0 + 3.0 * Phi_inv(p)).epsilon(1e-12));
  }
}

TEST_CASE("mixture_mean and mixture_variance are the moments of the mixture") {
  const Matrix means{{1.0, 3.0}}, vars{{0.5, 1.5}};
  CHECK(pm::mixture_mean(means)[0] == doctest::Approx(2.0));
  // (1/M) sum (s^2 + mu^2) - mean^2 = (1.5 + 10.5) / 2 - 4 = 2.
  CHECK(pm::mixture_variance(means, vars)[0] == doctest::Approx(2.0).epsilon(1e-14));
}

TEST_CASE("sample_crps equals its O(S^2) definition") {
  prospect::Rng rng(41);
  const int n = 5, s = 57;
  Matrix draws(n, s);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < s; ++j) draws(i, j) = 3.0 * rng.normal() + 100.0;
  draws(0, 1) = draws(0, 0);  // ties
  Vector y(n);
  for (int i = 0; i < n; ++i) y[i] = 100.0 + 2.0 * rng.normal();
  const Vector got = pm::sample_crps_pointwise(y, draws);
  for (int i = 0; i < n; ++i) {
    double fit = 0.0, spread = 0.0;
    for (int j = 0; j < s; ++j) {
      fit += std::abs(draws(i, j) - y[i]);
      for (int k = 0; k < s; ++k) spread += std::abs(draws(i, j) - draws(i, k));
    }
    const double expected = fit / s - spread / (2.0 * s * s);
    CHECK(got[i] == doctest::Approx(expected).epsilon(1e-12));
  }
  // One draw: the absolute error.
  CHECK(pm::sample_crps(Vector::Constant(1, 1.0), Matrix::Constant(1, 1, 3.5)) ==
        doctest::Approx(2.5));
}

TEST_CASE("PCE: near 0 for data from the predictive, the right size when over-confident") {
  const auto d = gaussian_data(51);
  const Vector pit = pm::gaussian_pit(d.y, d.mean, d.variance);
  CHECK(pm::pce(pit) < kDkw);
  CHECK(pm::pce_sorted(pit) < kDkw + 1.0 / kN);
  CHECK(pm::pce_l2(pit) < kDkw * kDkw);

  // Standard deviation halved: Z = Phi(2 e), so P(Z <= a) = G(a) = Phi(Phi^-1(a) / 2).
  const Vector pit_over = pm::gaussian_pit(d.y, d.mean, d.variance / 4.0);
  const auto G = [](double a) { return Phi(Phi_inv(a) / 2.0); };
  double l1 = 0.0, l2 = 0.0;
  for (int j = 0; j < 100; ++j) {
    const double a = (j + 0.5) / 100;
    l1 += std::abs(G(a) - a) / 100;
    l2 += (G(a) - a) * (G(a) - a) / 100;
  }
  // The sorting estimator tends to the area between G and the diagonal.
  const double area = integrate([&](double a) { return std::abs(G(a) - a); }, 1e-12, 1 - 1e-12);
  const double pce_over = pm::pce(pit_over);
  CHECK(pce_over > 0.05);
  CHECK(std::abs(pce_over - l1) < kDkw);
  CHECK(std::abs(pm::pce_sorted(pit_over) - area) < kDkw + 1.0 / kN);
  // |a^2 - b^2| <= |a - b| (|a| + |b|) <= eps (1 + eps) with |a|, |b| <= 0.5 + eps.
  CHECK(std::abs(pm::pce_l2(pit_over) - l2) < kDkw * (1 + kDkw));
}

TEST_CASE("PCE of data drawn from a mixture, scored by mixture_pit") {
  const auto d = mixture_data(52, kN, 3);
  const Vector pit = pm::mixture_pit(d.y, d.means, d.variances);
  CHECK(pm::pce(pit) < kDkw);
  // Scoring the same data with only the first component is clearly miscalibrated.
  const Vector pit_one = pm::gaussian_pit(d.y, d.means.col(0), d.variances.col(0));
  CHECK(pm::pce(pit_one) > 0.05);
}

TEST_CASE("central coverage of data from the predictive is within binomial tolerance") {
  const auto d = gaussian_data(61);
  for (double level : {0.5, 0.9, 0.95}) {
    const auto [lo, hi] = pm::gaussian_interval(level, d.mean, d.variance);
    const double tol = 4.0 * std::sqrt(level * (1 - level) / kN);
    CAPTURE(level);
    CHECK(std::abs(pm::central_coverage(d.y, lo, hi) - level) < tol);
    CHECK(pm::mean_width(lo, hi) ==
          doctest::Approx(2 * Phi_inv(0.5 + level / 2) * d.variance.cwiseSqrt().mean()));
  }

  // Fewer points for the mixture: each interval costs 120 bisection steps per point.
  const int n = 5000;
  const auto md = mixture_data(62, n, 3);
  for (double level : {0.5, 0.9, 0.95}) {
    const auto [lo, hi] = pm::mixture_interval(level, md.means, md.variances);
    const double tol = 4.0 * std::sqrt(level * (1 - level) / n);
    CAPTURE(level);
    CHECK(std::abs(pm::central_coverage(md.y, lo, hi) - level) < tol);
  }
}

TEST_CASE("interval_score and coverage by hand on three points") {
  const Vector y{{0.5, -1.0, 3.0}}, lo{{0.0, 0.0, 0.0}}, hi{{1.0, 1.0, 1.0}};
  // alpha = 0.1: 1; 1 + 20 * 1 = 21; 1 + 20 * 2 = 41; mean 21.
  CHECK(pm::interval_score(0.1, y, lo, hi) == doctest::Approx(21.0));
  CHECK(pm::central_coverage(y, lo, hi) == doctest::Approx(1.0 / 3.0));
  CHECK(pm::mean_width(lo, hi) == doctest::Approx(1.0));
  // Interval ends count as inside.
  CHECK(pm::central_coverage(Vector{{0.0, 1.0}}, Vector{{0.0, 0.0}}, Vector{{1.0, 1.0}}) == 1.0);
}

TEST_CASE("pinball loss, quantile frequencies and the quantile CRPS") {
  // u = y - q = -1, 0, 1 at tau = 0.25: 0.75, 0, 0.25.
  CHECK(pm::pinball_loss(Vector{{1.0, 2.0, 3.0}}, Vector{{2.0, 2.0, 2.0}}, 0.25) ==
        doctest::Approx(1.0 / 3.0));

  const auto d = gaussian_data(71);
  const auto levels = pm::default_quantile_levels();
  REQUIRE(levels.size() == 19);
  CHECK(levels.front() == doctest::Approx(0.05));
  CHECK(levels.back() == doctest::Approx(0.95));
  Matrix q(kN, 19);
  for (int k = 0; k < 19; ++k) q.col(k) = d.mean + Phi_inv(levels[k]) * d.variance.cwiseSqrt();
  CHECK(pm::quantile_calibration_error(d.y, q, levels) < kDkw);
  const Vector freq = pm::quantile_frequencies(d.y, q, levels);
  CHECK(std::abs(freq[9] - 0.5) < 4 * 0.5 / std::sqrt(double(kN)));
  // Over-confident quantiles (sd halved) miss: about |Phi(Phi^-1(tau) / 2) - tau| each.
  Matrix q_over(kN, 19);
  for (int k = 0; k < 19; ++k)
    q_over.col(k) = d.mean + 0.5 * Phi_inv(levels[k]) * d.variance.cwiseSqrt();
  CHECK(pm::quantile_calibration_error(d.y, q_over, levels) > 0.05);

  // With many midpoint levels the quantile score tends to the CRPS.
  const int kk = 2000, n = 200;
  std::vector<double> fine(kk);
  Matrix qf(n, kk);
  for (int k = 0; k < kk; ++k) {
    fine[k] = (k + 0.5) / kk;
    qf.col(k) = d.mean.head(n) + Phi_inv(fine[k]) * d.variance.head(n).cwiseSqrt();
  }
  const double crps = pm::gaussian_crps(d.y.head(n), d.mean.head(n), d.variance.head(n));
  CHECK(pm::quantile_crps(d.y.head(n), qf, fine) == doctest::Approx(crps).epsilon(1e-3));
}

TEST_CASE("evaluate_calibration of a Predictive: observation vs latent predictive") {
  const auto d = gaussian_data(81);
  prospect::Predictive p;
  p.mean = d.mean;
  p.variance = 0.6 * d.variance;        // latent part
  p.noise_variance = 0.4 * d.variance;  // observation noise
  const auto r = pm::evaluate_calibration(p, d.y);
  CHECK(r.n == static_cast<std::size_t>(kN));
  CHECK(r.nll == doctest::Approx(pm::gaussian_nll(d.y, d.mean, d.variance)).epsilon(1e-12));
  CHECK(r.crps == doctest::Approx(pm::gaussian_crps(d.y, d.mean, d.variance)).epsilon(1e-12));
  const Vector pit = pm::gaussian_pit(d.y, d.mean, d.variance);
  CHECK(r.pce == doctest::Approx(pm::pce(pit)));
  CHECK(r.pce_sorted == doctest::Approx(pm::pce_sorted(pit)));
  CHECK(r.pce_l2 == doctest::Approx(pm::pce_l2(pit)));
  CHECK(r.rmse == doctest::Approx(pm::rmse(d.y, d.mean)));
  CHECK(r.mae == doctest::Approx(pm::mae(d.y, d.mean)));
  CHECK(r.mean_std == doctest::Approx(d.variance.cwiseSqrt().mean()));
  REQUIRE(r.coverage.size() == 3);
  for (const auto& c : r.coverage) {
    CAPTURE(c.nominal);
    CHECK(std::abs(c.empirical - c.nominal) < 4.0 * std::sqrt(c.nominal * (1 - c.nominal) / kN));
    const auto [lo, hi] = pm::gaussian_interval(c.nominal, d.mean, d.variance);
    CHECK(c.mean_width == doctest::Approx(pm::mean_width(lo, hi)));
    CHECK(c.interval_score == doctest::Approx(pm::interval_score(1 - c.nominal, d.y, lo, hi)));
  }
  CHECK(r.coverage[1].nominal == 0.9);

  // The latent predictive alone is over-confident: under-coverage, larger PCE.
  const auto latent = pm::evaluate_calibration(p, d.y, false, {0.9});
  REQUIRE(latent.coverage.size() == 1);
  CHECK(latent.coverage[0].empirical < 0.9 - 0.03);
  CHECK(latent.pce > r.pce + 0.02);

  const std::string line = r.summary();
  CHECK(line.find('\n') == std::string::npos);
  CHECK(contains(line, "cov90="));
  CHECK(contains(r.full_report(), "interval score"));

  // Empty noise_variance counts as noiseless.
  prospect::Predictive noiseless{d.mean, d.variance, Vector()};
  CHECK(pm::evaluate_calibration(noiseless, d.y).nll == doctest::Approx(r.nll).epsilon(1e-12));
}

TEST_CASE("evaluate_calibration of a mixture: M = 1 matches the Gaussian report") {
  const auto d = gaussian_data(91, 2000);
  const auto g = pm::evaluate_calibration(prospect::Predictive{d.mean, d.variance, Vector()}, d.y);
  const auto m = pm::evaluate_calibration(Matrix(d.mean), Matrix(d.variance), d.y);
  CHECK(m.nll == doctest::Approx(g.nll).epsilon(1e-12));
  CHECK(m.crps == doctest::Approx(g.crps).epsilon(1e-9));
  CHECK(m.pce == doctest::Approx(g.pce));
  CHECK(m.rmse == doctest::Approx(g.rmse));
  CHECK(m.mean_std == doctest::Approx(g.mean_std).epsilon(1e-12));
  REQUIRE(m.coverage.size() == g.coverage.size());
  for (std::size_t k = 0; k < g.coverage.size(); ++k) {
    CHECK(m.coverage[k].empirical == doctest::Approx(g.coverage[k].empirical));
    CHECK(m.coverage[k].mean_width == doctest::Approx(g.coverage[k].mean_width).epsilon(1e-9));
  }

  const auto md = mixture_data(92, 3000, 4);
  const auto r = pm::evaluate_calibration(md.means, md.variances, md.y);
  CHECK(r.crps == doctest::Approx(pm::mixture_crps(md.y, md.means, md.variances)));
  CHECK(r.mean_std ==
        doctest::Approx(pm::mixture_variance(md.means, md.variances).cwiseSqrt().mean()));
  CHECK(r.rmse == doctest::Approx(pm::rmse(md.y, pm::mixture_mean(md.means))));
}

TEST_CASE("bad input throws InvalidArgument naming the parameter and the value") {
  const Vector y{{1.0, 2.0}}, mean{{0.0, 0.0}}, var{{1.0, 1.0}};
  std::string msg = message_of([&] { (void)pm::gaussian_nll(y, mean, Vector{{1.0}}); });
  CHECK(contains(msg, "gaussian_nll"));
  CHECK(contains(msg, "variance has size 1"));
  CHECK(contains(msg, "size 2"));
  msg = message_of([&] { (void)pm::gaussian_crps(Vector{{1.0, NAN}}, mean, var); });
  CHECK(contains(msg, "y[1] = nan"));
  msg = message_of([&] { (void)pm::gaussian_pit(y, mean, Vector{{1.0, 0.0}}); });
  CHECK(contains(msg, "variance[1] = 0"));
  CHECK(contains(msg, "> 0"));
  msg = message_of([&] { (void)pm::gaussian_nll(y, mean, Vector{{-1.0, 1.0}}); });
  CHECK(contains(msg, "variance[0] = -1"));
  msg = message_of([&] { (void)pm::gaussian_nll(Vector(), Vector(), Vector()); });
  CHECK(contains(msg, "y is empty"));
  msg = message_of([&] { (void)pm::gaussian_interval(1.0, mean, var); });
  CHECK(contains(msg, "level = 1"));
  CHECK(contains(msg, "(0, 1)"));

  const Matrix mm = Matrix::Zero(2, 3), vv = Matrix::Ones(2, 3);
  msg = message_of([&] { (void)pm::mixture_nll(y, mm, Matrix::Ones(2, 2)); });
  CHECK(contains(msg, "variances is 2 x 2"));
  msg = message_of([&] { (void)pm::mixture_crps(Vector{{1.0}}, mm, vv); });
  CHECK(contains(msg, "means has 2 rows"));
  Matrix vbad = vv;
  vbad(1, 2) = 0.0;
  msg = message_of([&] { (void)pm::mixture_pit(y, mm, vbad); });
  CHECK(contains(msg, "variances(1, 2) = 0"));
  msg = message_of([&] { (void)pm::mixture_quantile(0.0, mean, var); });
  CHECK(contains(msg, "p = 0"));
  msg = message_of([&] { (void)pm::mixture_cdf(INFINITY, mean, var); });
  CHECK(contains(msg, "t = inf"));
  msg = message_of([&] { (void)pm::mixture_crps(y, Matrix(2, 0), Matrix(2, 0)); });
  CHECK(contains(msg, "0 columns"));

  msg = message_of([&] { (void)pm::sample_crps(y, Matrix(2, 0)); });
  CHECK(contains(msg, "samples has 0 columns"));
  msg = message_of([&] { (void)pm::pce(Vector{{0.5, 1.5}}); });
  CHECK(contains(msg, "pit[1] = 1.5"));
  msg = message_of([&] { (void)pm::pce(Vector{{0.5}}, 0); });
  CHECK(contains(msg, "n_levels = 0"));
  msg = message_of([&] { (void)pm::central_coverage(y, Vector{{0.0, 3.0}}, Vector{{1.0, 2.0}}); });
  CHECK(contains(msg, "lower[1] = 3 > upper[1] = 2"));
  msg = message_of([&] { (void)pm::interval_score(1.0, y, mean, var); });
  CHECK(contains(msg, "alpha = 1"));
  msg = message_of([&] { (void)pm::pinball_loss(y, mean, -0.1); });
  CHECK(contains(msg, "tau = -0.1"));
  msg = message_of([&] { (void)pm::quantile_calibration_error(y, Matrix::Zero(2, 2), {0.5}); });
  CHECK(contains(msg, "quantiles is 2 x 2"));
  msg = message_of([&] {
    (void)pm::quantile_calibration_error(y, Matrix::Zero(2, 2), {0.5, 1.0});
  });
  CHECK(contains(msg, "levels[1] = 1"));

  prospect::Predictive p{mean, var, Vector{{0.1, 0.1, 0.1}}};
  msg = message_of([&] { (void)pm::evaluate_calibration(p, y); });
  CHECK(contains(msg, "predictive.noise_variance has size 3"));
  p.noise_variance = Vector{{0.1, 0.1}};
  msg = message_of([&] { (void)pm::evaluate_calibration(p, y, true, {0.5, 1.5}); });
  CHECK(contains(msg, "levels[1] = 1.5"));
  p.variance = Vector{{0.0, 1.0}};
  CHECK_NOTHROW((void)pm::evaluate_calibration(p, y));  // noise makes it positive
  msg = message_of([&] { (void)pm::evaluate_calibration(p, y, false); });
  CHECK(contains(msg, "predictive.variance[0] = 0"));
  msg = message_of([&] { (void)pm::evaluate_calibration(mm, vv, Vector{{1.0, NAN}}); });
  CHECK(contains(msg, "y[1] = nan"));

  // Every error is also catchable as std::invalid_argument and prospect::Error.
  CHECK_THROWS_AS((void)pm::rmse(y, Vector{{1.0}}), std::invalid_argument);
  CHECK_THROWS_AS((void)pm::mae(y, Vector{{1.0}}), prospect::Error);
}
