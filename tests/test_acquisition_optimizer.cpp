#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "prospect/acquisition_optimizer.hpp"
#include "prospect/errors.hpp"

using prospect::AcquisitionOptimizerOptions;
using prospect::DiscreteStructure;
using prospect::Matrix;
using prospect::optimize_acquisition;
using prospect::Vector;

namespace {

using Value = std::function<double(const Vector&)>;
using Gradient = std::function<void(const Vector&, Vector&)>;

// A test acquisition given by a value function and, optionally, its gradient. It
// counts the points it scores (shared by clones) to check the reported count.
class Fake : public prospect::Acquisition {
 public:
  Fake(Value f, Gradient g = nullptr, Eigen::Index q = 1)
      : f_(std::move(f)), g_(std::move(g)), q_(q) {}

  [[nodiscard]] std::unique_ptr<prospect::Acquisition> clone() const override {
    return std::make_unique<Fake>(*this);
  }
  [[nodiscard]] std::string name() const override { return "fake"; }
  [[nodiscard]] prospect::AcquisitionNeeds needs() const override { return {}; }
  [[nodiscard]] Eigen::Index batch_size() const override { return q_; }
  void prepare(const prospect::AcquisitionContext&) override {}
  void evaluate(prospect::MatrixCRef X, Eigen::Ref<Vector> values) const override {
    for (Eigen::Index i = 0; i < X.rows(); ++i) values[i] = f_(X.row(i).transpose());
    *count_ += X.rows();
  }
  [[nodiscard]] bool has_gradient() const override { return static_cast<bool>(g_); }
  double evaluate_with_gradient(prospect::VectorCRef x, Eigen::Ref<Vector> grad) const override {
    Vector g(x.size());
    g_(x, g);
    grad = g;
    ++*count_;
    return f_(x);
  }
  [[nodiscard]] long count() const { return *count_; }

 private:
  Value f_;
  Gradient g_;
  Eigen::Index q_;
  std::shared_ptr<std::atomic<long>> count_ = std::make_shared<std::atomic<long>>(0);
};

// 1 - sum_j w_j (x_j - c_j)^2, maximum 1 at c.
struct Quadratic {
  Vector c, w;
  double operator()(const Vector& x) const {
    return 1.0 - (w.array() * (x - c).array().square()).sum();
  }
  void gradient(const Vector& x, Vector& g) const { g = -2.0 * w.cwiseProduct(x - c); }
};

// Gaussian bumps: sum_k h_k exp(-|x - m_k|^2 / (2 s_k^2)).
struct Bumps {
  Matrix centres;  // one bump per row
  Vector heights, widths;
  double operator()(const Vector& x) const {
    double v = 0.0;
    for (Eigen::Index k = 0; k < centres.rows(); ++k)
      v += heights[k] * std::exp(-(x - centres.row(k).transpose()).squaredNorm() /
                                 (2.0 * widths[k] * widths[k]));
    return v;
  }
  void gradient(const Vector& x, Vector& g) const {
    g.setZero(x.size());
    for (Eigen::Index k = 0; k < centres.rows(); ++k) {
      const Vector r = x - centres.row(k).transpose();
      const double s2 = widths[k] * widths[k];
      g -= heights[k] * std::exp(-r.squaredNorm() / (2.0 * s2)) / s2 * r;
    }
  }
};

Bumps three_bumps() {
  Bumps b;
  b.centres.resize(3, 2);
  b.centres << 0.2, 0.25, 0.8, 0.2, 0.45, 0.8;
  b.heights = Vector{{0.8, 1.0, 0.9}};
  b.widths = Vector{{0.08, 0.06, 0.1}};  // the highest bump is also the narrowest
  return b;
}

// An asymmetric penalty in t around 0.38: steep below, gentle above, C^1 at 0.38.
double penalty(double t) {
  const double u = t - 0.38;
  return u < 0.0 ? 100.0 * u * u : u * u;
}
double penalty_derivative(double t) {
  const double u = t - 0.38;
  return u < 0.0 ? 200.0 * u : 2.0 * u;
}

}  // namespace

TEST_CASE("options: defaults are valid, each problem names its field and value") {
  CHECK(AcquisitionOptimizerOptions{}.validate().empty());
  AcquisitionOptimizerOptions o;
  o.raw_samples = 0;
  o.restarts = 0;
  o.max_evaluations = -3;
  o.ftol_rel = 0.0;
  o.max_enumeration = 0;
  o.threads = -1;
  const auto problems = o.validate();
  REQUIRE(problems.size() == 6);
  CHECK(problems[0].find("raw_samples") != std::string::npos);
  CHECK(problems[2].find("-3") != std::string::npos);
  AcquisitionOptimizerOptions p;
  p.raw_samples = 8;
  p.restarts = 9;
  REQUIRE(p.validate().size() == 1);
  CHECK(p.validate()[0].find("restarts: got 9") != std::string::npos);
  p.restarts = 8;
  p.ftol_rel = std::numeric_limits<double>::quiet_NaN();
  CHECK(p.validate().size() == 1);
}

TEST_CASE("bad input throws the typed errors") {
  const Quadratic quad{Vector{{0.3, 0.6}}, Vector{{1.0, 1.0}}};
  const Fake acq([&](const Vector& x) { return quad(x); });
  CHECK_THROWS_AS((void)optimize_acquisition(acq, 0, {}, 1), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)optimize_acquisition(acq, -2, {}, 1), prospect::InvalidArgument);
  AcquisitionOptimizerOptions bad;
  bad.raw_samples = 4;
  bad.restarts = 5;
  bad.ftol_rel = -1.0;
  try {
    (void)optimize_acquisition(acq, 2, {}, 1, bad);
    FAIL("expected InvalidOptions");
  } catch (const prospect::InvalidOptions& e) {
    const std::string message = e.what();
    CHECK(message.find("restarts") != std::string::npos);
    CHECK(message.find("ftol_rel") != std::string::npos);
  }
  DiscreteStructure outside;
  outside.integers.push_back({2, 4});
  CHECK_THROWS_AS((void)optimize_acquisition(acq, 2, outside, 1), prospect::InvalidArgument);
  DiscreteStructure wide;
  wide.categoricals.push_back({1, 2});
  CHECK_THROWS_AS((void)optimize_acquisition(acq, 2, wide, 1), prospect::InvalidArgument);
  DiscreteStructure twice;
  twice.integers.push_back({0, 3});
  twice.fixed.emplace_back(0, 0.5);
  CHECK_THROWS_AS((void)optimize_acquisition(acq, 2, twice, 1), prospect::InvalidArgument);
  DiscreteStructure no_levels;
  no_levels.integers.push_back({0, 0});
  CHECK_THROWS_AS((void)optimize_acquisition(acq, 2, no_levels, 1), prospect::Error);
  DiscreteStructure fixed_outside;
  fixed_outside.fixed.emplace_back(1, 1.5);
  CHECK_THROWS_AS((void)optimize_acquisition(acq, 2, fixed_outside, 1), prospect::InvalidArgument);
}

TEST_CASE("smooth concave quadratic: interior maximum found, with and without gradient") {
  const Quadratic quad{Vector{{0.3, 0.6, 0.45}}, Vector{{1.0, 2.0, 0.5}}};
  AcquisitionOptimizerOptions options;
  options.raw_samples = 64;
  options.restarts = 4;
  SUBCASE("L-BFGS") {
    const Fake acq([&](const Vector& x) { return quad(x); },
                   [&](const Vector& x, Vector& g) { quad.gradient(x, g); });
    const auto opt = optimize_acquisition(acq, 3, {}, 11, options);
    CHECK((opt.x - quad.c).cwiseAbs().maxCoeff() < 1e-5);
    CHECK(opt.value == doctest::Approx(quad(opt.x)).epsilon(1e-14));
    CHECK(opt.evaluations == acq.count());
    CHECK(opt.starts == 4);
  }
  SUBCASE("BOBYQA (no gradient)") {
    const Fake acq([&](const Vector& x) { return quad(x); });
    const auto opt = optimize_acquisition(acq, 3, {}, 11, options);
    CHECK((opt.x - quad.c).cwiseAbs().maxCoeff() < 1e-5);
    CHECK(opt.evaluations == acq.count());
  }
}

TEST_CASE("multimodal: the highest (narrow) bump wins over wider lower ones") {
  const Bumps bumps = three_bumps();
  const Vector peak = bumps.centres.row(1).transpose();
  for (const bool gradient : {true, false}) {
    CAPTURE(gradient);
    const Fake acq([&](const Vector& x) { return bumps(x); },
                   gradient ? Gradient([&](const Vector& x, Vector& g) { bumps.gradient(x, g); })
                            : Gradient());
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      CAPTURE(seed);
      const auto opt = optimize_acquisition(acq, 2, {}, seed);
      // The other bumps shift the peak by less than 1e-8 (they are > 6 widths away).
      CHECK((opt.x - peak).norm() < 1e-4);
      CHECK(opt.value > 0.999);
    }
  }
}

TEST_CASE("integer column: exact cell centre and the true best level, not the rounded one") {
  // f(x, t) = -(x - 0.2 - 0.5 t)^2 - penalty(t), t an integer column with 5 levels
  // (centres 0.1, 0.3, ..., 0.9). The relaxed optimum t = 0.38 rounds to level 1 (0.3),
  // but level 2 (0.5) is better; there the best x is 0.45.
  constexpr long levels = 5;
  const auto f = [](const Vector& z) {
    const double r = z[0] - 0.2 - 0.5 * z[1];
    return -r * r - penalty(z[1]);
  };
  // Independent check of the claim above: best level at its best x.
  int best_level = -1;
  double best = -1e9;
  for (int level = 0; level < levels; ++level) {
    const double t = (level + 0.5) / levels;
    if (-penalty(t) > best) {
      best = -penalty(t);
      best_level = level;
    }
  }
  REQUIRE(best_level == 2);
  REQUIRE(std::floor(0.38 * levels) == 1.0);
  DiscreteStructure structure;
  structure.integers.push_back({1, levels});
  for (const bool gradient : {true, false}) {
    CAPTURE(gradient);
    const Fake acq(f, gradient ? Gradient([](const Vector& z, Vector& g) {
                     const double r = z[0] - 0.2 - 0.5 * z[1];
                     g.resize(2);
                     g[0] = -2.0 * r;
                     g[1] = r - penalty_derivative(z[1]);
                   })
                               : Gradient());
    const auto opt = optimize_acquisition(acq, 2, structure, 5);
    CHECK(opt.x[1] == (best_level + 0.5) / levels);
    CHECK(opt.x[0] == doctest::Approx(0.2 + 0.5 * opt.x[1]).epsilon(1e-5));
    CHECK(opt.value == doctest::Approx(f(opt.x)));
  }
}

TEST_CASE("categorical group: exact one-hot of the best category, enumerated or coordinate-wise") {
  // z = (x, c0, c1, c2). Over the relaxed cube the maximum is at c = (1, 1, 0.9), whose
  // argmax is category 0; among one-hot vectors category 2 is best (0.4 > 0.2 > 0.1).
  const auto f = [](const Vector& z) {
    const double x = z[0], c0 = z[1], c1 = z[2], c2 = z[3];
    return -(x - 0.7) * (x - 0.7) + 0.2 * c0 + 0.1 * c1 + 3.0 * c0 * c1 + 0.9 * c2 - 0.5 * c2 * c2;
  };
  const auto g = [](const Vector& z, Vector& grad) {
    grad.resize(4);
    grad << -2.0 * (z[0] - 0.7), 0.2 + 3.0 * z[2], 0.1 + 3.0 * z[1], 0.9 - z[3];
  };
  DiscreteStructure structure;
  structure.categoricals.push_back({1, 3});
  const Vector expected_onehot = Vector{{0.0, 0.0, 1.0}};
  for (const int max_enumeration : {64, 1}) {
    CAPTURE(max_enumeration);
    AcquisitionOptimizerOptions options;
    options.max_enumeration = max_enumeration;
    options.raw_samples = 32;
    options.restarts = 3;
    const Fake acq(f, g);
    const auto opt = optimize_acquisition(acq, 4, structure, 9, options);
    CHECK(opt.x.segment(1, 3) == expected_onehot);
    CHECK(opt.x[0] == doctest::Approx(0.7).epsilon(1e-6));
    CHECK(opt.evaluations == acq.count());
  }
}

TEST_CASE("many categorical groups: coordinate search finds the optimum of a separable function") {
  // 8 groups of width 3 (3^8 = 6561 combinations > max_enumeration) and one continuous
  // column; group k's best category is k mod 3, and that category is always worth 1
  // while the others are worth less, so the optimum is known.
  constexpr int groups = 8;
  const auto worth = [](int group, int category) {
    return category == group % 3 ? 1.0 : 0.1 * (category + 1) + 0.02 * group;
  };
  const auto f = [&](const Vector& z) {
    double v = -(z[0] - 0.25) * (z[0] - 0.25);
    for (int k = 0; k < groups; ++k)
      for (int c = 0; c < 3; ++c) v += worth(k, c) * z[1 + 3 * k + c];
    return v;
  };
  DiscreteStructure structure;
  for (int k = 0; k < groups; ++k) structure.categoricals.push_back({1 + 3 * k, 3});
  AcquisitionOptimizerOptions options;
  options.raw_samples = 64;
  options.restarts = 2;
  const Fake acq(f);  // derivative-free: one continuous variable
  const auto opt = optimize_acquisition(acq, 1 + 3 * groups, structure, 21, options);
  for (int k = 0; k < groups; ++k) {
    CAPTURE(k);
    Vector onehot = Vector::Zero(3);
    onehot[k % 3] = 1.0;
    CHECK(opt.x.segment(1 + 3 * k, 3) == onehot);
  }
  CHECK(opt.x[0] == doctest::Approx(0.25).epsilon(1e-4));
  CHECK(opt.value == doctest::Approx(groups * 1.0).epsilon(1e-6));
  CHECK(opt.starts == 2);
  CHECK(opt.evaluations == acq.count());
}

TEST_CASE("fixed columns keep their exact value") {
  // The function would rather have column 1 at 0.2; it is fixed at 0.77.
  const Quadratic quad{Vector{{0.6, 0.2, 0.4}}, Vector{{1.0, 1.0, 1.0}}};
  const Fake acq([&](const Vector& x) { return quad(x); },
                 [&](const Vector& x, Vector& g) { quad.gradient(x, g); });
  DiscreteStructure structure;
  structure.fixed.emplace_back(1, 0.77);
  const auto opt = optimize_acquisition(acq, 3, structure, 2);
  CHECK(opt.x[1] == 0.77);
  CHECK(opt.x[0] == doctest::Approx(0.6).epsilon(1e-6));
  CHECK(opt.x[2] == doctest::Approx(0.4).epsilon(1e-6));
}

TEST_CASE("a q = 2 batch: structure applies to each point's columns") {
  // d = 3: column 0 continuous, column 1 fixed at 1.0, column 2 an integer with 4 levels.
  const auto f = [](const Vector& z) {
    double v = 0.0;
    for (int p = 0; p < 2; ++p)
      v -= (z[3 * p] - 0.3 - 0.4 * p) * (z[3 * p] - 0.3 - 0.4 * p) +
           (z[3 * p + 1] - 0.5) * (z[3 * p + 1] - 0.5) +
           (z[3 * p + 2] - 0.1) * (z[3 * p + 2] - 0.1);
    return v;
  };
  DiscreteStructure structure;
  structure.fixed.emplace_back(1, 1.0);
  structure.integers.push_back({2, 4});
  const Fake acq(f, nullptr, 2);
  const auto opt = optimize_acquisition(acq, 3, structure, 6);
  REQUIRE(opt.x.size() == 6);
  CHECK(opt.x[1] == 1.0);
  CHECK(opt.x[4] == 1.0);
  CHECK(opt.x[2] == 0.125);  // level 0 of 4: closest centre to 0.1
  CHECK(opt.x[5] == 0.125);
  CHECK(opt.x[0] == doctest::Approx(0.3).epsilon(1e-5));
  CHECK(opt.x[3] == doctest::Approx(0.7).epsilon(1e-5));
}

TEST_CASE("determinism: same seed same result, whatever the number of threads") {
  const Bumps bumps = three_bumps();
  const Fake acq([&](const Vector& x) { return bumps(x); },
                 [&](const Vector& x, Vector& g) { bumps.gradient(x, g); });
  DiscreteStructure structure;
  structure.integers.push_back({1, 7});
  AcquisitionOptimizerOptions options;
  options.threads = 1;
  const auto one = optimize_acquisition(acq, 2, structure, 42, options);
  const auto again = optimize_acquisition(acq, 2, structure, 42, options);
  options.threads = 2;
  const auto two = optimize_acquisition(acq, 2, structure, 42, options);
  options.threads = 0;  // OpenMP's default (OMP_NUM_THREADS under ctest)
  const auto default_threads = optimize_acquisition(acq, 2, structure, 42, options);
  CHECK(one.x == again.x);
  CHECK(one.x == two.x);
  CHECK(one.x == default_threads.x);
  CHECK(one.value == two.value);
  CHECK(one.evaluations == two.evaluations);
  CHECK(one.evaluations == default_threads.evaluations);
}

TEST_CASE("q = 2 batch that rewards spreading returns two distinct points") {
  // Each point wants to sit at c; a repulsion term makes them spread around it.
  const Eigen::Vector2d c(0.5, 0.4);
  constexpr double s = 0.1;
  const auto f = [&](const Vector& z) {
    const Eigen::Vector2d a = z.head<2>(), b = z.tail<2>();
    return -(a - c).squaredNorm() - (b - c).squaredNorm() -
           0.05 * std::exp(-(a - b).squaredNorm() / (2 * s * s));
  };
  const auto g = [&](const Vector& z, Vector& grad) {
    const Eigen::Vector2d a = z.head<2>(), b = z.tail<2>();
    const double e = 0.05 * std::exp(-(a - b).squaredNorm() / (2 * s * s));
    grad.resize(4);
    grad.head(2) = -2.0 * (a - c) + e / (s * s) * (a - b);
    grad.tail(2) = -2.0 * (b - c) - e / (s * s) * (a - b);
  };
  const Fake acq(f, g, 2);
  const auto opt = optimize_acquisition(acq, 2, {}, 4);
  REQUIRE(opt.x.size() == 4);
  const Eigen::Vector2d a = opt.x.head<2>(), b = opt.x.tail<2>();
  // At the optimum the points are symmetric about c at distance r per point, where
  // 2r = 0.05 e^{-2r^2/s^2} / s^2 (stationarity along the separation): r > 0.05.
  CHECK((a - b).norm() > 0.1);
  CHECK(((a + b) / 2.0 - c).norm() < 1e-4);
  Vector together(4);
  together << c, c;
  CHECK(opt.value > f(together));
}

TEST_CASE("non-finite values are avoided and exceptions propagate") {
  // Increasing in x0 but NaN beyond 0.8: the best finite point is at the edge 0.8.
  const Fake acq(
      [](const Vector& x) {
        return x[0] > 0.8 ? std::numeric_limits<double>::quiet_NaN()
                          : x[0] - (x[1] - 0.5) * (x[1] - 0.5);
      },
      [](const Vector& x, Vector& g) {
        g.resize(2);
        g << 1.0, -2.0 * (x[1] - 0.5);
      });
  const auto opt = optimize_acquisition(acq, 2, {}, 8);
  CHECK(std::isfinite(opt.value));
  CHECK(opt.x[0] <= 0.8);
  CHECK(opt.x[0] > 0.79);

  // Thrown while scoring the raw samples.
  const Fake raw_thrower([](const Vector& x) -> double {
    if (x[0] > 0.5) throw std::domain_error("fake failure");
    return x[0];
  });
  CHECK_THROWS_AS((void)optimize_acquisition(raw_thrower, 1, {}, 8), std::domain_error);
  // Thrown inside the local search only: the raw samples lie strictly inside (0, 1),
  // the ascent reaches the bound x = 1.
  const Fake search_thrower(
      [](const Vector& x) -> double {
        if (x[0] == 1.0) throw std::domain_error("fake failure at the bound");
        return x[0];
      },
      [](const Vector&, Vector& g) { g.setOnes(1); });
  CHECK_THROWS_AS((void)optimize_acquisition(search_thrower, 1, {}, 8), std::domain_error);
}

TEST_CASE("constant acquisition: starts drawn at random, the value is the constant") {
  const Fake acq([](const Vector&) { return 2.5; });
  AcquisitionOptimizerOptions options;
  options.raw_samples = 16;
  options.restarts = 3;
  const auto opt = optimize_acquisition(acq, 3, {}, 1, options);
  CHECK(opt.value == 2.5);
  CHECK(opt.x.size() == 3);
  CHECK(opt.evaluations == acq.count());
}

namespace {
// One candidate x (d = 2) and one auxiliary point z (2 coordinates): value
// 1 - |x - c|^2 - 4 |z - x|^2, maximal at x = c, z = c. complete_auxiliary() sets z to
// x's mirror image 1 - x, so raw samples start from a poor z that L-BFGS must move.
class WithAuxiliary : public prospect::Acquisition {
 public:
  [[nodiscard]] std::unique_ptr<prospect::Acquisition> clone() const override {
    return std::make_unique<WithAuxiliary>(*this);
  }
  [[nodiscard]] std::string name() const override { return "aux"; }
  [[nodiscard]] prospect::AcquisitionNeeds needs() const override { return {}; }
  [[nodiscard]] Eigen::Index auxiliary_size() const override { return 2; }
  void complete_auxiliary(Eigen::Ref<Vector> row) const override {
    row.tail(2) = Vector::Ones(2) - row.head(2);
    ++*completed_;
  }
  void prepare(const prospect::AcquisitionContext&) override {}
  void evaluate(prospect::MatrixCRef X, Eigen::Ref<Vector> values) const override {
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      REQUIRE(X.cols() == 4);
      const Vector x = X.row(i).head(2).transpose(), z = X.row(i).tail(2).transpose();
      values[i] = 1.0 - (x - c_).squaredNorm() - 4.0 * (z - x).squaredNorm();
    }
  }
  [[nodiscard]] bool has_gradient() const override { return true; }
  double evaluate_with_gradient(prospect::VectorCRef row, Eigen::Ref<Vector> grad) const override {
    double value = 1.0;
    for (Eigen::Index j = 0; j < 2; ++j) {
      const double x = row[j], z = row[2 + j];
      grad[j] = -2.0 * (x - c_[j]) + 8.0 * (z - x);
      grad[2 + j] = -8.0 * (z - x);
      value -= (x - c_[j]) * (x - c_[j]) + 4.0 * (z - x) * (z - x);
    }
    return value;
  }
  [[nodiscard]] long completed() const { return *completed_; }

 private:
  Vector c_ = (Vector(2) << 0.3, 0.8).finished();
  std::shared_ptr<std::atomic<long>> completed_ = std::make_shared<std::atomic<long>>(0);
};
}  // namespace

TEST_CASE("auxiliary coordinates: completed on raw samples, optimized jointly, returned apart") {
  WithAuxiliary acq;
  AcquisitionOptimizerOptions options;
  options.raw_samples = 64;
  options.restarts = 4;
  const auto opt = optimize_acquisition(acq, 2, DiscreteStructure{}, 5, options);
  REQUIRE(opt.x.size() == 2);
  REQUIRE(opt.auxiliary.size() == 2);
  CHECK(acq.completed() == 64);
  CHECK(opt.x(0) == doctest::Approx(0.3).epsilon(1e-4));
  CHECK(opt.x(1) == doctest::Approx(0.8).epsilon(1e-4));
  CHECK((opt.auxiliary - opt.x).norm() < 1e-4);
  CHECK(opt.value == doctest::Approx(1.0).epsilon(1e-8));
}
