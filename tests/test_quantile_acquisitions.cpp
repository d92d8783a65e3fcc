// The quantile acquisitions: the CQR searcher's random-quantile draw over a fresh candidate
// set, a fixed quantile with its gradient, and Surrogate::quantiles()'s normal default.
#include <doctest/doctest.h>

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <filesystem>
#include <random>
#include <vector>

#include "acquisition_checks.hpp"
#include "prospect/prospect.hpp"
#include "test_support.hpp"

namespace {

namespace pa = prospect::acquisition;
using prospect::Matrix;
using prospect::Vector;

struct Fitted {
  prospect::Dataset data;
  prospect::GaussianProcess gp{prospect::kernels::Matern52{}};
};

void fit_gp(Fitted& f, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  f.data.X = prospect::test::uniform(20, 2, rng);
  f.data.y.resize(20);
  for (Eigen::Index i = 0; i < 20; ++i)
    f.data.y(i) = std::sin(5.0 * f.data.X(i, 0)) + f.data.X(i, 1) * f.data.X(i, 1);
  f.gp.fit(f.data, seed);
}

prospect::AcquisitionContext context_of(const prospect::Surrogate& model,
                                        const prospect::Dataset& data, std::uint64_t seed) {
  prospect::AcquisitionContext c;
  c.model = &model;
  c.data = &data;
  c.seed = seed;
  return c;
}

// A quantile model: quantile(x, tau) = x0 + (tau - 0.5), so every level is distinguishable.
class LinearQuantiles final : public prospect::Surrogate {
 public:
  std::unique_ptr<Surrogate> clone() const override {
    return std::make_unique<LinearQuantiles>(*this);
  }
  std::string name() const override { return "linear_quantiles"; }
  prospect::SurrogateCapabilities capabilities() const override {
    prospect::SurrogateCapabilities c;
    c.quantiles = true;
    return c;
  }
  void fit(const prospect::Dataset& data, std::uint64_t) override { d_ = data.X.cols(); }
  bool fitted() const override { return d_ > 0; }
  Eigen::Index dimension() const override { return d_; }
  prospect::Predictive predict(prospect::MatrixCRef X) const override {
    prospect::Predictive p;
    p.mean = X.col(0);
    p.variance = Vector::Constant(X.rows(), 0.01);
    p.noise_variance = Vector::Zero(X.rows());
    return p;
  }
  Matrix quantiles(prospect::MatrixCRef X, prospect::VectorCRef levels) const override {
    prospect::check_quantile_levels(levels, "linear_quantiles");
    Matrix Q(X.rows(), levels.size());
    for (Eigen::Index k = 0; k < levels.size(); ++k)
      Q.col(k) = X.col(0).array() + (levels(k) - 0.5);
    return Q;
  }
  double noise_variance() const override { return 0.0; }

 private:
  Eigen::Index d_ = 0;
};

}  // namespace

TEST_CASE("Surrogate::quantiles defaults to the normal predictive with noise") {
  Fitted f;
  fit_gp(f, 1);
  std::mt19937_64 rng(9);
  const Matrix X = prospect::test::uniform(7, 2, rng);
  Vector levels(3);
  levels << 0.1, 0.5, 0.95;
  const Matrix Q = f.gp.quantiles(X, levels);
  const prospect::Predictive p = f.gp.predict(X);
  const boost::math::normal_distribution<double> normal;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double sd = std::sqrt(p.variance(i) + p.noise_variance(i));
    for (Eigen::Index k = 0; k < 3; ++k) {
      CHECK(Q(i, k) == doctest::Approx(p.mean(i) + boost::math::quantile(normal, levels(k)) * sd));
    }
  }
  Vector bad(2);
  bad << 0.5, 1.0;
  CHECK_THROWS_WITH_AS((void)f.gp.quantiles(X, bad), doctest::Contains("levels[1]"),
                       prospect::InvalidArgument);
  CHECK_THROWS_AS((void)f.gp.quantiles(X, Vector()), prospect::InvalidArgument);
}

TEST_CASE("quantile_ts draws each level equally often, reproducibly, and scores that quantile") {
  LinearQuantiles model;
  prospect::Dataset data;
  data.X = Matrix::Zero(1, 3);
  data.y = Vector::Zero(1);
  model.fit(data, 0);
  pa::QuantileThompsonSampling acq;
  acq.prepare(context_of(model, data, 42));
  std::mt19937_64 rng(3);
  const Matrix X = prospect::test::uniform(10000, 3, rng);
  Vector values(X.rows());
  acq.evaluate(X, values);
  std::vector<int> counts(5, 0);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const Eigen::Index k = acq.level_index(X.row(i).transpose());
    ++counts[static_cast<std::size_t>(k)];
    CHECK(values(i) ==
          doctest::Approx(X(i, 0) + acq.options().levels[static_cast<std::size_t>(k)] - 0.5));
  }
  // Each level 2000 +- 5 binomial standard deviations (sd = 40).
  for (const int c : counts) CHECK(std::abs(c - 2000) < 200);
  // The same seed draws the same levels; another seed draws others.
  pa::QuantileThompsonSampling same, other;
  same.prepare(context_of(model, data, 42));
  other.prepare(context_of(model, data, 43));
  int equal = 0, changed = 0;
  for (Eigen::Index i = 0; i < 1000; ++i) {
    const Vector x = X.row(i).transpose();
    equal += same.level_index(x) == acq.level_index(x);
    changed += other.level_index(x) != acq.level_index(x);
  }
  CHECK(equal == 1000);
  CHECK(changed > 700);  // 4/5 expected
}

TEST_CASE("quantile_ts is maximized over its candidate set only") {
  Fitted f;
  fit_gp(f, 2);
  pa::QuantileThompson options;
  options.candidates = 300;
  pa::QuantileThompsonSampling acq(options);
  acq.prepare(context_of(f.gp, f.data, 7));
  const prospect::AcquisitionOptimum opt =
      prospect::optimize_acquisition(acq, 2, {}, 11, {}, f.data.X.topRows(3));
  CHECK(opt.evaluations == 300);  // no anchors, no local search
  CHECK(opt.starts == 0);
  Vector v(1);
  acq.evaluate(opt.x.transpose(), v);
  CHECK(v(0) == doctest::Approx(opt.value));
  // The winner beats every candidate of a same-sized independent set by no less than chance.
  CHECK(std::isfinite(opt.value));
}

TEST_CASE("quantile: mean + z sd on a GP with a gradient, the model's own on a quantile model") {
  Fitted f;
  fit_gp(f, 4);
  for (const double level : {0.2, 0.5, 0.9}) {
    pa::QuantileAcquisition acq(pa::Quantile{level});
    acq.prepare(context_of(f.gp, f.data, 0));
    REQUIRE(acq.has_gradient());
    std::mt19937_64 rng(5);
    const Matrix X = prospect::test::uniform(5, 2, rng);
    Vector values(5);
    acq.evaluate(X, values);
    const prospect::Predictive p = f.gp.predict(X);
    const double z = boost::math::quantile(boost::math::normal_distribution<double>(), level);
    for (Eigen::Index i = 0; i < 5; ++i) {
      CHECK(values(i) == doctest::Approx(p.mean(i) + z * std::sqrt(p.variance(i))));
      prospect::test::check_gradient(acq, X.row(i).transpose());
    }
  }
  LinearQuantiles model;
  model.fit(f.data, 0);
  pa::QuantileAcquisition acq(pa::Quantile{0.8});
  acq.prepare(context_of(model, f.data, 0));
  CHECK_FALSE(acq.has_gradient());
  Matrix X(1, 2);
  X << 0.25, 0.5;
  Vector v(1);
  acq.evaluate(X, v);
  CHECK(v(0) == doctest::Approx(0.25 + 0.3));
  CHECK_THROWS_AS(pa::QuantileAcquisition(pa::Quantile{1.0}), prospect::InvalidArgument);
  pa::QuantileThompson no_levels;
  no_levels.levels.clear();
  CHECK_THROWS_AS(pa::QuantileThompsonSampling{no_levels}, prospect::InvalidArgument);
  pa::QuantileThompson no_candidates;
  no_candidates.candidates = 0;
  CHECK_THROWS_WITH_AS(pa::QuantileThompsonSampling{no_candidates}, doctest::Contains("candidates"),
                       prospect::InvalidArgument);
  pa::QuantileAcquisition unprepared;
  CHECK_THROWS_AS(unprepared.evaluate(X, v), prospect::InvalidState);
}

TEST_CASE("A study runs with quantile_ts and quantile, and saves them") {
  for (const auto& choice : {pa::AcquisitionChoice(pa::QuantileThompson{500, {0.25, 0.5, 0.75}}),
                             pa::AcquisitionChoice(pa::Quantile{0.7})}) {
    prospect::Options options;
    options.seed = 1;
    options.acquisition = choice;
    prospect::Optimizer opt(prospect::test::branin_space(), options);
    for (int i = 0; i < 9; ++i) {
      const prospect::Trial t = opt.ask();
      opt.tell(t.id, prospect::test::branin(t.params));
    }
    const auto path = std::filesystem::temp_directory_path() / "prospect_quantile_study.json";
    opt.save(path.string());
    prospect::Optimizer again = prospect::Optimizer::load(path.string());
    std::filesystem::remove(path);
    CHECK(pa::to_string(again.options().acquisition) == pa::to_string(choice));
    if (const auto* ts = std::get_if<pa::QuantileThompson>(&again.options().acquisition)) {
      CHECK(ts->candidates == 500);
      CHECK(ts->levels == std::vector<double>{0.25, 0.5, 0.75});
    }
    CHECK(opt.ask().params == again.ask().params);
  }
  CHECK(std::holds_alternative<pa::QuantileThompson>(pa::acquisition_from_string("quantile_ts")));
  CHECK(std::holds_alternative<pa::Quantile>(pa::acquisition_from_string("Quantile")));
}
