// Tests of the Monte Carlo batch acquisitions (qEI, qLogEI, qUCB, qLogNEI): q = 1
// against the closed forms of analytic.hpp with tolerances from the iid standard error
// (the QMC error is smaller), gradients against central finite differences, pending
// points, determinism and bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "acquisition/smoothed_improvement.hpp"
#include "prospect/acquisition/analytic.hpp"
#include "prospect/acquisition/monte_carlo.hpp"
#include "prospect/errors.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/gaussian_process.hpp"

namespace acq = prospect::acquisition;
namespace pk = prospect::kernels;
using prospect::AcquisitionContext;
using prospect::Dataset;
using prospect::GaussianProcess;
using prospect::GaussianProcessOptions;
using prospect::Matrix;
using prospect::NoiseModel;
using prospect::Rng;
using prospect::Vector;

namespace {

constexpr int kBig = 1 << 14;  // samples for the comparisons with closed forms

Matrix uniform_matrix(Eigen::Index n, Eigen::Index d, Rng& rng, double lo = 0.0, double hi = 1.0) {
  Matrix X(n, d);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < d; ++j) X(i, j) = lo + (hi - lo) * rng.uniform();
  return X;
}

// A smooth but wiggly function of two variables (a GP on a dozen points keeps a
// sizeable posterior sd), observed at n random points.
Dataset make_data(Eigen::Index n, std::uint64_t seed, double noise_sd = 0.0) {
  Rng rng(seed);
  Dataset data;
  data.X = uniform_matrix(n, 2, rng);
  data.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double a = data.X(i, 0), b = data.X(i, 1);
    data.y(i) =
        std::sin(7.0 * a) + std::cos(6.0 * b) + std::sin(5.0 * a * b) + noise_sd * rng.normal();
  }
  return data;
}

// Held by pointer: GaussianProcess's move needs its private state's definition.
std::unique_ptr<GaussianProcess> fitted_gp(const Dataset& data,
                                           NoiseModel noise = NoiseModel::learned) {
  GaussianProcessOptions options;
  options.noise = noise;
  auto gp = std::make_unique<GaussianProcess>(pk::Matern52{}, options);
  gp->fit(data, 5);
  return gp;
}

std::unique_ptr<prospect::Acquisition> prepared(const acq::MonteCarloOptions& options,
                                                const GaussianProcess& gp, const Dataset& data,
                                                Eigen::Index q, const Matrix& pending = Matrix(),
                                                std::uint64_t seed = 11) {
  auto a = acq::make_monte_carlo(options);
  a->set_batch_size(q);
  AcquisitionContext context;
  context.model = &gp;
  context.data = &data;
  context.incumbent = data.y.maxCoeff();
  context.X_pending = pending;
  context.seed = seed;
  a->prepare(context);
  return a;
}

double value_at(const prospect::Acquisition& a, const Vector& x) {
  Vector v(1);
  a.evaluate(x.transpose(), v);
  return v[0];
}

// k points (rows) with large analytic EI, at least min_distance apart: the greedy best
// of 400 random points. Where EI is ~0 the Monte Carlo acquisitions are flat.
Matrix promising_points(const GaussianProcess& gp, double incumbent, Eigen::Index k,
                        double min_distance, std::uint64_t seed) {
  Rng rng(seed);
  const Matrix C = uniform_matrix(400, 2, rng, 0.05, 0.95);
  const prospect::Predictive p = gp.predict(C);
  Vector ei(C.rows());
  for (Eigen::Index i = 0; i < C.rows(); ++i)
    ei[i] = acq::expected_improvement(p.mean[i], std::sqrt(p.variance[i]), incumbent).value;
  Matrix out(k, 2);
  for (Eigen::Index c = 0; c < k; ++c) {
    Eigen::Index best = 0;
    ei.maxCoeff(&best);
    out.row(c) = C.row(best);
    for (Eigen::Index i = 0; i < C.rows(); ++i)
      if ((C.row(i) - C.row(best)).norm() < min_distance) ei[i] = -1.0;
  }
  return out;
}

double normal_pdf(double u) {
  return std::exp(-0.5 * u * u) / std::sqrt(2.0 * std::numbers::pi);
}
double normal_cdf(double u) {
  return 0.5 * std::erfc(-u / std::sqrt(2.0));
}

// Standard deviation of the improvement (f - incumbent)^+ for f ~ N(mean, sd^2):
// E[I^2] = sd^2 ((u^2 + 1) Phi(u) + u phi(u)), u = (mean - incumbent) / sd.
double improvement_sd(double mean, double sd, double incumbent) {
  const double u = (mean - incumbent) / sd;
  const double ei = sd * (normal_pdf(u) + u * normal_cdf(u));
  const double second = sd * sd * ((u * u + 1.0) * normal_cdf(u) + u * normal_pdf(u));
  return std::sqrt(std::max(second - ei * ei, 0.0));
}

// A joint posterior whose blocks disagree: every row has variance 1 and the fixed rows
// (the pending points) are independent, but with three rows the first (the candidate)
// has covariance 0.9 with each of the others, so its conditional variance
// 1 - 2 * 0.81 is clearly negative, beyond any jitter: run()'s Cholesky fails.
class InconsistentPosterior final : public prospect::Surrogate {
 public:
  std::unique_ptr<prospect::Surrogate> clone() const override {
    return std::make_unique<InconsistentPosterior>(*this);
  }
  std::string name() const override { return "inconsistent"; }
  prospect::SurrogateCapabilities capabilities() const override {
    prospect::SurrogateCapabilities c;
    c.joint_posterior = true;
    c.joint_gradients = true;
    return c;
  }
  void fit(const Dataset&, std::uint64_t) override {}
  bool fitted() const override { return true; }
  Eigen::Index dimension() const override { return 2; }
  prospect::Predictive predict(prospect::MatrixCRef X) const override {
    prospect::Predictive p;
    p.mean = Vector::Zero(X.rows());
    p.variance = Vector::Ones(X.rows());
    p.noise_variance = Vector::Zero(X.rows());
    return p;
  }
  double noise_variance() const override { return 0.0; }
  prospect::JointPosterior joint_posterior(prospect::MatrixCRef X,
                                           Eigen::Index /*coupled*/) const override {
    prospect::JointPosterior jp;
    jp.mean = Vector::Zero(X.rows());
    jp.covariance = Matrix::Identity(X.rows(), X.rows());
    if (X.rows() == 3) {
      jp.covariance.row(0).tail(2).setConstant(0.9);
      jp.covariance.col(0).tail(2).setConstant(0.9);
    }
    return jp;
  }
};

}  // namespace

TEST_CASE("q = 1: qEI, qLogEI and qUCB agree with the closed forms") {
  const Dataset data = make_data(12, 3);
  const auto gp_ptr = fitted_gp(data);
  const GaussianProcess& gp = *gp_ptr;
  const double incumbent = data.y.maxCoeff();
  const auto qei = prepared(acq::qEI{kBig}, gp, data, 1);
  const auto qlogei = prepared(acq::qLogEI{.samples = kBig}, gp, data, 1);
  const acq::qUCB ucb_options{.beta = 2.5, .samples = kBig};
  const auto qucb = prepared(ucb_options, gp, data, 1);
  // Points with sizeable EI, and random ones (mostly EI ~ 0).
  Rng rng(4);
  Matrix X(8, 2);
  X << promising_points(gp, incumbent, 4, 0.1, 4), uniform_matrix(4, 2, rng);
  const prospect::Predictive p = gp.predict(X);
  int positive = 0;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const Vector x = X.row(i).transpose();
    const double sd = std::sqrt(p.variance[i]);
    const double ei = acq::expected_improvement(p.mean[i], sd, incumbent).value;
    if (ei > 1e-4) ++positive;
    // 4 iid standard errors: the scrambled-Sobol error is well below the iid one.
    const double se = improvement_sd(p.mean[i], sd, incumbent) / std::sqrt(double(kBig));
    const double v_ei = value_at(*qei, x);
    CHECK(std::abs(v_ei - ei) <= 4.0 * se + 1e-12);
    // fatplus - relu lies in [0, (log 2 + 0.1) tau_relu] pointwise, and for q = 1 fatmax
    // is the identity: the same base samples give exp(qLogEI) - qEI in that interval.
    const double v_logei = value_at(*qlogei, x);
    const double bias = (std::log(2.0) + 0.1) * 1e-6;
    CHECK(std::exp(v_logei) >= v_ei - 1e-12 * (1.0 + v_ei));
    CHECK(std::exp(v_logei) <= v_ei + bias + 1e-12 * (1.0 + v_ei));
    // qUCB = mean + beta' mean|xi - mean| estimates mean + sqrt(beta) sd; the iid error
    // is sd (1 + beta' sd|Z|) / sqrt(N) with sd|Z| = sqrt(1 - 2/pi).
    const double beta_prime = std::sqrt(2.5 * std::numbers::pi / 2.0);
    const double ucb = acq::upper_confidence_bound(p.mean[i], sd, 2.5).value;
    const double ucb_se =
        sd * (1.0 + beta_prime * std::sqrt(1.0 - 2.0 / std::numbers::pi)) / std::sqrt(double(kBig));
    CHECK(std::abs(value_at(*qucb, x) - ucb) <= 4.0 * ucb_se);
  }
  CHECK(positive >= 4);  // the comparison is not only between zeros
}

TEST_CASE("gradients match central finite differences") {
  const Dataset data = make_data(14, 8, 0.05);
  const auto gp_ptr = fitted_gp(data);
  const GaussianProcess& gp = *gp_ptr;
  // Pending points and candidates where EI is sizeable, so that every branch counts.
  const Matrix spots = promising_points(gp, data.y.maxCoeff(), 5, 0.12, 21);
  const Matrix pending = spots.topRows(2);
  Rng rng(21);
  const std::vector<acq::MonteCarloOptions> kinds = {
      acq::qEI{256}, acq::qLogEI{.samples = 256}, acq::qUCB{.beta = 3.0, .samples = 256},
      acq::qLogNEI{.samples = 256, .prune_samples = 512}};
  for (const auto& kind : kinds) {
    for (Eigen::Index q : {1, 3}) {
      for (bool with_pending : {false, true}) {
        CAPTURE(acq::monte_carlo_name(kind));
        CAPTURE(q);
        CAPTURE(with_pending);
        const auto a = prepared(kind, gp, data, q, with_pending ? pending : Matrix());
        REQUIRE(a->has_gradient());
        Vector x(q * 2);
        for (Eigen::Index j = 0; j < q; ++j)
          for (Eigen::Index c = 0; c < 2; ++c) x[j * 2 + c] = spots(2 + j, c) + 0.02 * rng.normal();
        Vector grad(q * 2);
        const double v = a->evaluate_with_gradient(x, grad);
        CHECK(v == doctest::Approx(value_at(*a, x)).epsilon(1e-12));
        CHECK(grad.norm() > 0.0);
        const double h = 1e-6;
        for (Eigen::Index k = 0; k < x.size(); ++k) {
          Vector xp = x, xm = x;
          xp[k] += h;
          xm[k] -= h;
          const double fd = (value_at(*a, xp) - value_at(*a, xm)) / (2.0 * h);
          CAPTURE(k);
          // Rounding in the difference quotient: ~1e-16 |value| / h.
          CHECK(grad[k] == doctest::Approx(fd).epsilon(1e-4).scale(
                               std::max(1e-2 * grad.norm(), 1e-7 * (1.0 + std::abs(v)))));
        }
      }
    }
  }
}

TEST_CASE("same seed, same values; another seed, other values") {
  const Dataset data = make_data(12, 3, 0.05);
  const auto gp_ptr = fitted_gp(data);
  const GaussianProcess& gp = *gp_ptr;
  const Matrix spots = promising_points(gp, data.y.maxCoeff(), 12, 0.05, 2);
  Matrix X(4, 6);  // q = 3
  for (Eigen::Index r = 0; r < 4; ++r)
    X.row(r) << spots.row(3 * r), spots.row(3 * r + 1), spots.row(3 * r + 2);
  for (const acq::MonteCarloOptions& kind :
       {acq::MonteCarloOptions(acq::qEI{}), acq::MonteCarloOptions(acq::qLogNEI{})}) {
    Vector a(4), b(4), c(4);
    prepared(kind, gp, data, 3, Matrix(), 7)->evaluate(X, a);
    prepared(kind, gp, data, 3, Matrix(), 7)->evaluate(X, b);
    prepared(kind, gp, data, 3, Matrix(), 8)->evaluate(X, c);
    CHECK(a == b);
    CHECK((a - c).cwiseAbs().maxCoeff() > 0.0);
    // A clone is prepared too and gives the same numbers.
    const auto original = prepared(kind, gp, data, 3, Matrix(), 7);
    const auto copy = original->clone();
    Vector d(4);
    copy->evaluate(X, d);
    CHECK(d == a);
  }
}

TEST_CASE("qLogNEI on noiseless data is close to LogEI with the best observation") {
  const Dataset data = make_data(12, 5);
  const auto gp_ptr = fitted_gp(data, NoiseModel::none);
  const GaussianProcess& gp = *gp_ptr;
  const double incumbent = data.y.maxCoeff();
  const auto nei = prepared(acq::qLogNEI{.samples = kBig}, gp, data, 1);
  auto* mc = dynamic_cast<acq::MonteCarloAcquisition*>(nei.get());
  REQUIRE(mc != nullptr);
  CHECK(mc->baseline_size() >= 1);
  CHECK(mc->baseline_size() <= data.X.rows());
  // The best observation is the argmax in the draws, so it survives the pruning.
  Eigen::Index best = 0;
  data.y.maxCoeff(&best);
  bool kept = false;
  for (Eigen::Index i = 0; i < mc->baseline_size(); ++i)
    kept = kept || (mc->fixed_points().row(i) - data.X.row(best)).norm() == 0.0;
  CHECK(kept);
  // The sampled incumbent differs from max y by how far the posterior at the data is
  // from the observations (interpolation error and posterior sd); EI is 1-Lipschitz in
  // the incumbent.
  const prospect::Predictive at_data = gp.predict(data.X);
  const double shift = (at_data.mean - data.y).cwiseAbs().maxCoeff() +
                       4.0 * at_data.variance.cwiseMax(0.0).cwiseSqrt().maxCoeff();
  const Matrix X = promising_points(gp, incumbent, 6, 0.1, 6);
  const prospect::Predictive p = gp.predict(X);
  int compared = 0;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double sd = std::sqrt(p.variance[i]);
    const double ei = acq::expected_improvement(p.mean[i], sd, incumbent).value;
    const double se = improvement_sd(p.mean[i], sd, incumbent) / std::sqrt(double(kBig));
    const double tol = 4.0 * se + shift + 1e-6;
    if (tol > 0.2 * ei) continue;  // a comparison of logs that says little
    ++compared;
    const double v = value_at(*nei, X.row(i).transpose());
    CHECK(std::abs(v - acq::log_expected_improvement(p.mean[i], sd, incumbent).value) <=
          std::log1p(tol / ei) + 1e-9);
  }
  CHECK(compared >= 2);
}

TEST_CASE("pending points: no double reward") {
  const Dataset data = make_data(12, 3);
  const auto gp_ptr = fitted_gp(data);
  const GaussianProcess& gp = *gp_ptr;
  const double incumbent = data.y.maxCoeff();
  // Two far-apart points with a clearly positive EI.
  const Matrix spots = promising_points(gp, incumbent, 2, 0.3, 9);
  const Vector x = spots.row(0).transpose();
  const Vector other = spots.row(1).transpose();
  const prospect::Predictive px = gp.predict(spots);
  const double sd = std::sqrt(px.variance[0]);
  const double best_ei = acq::expected_improvement(px.mean[0], sd, incumbent).value;
  const double se = improvement_sd(px.mean[0], sd, incumbent) / std::sqrt(double(kBig));
  REQUIRE(best_ei > 20.0 * se);

  // A candidate equal to the pending point adds (almost) nothing to the pending point's EI.
  const auto with_pending = prepared(acq::qEI{kBig}, gp, data, 1, x.transpose());
  const double v_same = value_at(*with_pending, x);
  CHECK(std::abs(v_same - best_ei) <= 4.0 * se + 1e-6);
  // Elsewhere the candidate does add something.
  CHECK(value_at(*with_pending, other) > v_same + 4.0 * se);

  // Two coincident candidates score no more than one.
  const auto pair = prepared(acq::qEI{kBig}, gp, data, 2);
  Vector xx(4);
  xx << x, x;
  CHECK(value_at(*pair, xx) <= best_ei + 4.0 * se + 1e-6);
  Vector xo(4);
  xo << x, other;
  CHECK(value_at(*pair, xo) > best_ei + 4.0 * se);
}

TEST_CASE("bad input throws typed errors") {
  const Dataset data = make_data(10, 3);
  const auto gp_ptr = fitted_gp(data);
  const GaussianProcess& gp = *gp_ptr;
  // Options.
  CHECK_THROWS_AS(acq::MonteCarloAcquisition(acq::qEI{0}), prospect::InvalidArgument);
  CHECK_THROWS_WITH_AS(acq::MonteCarloAcquisition(acq::qLogEI{.samples = 8, .tau_relu = -1.0}),
                       doctest::Contains("qLogEI.tau_relu"), prospect::InvalidArgument);
  CHECK_THROWS_AS(acq::MonteCarloAcquisition(acq::qLogNEI{.tau_max = 0.0}),
                  prospect::InvalidArgument);
  CHECK_THROWS_WITH_AS(acq::MonteCarloAcquisition(acq::qLogNEI{.prune_samples = 0}),
                       doctest::Contains("prune_samples"), prospect::InvalidArgument);
  CHECK_THROWS_WITH_AS(acq::MonteCarloAcquisition(acq::qUCB{.beta = -1.0}),
                       doctest::Contains("qUCB.beta"), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)acq::monte_carlo_from_string("qpi"), prospect::InvalidArgument);
  CHECK(acq::monte_carlo_name(acq::monte_carlo_from_string("QLogNEI")) == "qlognei");

  acq::MonteCarloAcquisition a(acq::qEI{64});
  CHECK(a.joint_batch());
  CHECK(a.batch_size() == 1);
  CHECK_THROWS_AS(a.set_batch_size(0), prospect::InvalidArgument);
  Vector v(1);
  CHECK_THROWS_AS(a.evaluate(Matrix::Constant(1, 2, 0.5), v), prospect::InvalidState);
  // prepare() without a model, with a bad pending matrix or incumbent: unchanged.
  AcquisitionContext context;
  CHECK_THROWS_AS(a.prepare(context), prospect::InvalidArgument);
  context.model = &gp;
  context.incumbent = std::nan("");
  CHECK_THROWS_AS(a.prepare(context), prospect::InvalidArgument);
  context.incumbent = 1.0;
  context.X_pending = Matrix::Constant(1, 3, 0.5);
  CHECK_THROWS_AS(a.prepare(context), prospect::InvalidArgument);
  CHECK_FALSE(a.has_gradient());
  context.X_pending.resize(0, 0);
  // qLogNEI needs the data.
  acq::MonteCarloAcquisition nei(acq::qLogNEI{.samples = 64});
  CHECK_THROWS_WITH_AS(nei.prepare(context), doctest::Contains("context.data"),
                       prospect::InvalidArgument);

  a.set_batch_size(2);
  a.prepare(context);
  CHECK_THROWS_AS(a.evaluate(Matrix::Constant(1, 2, 0.5), v), prospect::InvalidArgument);
  Vector v2(2);
  CHECK_THROWS_AS(a.evaluate(Matrix::Constant(1, 4, 0.5), v2), prospect::InvalidArgument);
  Matrix nan_row = Matrix::Constant(1, 4, 0.5);
  nan_row(0, 1) = std::nan("");
  CHECK_THROWS_AS(a.evaluate(nan_row, v), prospect::InvalidArgument);
  Vector g(3);
  CHECK_THROWS_AS((void)a.evaluate_with_gradient(Vector::Constant(4, 0.5), g),
                  prospect::InvalidArgument);
  // A new q un-prepares.
  a.set_batch_size(3);
  CHECK_THROWS_AS(a.evaluate(Matrix::Constant(1, 6, 0.5), v), prospect::InvalidState);
}

TEST_CASE("concurrent evaluations agree with serial ones") {
  const Dataset data = make_data(12, 3, 0.05);
  const auto gp_ptr = fitted_gp(data);
  const GaussianProcess& gp = *gp_ptr;
  Rng rng(12);
  const Matrix pending = uniform_matrix(1, 2, rng);
  const auto a = prepared(acq::qLogNEI{.samples = 128, .prune_samples = 256}, gp, data, 2, pending);
  const Matrix X = uniform_matrix(16, 4, rng);
  Vector serial(16), values(16);
  Matrix serial_grad(16, 4), grads(16, 4);
  a->evaluate(X, serial);
  for (Eigen::Index i = 0; i < 16; ++i) {
    Vector g(4);
    (void)a->evaluate_with_gradient(X.row(i).transpose(), g);
    serial_grad.row(i) = g.transpose();
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (Eigen::Index i = t; i < 16; i += 4) {
        Vector v(1), g(4);
        a->evaluate(X.row(i), v);
        values[i] = v[0];
        (void)a->evaluate_with_gradient(X.row(i).transpose(), g);
        grads.row(i) = g.transpose();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(values == serial);
  CHECK(grads == serial_grad);
}

// The packed (whole-array) evaluation of the qLogEI / qLogNEI terms against the
// one-sample-at-a-time reference, on samples that reach every branch: far below and above
// the kink, within 745 tau of it (recomputed exactly), exact zeros and tied columns.
TEST_CASE("packed log-improvement terms equal the row-by-row reference") {
  namespace sm = acq::smoothed;
  const Eigen::Index N = 512, r = 4;
  std::mt19937_64 engine(7);
  std::uniform_real_distribution<double> wide(-3.0, 1.0), near(-5e-4, 5e-4), u01(0.0, 1.0);
  Matrix Y(N, r);
  Vector best(N);
  for (Eigen::Index i = 0; i < N; ++i) {
    best[i] = wide(engine);
    for (Eigen::Index j = 0; j < r; ++j) {
      const double kind = u01(engine);
      const double z = kind < 0.1 ? near(engine) : (kind < 0.12 ? 0.0 : wide(engine));
      Y(i, j) = best[i] + z;
    }
    if (i % 17 == 0) Y(i, 3) = Y(i, 1);  // a tie for the row's maximum now and then
  }
  for (const double tau_relu : {1e-6, 1e-3, 1.0}) {
    CAPTURE(tau_relu);
    const double tau_max = 1e-2;
    const double log_tau = std::log(tau_relu);
    Vector a_rows(N), a_packed(N);
    Matrix bar_rows(N, r), bar_packed(N, r);
    sm::log_terms_rows(Y, best, tau_relu, log_tau, tau_max, a_rows, &bar_rows);
    REQUIRE(sm::log_terms_packed(Y, best, tau_relu, log_tau, tau_max, a_packed, &bar_packed));
    Vector a_value_only(N);
    REQUIRE(sm::log_terms_packed(Y, best, tau_relu, log_tau, tau_max, a_value_only, nullptr));
    CHECK((a_value_only - a_packed).cwiseAbs().maxCoeff() == 0.0);
    for (Eigen::Index i = 0; i < N; ++i) {
      CAPTURE(i);
      CHECK(a_packed[i] == doctest::Approx(a_rows[i]).epsilon(1e-13));
      for (Eigen::Index j = 0; j < r; ++j) {
        CHECK(bar_packed(i, j) == doctest::Approx(bar_rows(i, j)).epsilon(1e-11).scale(1e-300));
      }
    }
    // The first column's terms known in advance (a pending point): the same terms. (Not
    // column 1, tied with column 3 now and then: the known terms come from the C library's
    // log, an ulp away from Eigen's, which would break the tie the other way.)
    sm::KnownColumns known;
    known.compute(Y.leftCols(1), best, tau_relu);
    REQUIRE(known.columns() == 1);
    Vector a_known(N);
    Matrix bar_known(N, r);
    REQUIRE(sm::log_terms_packed(Y, best, tau_relu, log_tau, tau_max, a_known, &bar_known, &known));
    for (Eigen::Index i = 0; i < N; ++i) {
      CAPTURE(i);
      CHECK(a_known[i] == doctest::Approx(a_rows[i]).epsilon(1e-13));
      for (Eigen::Index j = 0; j < r; ++j) {
        CHECK(bar_known(i, j) == doctest::Approx(bar_rows(i, j)).epsilon(1e-11).scale(1e-300));
      }
    }
    Matrix lme_rows = bar_rows, lme_packed = bar_packed;
    CHECK(sm::log_mean_exp(a_packed, &lme_packed) ==
          doctest::Approx(sm::log_mean_exp(a_rows, &lme_rows)).epsilon(1e-13));
  }
}

// evaluate() scores q = 1 rows in blocks of 64 through one joint posterior; each row must
// get the value it gets alone, across block boundaries, with and without pending points,
// and on a pending point itself (no variance left: the row goes through the jitter path).
TEST_CASE("q = 1: a block of rows scores as each row alone") {
  const Dataset data = make_data(14, 5, 0.05);
  const auto gp_ptr = fitted_gp(data);
  const GaussianProcess& gp = *gp_ptr;
  Rng rng(21);
  const Matrix pending = uniform_matrix(2, 2, rng);
  Matrix X = uniform_matrix(150, 2, rng);
  X.row(70) = pending.row(1);
  X.row(3) = data.X.row(0);
  const std::vector<acq::MonteCarloOptions> kinds = {
      acq::qEI{.samples = 256}, acq::qLogEI{.samples = 256}, acq::qUCB{.samples = 256},
      acq::qLogNEI{.samples = 256, .prune_samples = 256}};
  for (const auto& options : kinds) {
    for (const bool with_pending : {false, true}) {
      const auto a = prepared(options, gp, data, 1, with_pending ? pending : Matrix());
      CAPTURE(a->name());
      CAPTURE(with_pending);
      Vector block(X.rows());
      a->evaluate(X, block);
      for (Eigen::Index i = 0; i < X.rows(); ++i) {
        CAPTURE(i);
        const double alone = value_at(*a, X.row(i).transpose());
        CHECK(block[i] == doctest::Approx(alone).epsilon(1e-10).scale(1e-12));
      }
    }
  }
}

// A candidate whose conditional covariance cannot be factored scores -infinity with a zero
// gradient of the full size (it once came back empty, and the caller's copy read from a
// null pointer).
TEST_CASE("an unfactorable candidate block gives -infinity and a sized zero gradient") {
  const InconsistentPosterior model;
  Dataset data;
  data.X = Matrix::Constant(1, 2, 0.5);
  data.y = Vector::Zero(1);
  Matrix pending(2, 2);
  pending << 0.2, 0.2, 0.8, 0.8;
  auto a = acq::make_monte_carlo(acq::qLogEI{.samples = 64});
  AcquisitionContext context;
  context.model = &model;
  context.data = &data;
  context.incumbent = 0.0;
  context.X_pending = pending;
  context.seed = 3;
  a->prepare(context);
  REQUIRE(a->has_gradient());
  Vector grad = Vector::Constant(2, 7.0);
  const double value = a->evaluate_with_gradient(Vector::Constant(2, 0.4), grad);
  CHECK(value == -std::numeric_limits<double>::infinity());
  CHECK(grad.size() == 2);
  CHECK(grad.isZero(0.0));
}

TEST_CASE("packed log-improvement terms decline non-finite terms; logmeanexp is exact") {
  namespace sm = acq::smoothed;
  Matrix Y(2, 2);
  Y << 0.5, std::numeric_limits<double>::infinity(), -1.0, 0.25;
  const Vector best = Vector::Zero(2);
  Vector a(2);
  CHECK_FALSE(sm::log_terms_packed(Y, best, 1e-6, std::log(1e-6), 1e-2, a, nullptr));
  // A shortfall of 1e200 / tau overflows x^2: the packed path's term is log 0 and it
  // declines; the row path gives that column no weight and stays finite.
  Y << 1e200, -1e200, -1.0, 0.25;
  Vector a_rows(2);
  Matrix bar_rows(2, 2);
  CHECK_FALSE(sm::log_terms_packed(Y, best, 1e-6, std::log(1e-6), 1e-2, a, nullptr));
  sm::log_terms_rows(Y, best, 1e-6, std::log(1e-6), 1e-2, a_rows, &bar_rows);
  CHECK(a_rows.allFinite());
  CHECK(bar_rows(0, 1) == 0.0);
  // logmeanexp against the direct formula, with softmax weights that sum to 1.
  Vector terms(3);
  terms << -1.0, -2.5, -40.0;
  Matrix bar = Matrix::Ones(3, 1);
  const double direct = std::log((std::exp(-1.0) + std::exp(-2.5) + std::exp(-40.0)) / 3.0);
  CHECK(sm::log_mean_exp(terms, &bar) == doctest::Approx(direct).epsilon(1e-15));
  CHECK(bar.sum() == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(bar(0, 0) ==
        doctest::Approx(std::exp(-1.0) / (std::exp(-1.0) + std::exp(-2.5) + std::exp(-40.0))));
  const Vector none = Vector::Constant(2, -std::numeric_limits<double>::infinity());
  Matrix bar_none = Matrix::Ones(2, 1);
  CHECK(sm::log_mean_exp(none, &bar_none) == -std::numeric_limits<double>::infinity());
  CHECK(bar_none.isZero());
}
