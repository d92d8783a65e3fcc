// Tests of the knowledge-gradient acquisitions: the exact discrete KG (envelope) against
// Monte Carlo and finite differences, the finite-set KG / noisy EI against brute-force
// fantasies through condition_on(), and the one-shot KG against the finite-set KG on a
// fine grid, with its gradient against finite differences.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <chrono>
#include <cmath>
#include <numbers>
#include <random>

#include "acquisition_checks.hpp"
#include "prospect/acquisition/knowledge_gradient.hpp"
#include "prospect/acquisition_optimizer.hpp"
#include "prospect/errors.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/gaussian_process.hpp"
#include "test_support.hpp"

using prospect::Dataset;
using prospect::GaussianProcess;
using prospect::Matrix;
using prospect::Vector;
namespace pa = prospect::acquisition;
namespace pk = prospect::kernels;

namespace {

Dataset make_data(Eigen::Index n, Eigen::Index d, double noise_sd, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Dataset data;
  data.X = prospect::test::uniform(n, d, rng);
  data.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    double v = 0.0;
    for (Eigen::Index j = 0; j < d; ++j)
      v += std::sin(6.0 * data.X(i, j) + static_cast<double>(j)) * (1.0 + 0.3 * j);
    data.y(i) = 2.0 * v + noise_sd * normal(rng);
  }
  return data;
}

// Brute-force E[max_i a_i + b_i Z] - max_i a_i and its standard error.
std::pair<double, double> monte_carlo_kg(const Vector& a, const Vector& b, int n,
                                         std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  const double top = a.maxCoeff();
  double sum = 0.0, sum2 = 0.0;
  for (int k = 0; k < n; ++k) {
    const double z = normal(rng);
    const double v = (a + b * z).maxCoeff() - top;
    sum += v;
    sum2 += v * v;
  }
  const double mean = sum / n;
  const double var = sum2 / n - mean * mean;
  return {mean, std::sqrt(var / n)};
}

// The context of a model fitted on `data`, with base samples from `seed`.
prospect::AcquisitionContext context_of(const GaussianProcess& gp, const Dataset& data,
                                        std::uint64_t seed = 0) {
  prospect::AcquisitionContext context;
  context.model = &gp;
  context.data = &data;
  context.seed = seed;
  return context;
}

using prospect::test::check_gradient;

// A fitted GP whose joint posterior is broken where the first row's x_0 < 0.5: the
// variance of that row is made negative (beyond any jitter), as an indefinite kernel's
// rounding once did (the NNGP kernel's clamp, found by test_study_fuzz).
class BrokenLeftHalf final : public prospect::Surrogate {
 public:
  explicit BrokenLeftHalf(const GaussianProcess& gp) : gp_(gp) {}
  std::unique_ptr<prospect::Surrogate> clone() const override {
    return std::make_unique<BrokenLeftHalf>(*this);
  }
  std::string name() const override { return "broken_left_half"; }
  prospect::SurrogateCapabilities capabilities() const override { return gp_.capabilities(); }
  void fit(const Dataset&, std::uint64_t) override {}
  bool fitted() const override { return true; }
  Eigen::Index dimension() const override { return gp_.dimension(); }
  prospect::Predictive predict(prospect::MatrixCRef X) const override { return gp_.predict(X); }
  prospect::PointPrediction predict_with_gradient(prospect::VectorCRef x) const override {
    return gp_.predict_with_gradient(x);
  }
  double noise_variance() const override { return gp_.noise_variance(); }
  prospect::JointPosterior joint_posterior(prospect::MatrixCRef X,
                                           Eigen::Index coupled) const override {
    prospect::JointPosterior jp = gp_.joint_posterior(X, coupled);
    if (X(0, 0) < 0.5) jp.covariance(0, 0) = -1.0;
    return jp;
  }
  Matrix joint_posterior_gradient(prospect::MatrixCRef X, prospect::VectorCRef mean_bar,
                                  prospect::MatrixCRef covariance_bar, Eigen::Index coupled,
                                  Eigen::Index wanted) const override {
    return gp_.joint_posterior_gradient(X, mean_bar, covariance_bar, coupled, wanted);
  }

 private:
  GaussianProcess gp_;
};

}  // namespace

TEST_CASE("one-shot KG: candidates that cannot be factored score -infinity, the search goes on") {
  const Dataset data = make_data(10, 2, 0.1, 5);
  GaussianProcess gp(pk::Matern52{});
  gp.fit(data, 1);
  const BrokenLeftHalf model(gp);
  const int F = 4;
  pa::KnowledgeGradient kg(pa::KG{F, 2, 32});
  prospect::AcquisitionContext context;
  context.model = &model;
  context.data = &data;
  context.seed = 2;
  kg.prepare(context);
  std::mt19937_64 rng(9);
  Vector row = prospect::test::uniform((1 + F) * 2, 1, rng).col(0);
  row[0] = 0.3;  // broken
  Vector grad = Vector::Constant(row.size(), 7.0);
  CHECK(kg.evaluate_with_gradient(row, grad) == -std::numeric_limits<double>::infinity());
  CHECK(grad.isZero(0.0));
  const Vector before = row;
  kg.complete_auxiliary(row);  // no start to offer: the row is left as it was
  CHECK(row == before);
  row[0] = 0.7;  // fine
  CHECK(std::isfinite(kg.evaluate_with_gradient(row, grad)));
  // The optimizer skips the broken half instead of failing.
  prospect::AcquisitionOptimizerOptions options;
  options.raw_samples = 32;
  options.restarts = 2;
  const auto optimum = prospect::optimize_acquisition(kg, 2, {}, 3, options);
  CHECK(std::isfinite(optimum.value));
  CHECK(optimum.x[0] >= 0.5);
}

TEST_CASE("discrete KG: closed form for two lines, Monte Carlo for many, degenerate sets") {
  // Two lines: E[max] - max a = |db| f(-|da|/|db|), f(z) = z Phi(z) + phi(z).
  {
    Vector a(2), b(2);
    a << 0.3, -0.2;
    b << 0.1, 0.9;
    const double da = 0.5, db = 0.8, z = -da / db;
    const double Phi = 0.5 * std::erfc(-z / std::sqrt(2.0));
    const double phi = std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
    CHECK(pa::discrete_knowledge_gradient(a, b).value ==
          doctest::Approx(db * (z * Phi + phi)).epsilon(1e-14));
  }
  // Random lines with repeated slopes, dominated lines and negative slopes.
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int trial = 0; trial < 3; ++trial) {
    const int M = 9;
    Vector a(M), b(M);
    for (int i = 0; i < M; ++i) {
      a[i] = normal(rng);
      b[i] = normal(rng);
    }
    b[3] = b[1];  // equal slopes
    a[4] = a[0] - 3.0;
    b[4] = b[0];  // a line under another of the same slope
    const auto kg = pa::discrete_knowledge_gradient(a, b);
    const auto [mc, se] = monte_carlo_kg(a, b, 1000000, 11 + trial);
    CHECK(kg.value >= 0.0);
    CHECK(std::abs(kg.value - mc) < 4.0 * se);
    CHECK(kg.grad_a[4] == 0.0);
    CHECK(kg.grad_b[4] == 0.0);
    // The intercept gradients of the envelope sum to 1 - 1 = 0 (a common shift of all
    // intercepts leaves the KG unchanged).
    CHECK(std::abs(kg.grad_a.sum()) < 1e-12);
  }
  // One line, or all lines parallel: nothing to learn.
  CHECK(pa::discrete_knowledge_gradient(Vector::Constant(1, 2.0), Vector::Constant(1, 3.0)).value ==
        0.0);
  Vector a3(3);
  a3 << 1.0, 2.0, 0.5;
  const auto parallel = pa::discrete_knowledge_gradient(a3, Vector::Constant(3, 0.7));
  CHECK(parallel.value == 0.0);
  CHECK(parallel.grad_a.isZero());
}

TEST_CASE("discrete KG gradient matches central finite differences") {
  std::mt19937_64 rng(8);
  std::normal_distribution<double> normal(0.0, 1.0);
  const int M = 12;
  Vector a(M), b(M);
  for (int i = 0; i < M; ++i) {
    a[i] = 0.5 * normal(rng);
    b[i] = normal(rng);
  }
  const auto kg = pa::discrete_knowledge_gradient(a, b);
  const double h = 1e-6;
  for (int i = 0; i < M; ++i) {
    Vector ap = a, am = a, bp = b, bm = b;
    ap[i] += h;
    am[i] -= h;
    bp[i] += h;
    bm[i] -= h;
    const double fda = (pa::discrete_knowledge_gradient(ap, b).value -
                        pa::discrete_knowledge_gradient(am, b).value) /
                       (2 * h);
    const double fdb = (pa::discrete_knowledge_gradient(a, bp).value -
                        pa::discrete_knowledge_gradient(a, bm).value) /
                       (2 * h);
    CHECK(kg.grad_a[i] == doctest::Approx(fda).epsilon(1e-6).scale(1.0));
    CHECK(kg.grad_b[i] == doctest::Approx(fdb).epsilon(1e-6).scale(1.0));
  }
}

TEST_CASE("finite-set KG and noisy EI equal brute-force fantasies through condition_on") {
  const Dataset data = make_data(10, 2, 0.5, 3);
  GaussianProcess gp(pk::Matern52{});
  gp.fit(data, 1);
  const double noise = gp.noise_variance();
  for (const bool nei : {false, true}) {
    CAPTURE(nei);
    pa::FiniteKnowledgeGradient acq(pa::FiniteKG{nei});
    prospect::AcquisitionContext context = context_of(gp, data, 4);
    acq.prepare(context);
    const Matrix& fixed = acq.fixed_set();
    CHECK(fixed.rows() == (nei ? 10 : 11));
    // Points near the best observed point, where a sample can change the decision, and
    // one elsewhere.
    Eigen::Index best = 0;
    gp.predict(data.X).mean.maxCoeff(&best);
    Matrix points(3, 2);
    points.row(0) = (data.X.row(best).array() + 0.06).min(1.0).matrix();
    points.row(1) = (data.X.row(best).array() - 0.12).max(0.0).matrix();
    points.row(2) << 0.37, 0.61;
    for (Eigen::Index r = 0; r < points.rows(); ++r) {
      const Matrix x = points.row(r);
      CAPTURE(r);
      Matrix A(fixed.rows() + 1, 2);
      A << fixed, x;
      const Vector a = gp.predict(A).mean;
      const double baseline = nei ? a.head(10).maxCoeff() : a.maxCoeff();

      // Fantasies: y ~ N(mu(x), sigma^2(x) + noise), the model conditioned on (x, y).
      const auto px = gp.predict(x);
      const double sd_y = std::sqrt(px.variance[0] + noise);
      std::mt19937_64 rng(21 + r);
      std::normal_distribution<double> normal(0.0, 1.0);
      const int n = 20000;
      double sum = 0.0, sum2 = 0.0;
      for (int k = 0; k < n; ++k) {
        const Vector y = Vector::Constant(1, px.mean[0] + sd_y * normal(rng));
        const double v = gp.condition_on(x, y)->predict(A).mean.maxCoeff() - baseline;
        sum += v;
        sum2 += v * v;
      }
      const double mc = sum / n;
      const double se = std::sqrt((sum2 / n - mc * mc) / n);
      Vector values(1);
      acq.evaluate(x, values);
      CAPTURE(values[0]);
      CAPTURE(mc);
      CAPTURE(se);
      CHECK(std::abs(values[0] - mc) < 4.0 * se + 1e-9);
      CHECK(values[0] >= 0.0);
      if (r == 0) CHECK(values[0] > 10.0 * se);  // a point that can change the decision
    }
  }
}

TEST_CASE("finite-set KG and noisy EI input gradients match finite differences") {
  const Dataset data = make_data(12, 3, 0.1, 6);
  GaussianProcess gp(pk::Matern52{});
  gp.fit(data, 1);
  for (const bool nei : {false, true}) {
    CAPTURE(nei);
    auto acq = pa::make_knowledge_gradient(pa::FiniteKG{nei});
    CHECK(acq->name() == (nei ? "nei" : "finite_kg"));
    prospect::AcquisitionContext context = context_of(gp, data);
    acq->prepare(context);
    REQUIRE(acq->has_gradient());
    std::mt19937_64 rng(2);
    for (int trial = 0; trial < 3; ++trial) {
      check_gradient(*acq, prospect::test::uniform(3, 1, rng));
    }
  }
}

TEST_CASE("one-shot KG in 1-D with grid-optimal fantasy points equals the finite KG on the grid") {
  const Dataset data = make_data(7, 1, 0.1, 9);
  GaussianProcess gp(pk::Matern52{});
  gp.fit(data, 1);
  const int F = 128;
  pa::KnowledgeGradient kg(pa::KG{F, 10, 512});
  prospect::AcquisitionContext context = context_of(gp, data, 12);
  kg.prepare(context);
  REQUIRE(kg.auxiliary_size() == F);

  const int n_grid = 2000;
  Matrix grid(n_grid, 1);
  for (int i = 0; i < n_grid; ++i) grid(i, 0) = (i + 0.5) / n_grid;
  const Vector grid_mean = gp.predict(grid).mean;
  // The posterior-mean maximum found by prepare() is as good as the grid's.
  CHECK(kg.current_value() >= grid_mean.maxCoeff() - 1e-9);
  CHECK(kg.current_value() <= grid_mean.maxCoeff() + 1e-3);

  const double noise = gp.noise_variance();
  for (const double x : {0.13, 0.55, 0.9}) {
    CAPTURE(x);
    const Matrix xq = Matrix::Constant(1, 1, x);
    const auto px = gp.predict(xq);
    const double sd_y = std::sqrt(px.variance[0] + noise);
    // Each fantasy's maximizer on the grid, the model conditioned by condition_on().
    Vector row(1 + F);
    row[0] = x;
    Vector per_fantasy(F);
    for (int j = 0; j < F; ++j) {
      const Vector y = Vector::Constant(1, px.mean[0] + sd_y * kg.base_samples()(j, 0));
      const Vector m = gp.condition_on(xq, y)->predict(grid).mean;
      Eigen::Index best = 0;
      per_fantasy[j] = m.maxCoeff(&best) - grid_mean.maxCoeff();
      row[1 + j] = grid(best, 0);
    }
    Vector value(1);
    kg.evaluate(row.transpose(), value);
    // The one-shot value is exactly the average of those fantasy maxima.
    CHECK(value[0] + kg.current_value() - grid_mean.maxCoeff() ==
          doctest::Approx(per_fantasy.mean()).epsilon(1e-7).scale(1.0));
    // ... which estimates the finite KG on the grid within the sampling error.
    Matrix GX(n_grid + 1, 1);
    GX << grid, xq;
    const auto jp = gp.joint_posterior(GX);
    const Vector b = jp.covariance.col(n_grid).head(n_grid) / sd_y;
    const double exact = pa::discrete_knowledge_gradient(grid_mean, b).value;
    const double se =
        std::sqrt((per_fantasy.array() - per_fantasy.mean()).square().sum() / (F - 1) / F);
    CAPTURE(exact);
    CAPTURE(se);
    CHECK(std::abs(per_fantasy.mean() - exact) < 4.0 * se + 1e-9);
    // Sobol base samples integrate this piecewise-smooth function of Z far better than
    // the i.i.d. standard error says.
    CHECK(std::abs(per_fantasy.mean() - exact) < se + 1e-9);

    // complete_auxiliary picks, per fantasy, the best of a candidate set that holds the
    // mean maximizer: never worse than putting every fantasy point there.
    Vector start(1 + F);
    start[0] = x;
    start.tail(F).setConstant(kg.mean_maximizer()[0]);
    Vector completed = start;
    kg.complete_auxiliary(completed);
    CHECK(completed[0] == x);
    Vector v_start(1), v_completed(1);
    kg.evaluate(start.transpose(), v_start);
    kg.evaluate(completed.transpose(), v_completed);
    CHECK(v_completed[0] >= v_start[0] - 1e-12);
    CHECK(v_completed[0] <= value[0] + 1e-3);
  }
}

TEST_CASE("one-shot KG gradient matches finite differences for q = 1 and q = 2") {
  const Dataset data = make_data(15, 2, 0.1, 17);
  GaussianProcess gp(pk::Matern52{});
  gp.fit(data, 1);
  for (const int q : {1, 2}) {
    for (const bool pending : {false, true}) {
      CAPTURE(q);
      CAPTURE(pending);
      const int F = 6;
      pa::KnowledgeGradient kg(pa::KG{F, 4, 64});
      kg.set_batch_size(q);
      prospect::AcquisitionContext context = context_of(gp, data, 3);
      if (pending) context.X_pending = Matrix::Constant(1, 2, 0.42);
      kg.prepare(context);
      REQUIRE(kg.batch_size() == q);
      REQUIRE(kg.joint_batch());
      REQUIRE(kg.auxiliary_size() == F * 2);
      REQUIRE(kg.has_gradient());
      std::mt19937_64 rng(40 + q);
      const Eigen::Index n = (q + F) * 2;
      check_gradient(kg, prospect::test::uniform(n, 1, rng));
    }
  }
}

TEST_CASE("one-shot KG maximized by the acquisition optimizer agrees with the finite-set KG") {
  const Dataset data = make_data(8, 1, 0.1, 23);
  GaussianProcess gp(pk::Matern52{});
  gp.fit(data, 1);
  const int F = 32;
  pa::KnowledgeGradient kg(pa::KG{F, 5, 128});
  prospect::AcquisitionContext context = context_of(gp, data, 5);
  kg.prepare(context);
  prospect::AcquisitionOptimizerOptions options;
  options.raw_samples = 64;
  options.restarts = 4;
  const auto optimum = prospect::optimize_acquisition(kg, 1, {}, 7, options);
  REQUIRE(optimum.x.size() >= 1);
  CHECK(std::isfinite(optimum.value));
  // The one-shot optimum is a lower bound of the (sample-average) KG at its candidate;
  // with grid-optimal fantasy points it estimates the finite KG on a fine grid.
  const Matrix xq = Matrix::Constant(1, 1, optimum.x[0]);
  const int n_grid = 1000;
  Matrix GX(n_grid + 1, 1);
  for (int i = 0; i < n_grid; ++i) GX(i, 0) = (i + 0.5) / n_grid;
  GX(n_grid, 0) = optimum.x[0];
  const auto jp = gp.joint_posterior(GX);
  const double sd_y = std::sqrt(jp.covariance(n_grid, n_grid) + gp.noise_variance());
  const Vector b = jp.covariance.col(n_grid).head(n_grid) / sd_y;
  const Vector a = jp.mean.head(n_grid);
  const double exact = pa::discrete_knowledge_gradient(a, b).value;
  const double optimized = optimum.value + kg.current_value() - a.maxCoeff();
  CAPTURE(exact);
  CAPTURE(optimized);
  CHECK(optimized > 0.0);
  CHECK(optimized == doctest::Approx(exact).epsilon(0.25));
  // And the candidate is a good KG point: its finite KG is near the best on the grid.
  double best_grid_kg = 0.0;
  for (int i = 0; i < n_grid; i += 10) {
    Matrix Gi(n_grid + 1, 1);
    Gi << GX.topRows(n_grid), GX.row(i);
    const auto ji = gp.joint_posterior(Gi);
    const double si = std::sqrt(ji.covariance(n_grid, n_grid) + gp.noise_variance());
    best_grid_kg = std::max(
        best_grid_kg,
        pa::discrete_knowledge_gradient(a, ji.covariance.col(n_grid).head(n_grid) / si).value);
  }
  CAPTURE(best_grid_kg);
  CHECK(exact >= 0.7 * best_grid_kg);
}

TEST_CASE("one-shot KG is deterministic for a seed; clones agree") {
  const Dataset data = make_data(10, 2, 0.1, 2);
  GaussianProcess gp(pk::Matern52{});
  gp.fit(data, 1);
  prospect::AcquisitionContext context = context_of(gp, data, 99);
  auto a = pa::make_knowledge_gradient(pa::KG{16, 3, 64});
  auto b = pa::make_knowledge_gradient(pa::KG{16, 3, 64});
  CHECK(a->name() == "kg");
  a->prepare(context);
  b->prepare(context);
  std::mt19937_64 rng(1);
  Matrix rows = prospect::test::uniform(4, a->batch_size() * 2 + a->auxiliary_size(), rng);
  for (Eigen::Index i = 0; i < rows.rows(); ++i) {
    Vector r = rows.row(i).transpose();
    a->complete_auxiliary(r);
    rows.row(i) = r.transpose();
  }
  Vector va(4), vb(4), vc(4);
  a->evaluate(rows, va);
  b->evaluate(rows, vb);
  auto c = a->clone();
  c->evaluate(rows, vc);
  CHECK(va == vb);
  CHECK(va == vc);
  context.seed = 100;
  b->prepare(context);
  b->evaluate(rows, vb);
  CHECK(va != vb);
  CHECK(pa::to_string(pa::KnowledgeGradientChoice{pa::KG{}}) == "kg");
  CHECK(pa::to_string(pa::KnowledgeGradientChoice{pa::FiniteKG{true}}) == "nei");
  CHECK(pa::to_string(pa::KnowledgeGradientChoice{pa::FiniteKG{}}) == "finite_kg");
}

TEST_CASE("knowledge gradient: bad input throws typed errors") {
  using prospect::InvalidArgument;
  using prospect::InvalidState;
  CHECK_THROWS_AS((void)pa::discrete_knowledge_gradient(Vector(), Vector()), InvalidArgument);
  CHECK_THROWS_AS((void)pa::discrete_knowledge_gradient(Vector::Zero(3), Vector::Zero(2)),
                  InvalidArgument);
  Vector nan_a = Vector::Zero(2);
  nan_a[1] = std::nan("");
  CHECK_THROWS_AS((void)pa::discrete_knowledge_gradient(nan_a, Vector::Zero(2)), InvalidArgument);
  CHECK_THROWS_AS((void)pa::KnowledgeGradient(pa::KG{0}), InvalidArgument);
  CHECK_THROWS_AS((void)pa::KnowledgeGradient(pa::KG{64, 0}), InvalidArgument);
  CHECK_THROWS_AS((void)pa::FiniteKnowledgeGradient(pa::FiniteKG{false, 10, 5}), InvalidArgument);

  const Dataset data = make_data(8, 2, 0.1, 4);
  GaussianProcess gp(pk::Matern52{});
  gp.fit(data, 1);
  pa::KnowledgeGradient kg(pa::KG{4, 2, 16});
  CHECK_THROWS_AS(kg.set_batch_size(0), InvalidArgument);
  Vector values(1);
  CHECK_THROWS_AS(kg.evaluate(Matrix::Zero(1, 10), values), InvalidState);
  prospect::AcquisitionContext context;
  CHECK_THROWS_AS(kg.prepare(context), InvalidArgument);  // null model
  GaussianProcess unfitted(pk::Matern52{});
  context.model = &unfitted;
  CHECK_THROWS_AS(kg.prepare(context), InvalidArgument);
  context.model = &gp;
  context.X_pending = Matrix::Zero(1, 3);
  CHECK_THROWS_AS(kg.prepare(context), InvalidArgument);
  CHECK(kg.auxiliary_size() == 0);  // unchanged on throw
  context.X_pending.resize(0, 0);
  kg.prepare(context);
  CHECK_THROWS_AS(kg.evaluate(Matrix::Zero(1, 9), values), InvalidArgument);
  Matrix bad = Matrix::Constant(1, 10, 0.5);
  bad(0, 3) = std::nan("");
  CHECK_THROWS_AS(kg.evaluate(bad, values), InvalidArgument);
  Vector short_row = Vector::Zero(4);
  CHECK_THROWS_AS(kg.complete_auxiliary(short_row), InvalidArgument);

  pa::FiniteKnowledgeGradient finite;
  CHECK_THROWS_AS(finite.set_batch_size(2), InvalidState);
  CHECK_THROWS_AS(finite.evaluate(Matrix::Zero(1, 2), values), InvalidState);
  prospect::AcquisitionContext no_data;
  no_data.model = &gp;
  CHECK_THROWS_AS(finite.prepare(no_data), InvalidArgument);
  context.data = &data;
  finite.prepare(context);
  CHECK_THROWS_AS(finite.evaluate(Matrix::Zero(1, 3), values), InvalidArgument);
  Vector g(3);
  CHECK_THROWS_AS((void)finite.evaluate_with_gradient(Vector::Zero(3), g), InvalidArgument);
}

TEST_CASE("one-shot KG cost at n = 50, d = 6, 64 fantasies, q = 1 (informational)" *
          doctest::skip()) {
  const Dataset data = make_data(50, 6, 0.1, 1);
  GaussianProcess gp(pk::Matern52{});
  gp.fit(data, 1);
  pa::KnowledgeGradient kg;
  prospect::AcquisitionContext context = context_of(gp, data);
  auto t0 = std::chrono::steady_clock::now();
  kg.prepare(context);
  auto t1 = std::chrono::steady_clock::now();
  std::mt19937_64 rng(1);
  const Vector row = prospect::test::uniform(6 + kg.auxiliary_size(), 1, rng);
  Vector g(row.size());
  const int reps = 200;
  double sink = 0.0;
  auto t2 = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) sink += kg.evaluate_with_gradient(row, g);
  auto t3 = std::chrono::steady_clock::now();
  Vector v(1);
  for (int r = 0; r < reps; ++r) {
    kg.evaluate(row.transpose(), v);
    sink += v[0];
  }
  auto t4 = std::chrono::steady_clock::now();
  using us = std::chrono::duration<double, std::micro>;
  MESSAGE("prepare " << us(t1 - t0).count() / 1000 << " ms; evaluate_with_gradient "
                     << us(t3 - t2).count() / reps << " us; evaluate " << us(t4 - t3).count() / reps
                     << " us (" << sink << ")");
}
