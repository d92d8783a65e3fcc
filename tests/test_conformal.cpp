// Tests of prospect::ConformalIntervals (split conformal, CV+, jackknife+).
//
// The coverage guarantees hold for ANY model, so the heavy statistics use a cheap model
// defined here (quadratic least squares with a fitted residual scale, deliberately
// misspecified for the data); a smaller check runs around a real GaussianProcess.
#include <doctest/doctest.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numbers>
#include <numeric>
#include <random>
#include <vector>

#include "prospect/errors.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/metrics/calibration.hpp"
#include "prospect/surrogates/conformal.hpp"
#include "prospect/surrogates/gaussian_process.hpp"

namespace {

using prospect::ConformalIntervals;
using prospect::ConformalMethod;
using prospect::ConformalOptions;
using prospect::ConformityScore;
using prospect::Dataset;
using prospect::Matrix;
using prospect::MatrixCRef;
using prospect::Vector;
using prospect::VectorCRef;

// Features 1, x_j, x_j^2 (no cross terms).
Matrix features(MatrixCRef X) {
  const Eigen::Index d = X.cols();
  Matrix F(X.rows(), 1 + 2 * d);
  F.col(0).setOnes();
  F.middleCols(1, d) = X;
  F.middleCols(1 + d, d) = X.array().square().matrix();
  return F;
}

// Features 1, x_j.
Matrix linear_features(MatrixCRef X) {
  Matrix F(X.rows(), 1 + X.cols());
  F.col(0).setOnes();
  F.rightCols(X.cols()) = X;
  return F;
}

// Quadratic least squares for the mean; the mean absolute residual regressed linearly on x
// gives a heteroscedastic scale sigma(x) = sqrt(pi/2) E|r|(x), reported as the
// observation noise (latent variance 0). Symmetric in its training points; ignores the seed.
class QuadraticModel : public prospect::Surrogate {
 public:
  [[nodiscard]] std::unique_ptr<Surrogate> clone() const override {
    return std::make_unique<QuadraticModel>(*this);
  }
  [[nodiscard]] std::string name() const override { return "quadratic"; }
  [[nodiscard]] prospect::SurrogateCapabilities capabilities() const override { return {}; }
  void fit(const Dataset& data, std::uint64_t /*seed*/) override {
    if (data.X.rows() < 1) throw prospect::InvalidArgument("QuadraticModel: empty data");
    const Matrix F = features(data.X);
    const Eigen::Index p = F.cols();
    // A small ridge keeps the normal equations solvable with fewer points than features.
    beta_ = Eigen::LDLT<Matrix>(F.transpose() * F + 1e-8 * Matrix::Identity(p, p))
                .solve(F.transpose() * data.y);
    const Vector r = (data.y - F * beta_).cwiseAbs();
    // The scale is linear in x (fewer parameters: |r| is a noisy response).
    const Matrix G = linear_features(data.X);
    const Eigen::Index q = G.cols();
    gamma_ = Eigen::LDLT<Matrix>(G.transpose() * G + 1e-8 * Matrix::Identity(q, q))
                 .solve(G.transpose() * r);
    // A floor at a quarter of the mean |r|: the linear fit can reach 0 near the quiet end.
    floor_ = 0.25 * r.mean() + 1e-12;
    dimension_ = data.X.cols();
  }
  [[nodiscard]] bool fitted() const override { return dimension_ > 0; }
  [[nodiscard]] Eigen::Index dimension() const override { return dimension_; }
  [[nodiscard]] prospect::Predictive predict(MatrixCRef X) const override {
    const Matrix F = features(X);
    prospect::Predictive p;
    p.mean = F * beta_;
    const Vector s =
        (std::sqrt(std::numbers::pi / 2) * (linear_features(X) * gamma_)).cwiseMax(floor_);
    p.variance = Vector::Zero(X.rows());
    p.noise_variance = s.array().square().matrix();
    return p;
  }
  [[nodiscard]] double noise_variance() const override { return floor_ * floor_; }

 private:
  Vector beta_, gamma_;
  double floor_ = 0.0;
  Eigen::Index dimension_ = 0;
};

// A native quantile model whose quantiles are far too narrow (half the spread): the
// conformal correction must repair its coverage.
class NarrowQuantileModel : public QuadraticModel {
 public:
  [[nodiscard]] std::unique_ptr<Surrogate> clone() const override {
    return std::make_unique<NarrowQuantileModel>(*this);
  }
  [[nodiscard]] prospect::SurrogateCapabilities capabilities() const override {
    prospect::SurrogateCapabilities c;
    c.quantiles = true;
    return c;
  }
  [[nodiscard]] Matrix quantiles(MatrixCRef X, VectorCRef levels) const override {
    prospect::check_quantile_levels(levels, "NarrowQuantileModel::quantiles");
    const prospect::Predictive p = predict(X);
    const Vector s = p.noise_variance.cwiseSqrt();
    const boost::math::normal_distribution<double> normal;
    Matrix Q(X.rows(), levels.size());
    for (Eigen::Index k = 0; k < levels.size(); ++k)
      Q.col(k) = p.mean + 0.5 * boost::math::quantile(normal, levels(k)) * s;
    return Q;
  }
};

// A constant model: the mean of the training y, unit variance (for hand-computed intervals).
class ConstantModel : public prospect::Surrogate {
 public:
  [[nodiscard]] std::unique_ptr<Surrogate> clone() const override {
    return std::make_unique<ConstantModel>(*this);
  }
  [[nodiscard]] std::string name() const override { return "constant"; }
  [[nodiscard]] prospect::SurrogateCapabilities capabilities() const override { return {}; }
  void fit(const Dataset& data, std::uint64_t) override {
    mean_ = data.y.mean();
    d_ = data.X.cols();
  }
  [[nodiscard]] bool fitted() const override { return d_ > 0; }
  [[nodiscard]] Eigen::Index dimension() const override { return d_; }
  [[nodiscard]] prospect::Predictive predict(MatrixCRef X) const override {
    prospect::Predictive p;
    p.mean = Vector::Constant(X.rows(), mean_);
    p.variance = Vector::Ones(X.rows());
    p.noise_variance = Vector::Zero(X.rows());
    return p;
  }
  [[nodiscard]] double noise_variance() const override { return 0.0; }

 private:
  double mean_ = 0.0;
  Eigen::Index d_ = 0;
};

// y = sin(3 x1) + x2 + (0.1 + 0.5 x1) eps: heteroscedastic, not quite quadratic.
struct Problem {
  Matrix X;
  Vector y;
};
Problem draw(Eigen::Index n, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> z(0.0, 1.0);
  Problem p{Matrix(n, 2), Vector(n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    p.X(i, 0) = u(rng);
    p.X(i, 1) = u(rng);
    p.y(i) = std::sin(3 * p.X(i, 0)) + p.X(i, 1) + (0.1 + 0.5 * p.X(i, 0)) * z(rng);
  }
  return p;
}

Dataset dataset(const Problem& p) {
  Dataset d;
  d.X = p.X;
  d.y = p.y;
  return d;
}

struct CoverageStudy {
  std::vector<double> coverage;  // per repetition
  double width = 0.0;            // mean over repetitions and points
  double guarantee = 0.0;        // coverage_guarantee() (the same every repetition)
  [[nodiscard]] double mean() const {
    return std::accumulate(coverage.begin(), coverage.end(), 0.0) /
           static_cast<double>(coverage.size());
  }
  // Standard error of mean() from the spread of the independent repetitions.
  [[nodiscard]] double empirical_se() const {
    const double m = mean();
    double ss = 0.0;
    for (double c : coverage) ss += (c - m) * (c - m);
    const auto R = static_cast<double>(coverage.size());
    return std::sqrt(ss / (R - 1) / R);
  }
};

// R repetitions with fresh data: fit on n points once, cover m fresh test points at each
// level (one CoverageStudy per level, in order).
std::vector<CoverageStudy> study(const prospect::Surrogate& model, const ConformalOptions& options,
                                 int R, Eigen::Index n, Eigen::Index m,
                                 const std::vector<double>& levels, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<CoverageStudy> s(levels.size());
  // One thread: the models here fit in microseconds, where OpenMP's fork and barrier would
  // dominate (and spin on a loaded machine); the thread-count test is separate.
  ConformalOptions one_thread = options;
  one_thread.threads = 1;
  for (int r = 0; r < R; ++r) {
    const Problem train = draw(n, rng);
    const Problem test = draw(m, rng);
    ConformalIntervals ci(model, one_thread);
    ci.fit(dataset(train), seed + static_cast<std::uint64_t>(r));
    for (std::size_t l = 0; l < levels.size(); ++l) {
      const auto iv = ci.interval(test.X, levels[l]);
      s[l].coverage.push_back(prospect::metrics::central_coverage(test.y, iv.lower, iv.upper));
      s[l].width += prospect::metrics::mean_width(iv.lower, iv.upper) / R;
      s[l].guarantee = ci.coverage_guarantee(levels[l]);
    }
  }
  return s;
}

// Split conformal with a.s. distinct scores: given the training part, the coverage of the
// R-th repetition is C_r = F(R_(k)) ~ Beta(k, n_cal + 1 - k), mean p = k/(n_cal + 1), variance
// p(1 - p)/(n_cal + 2). The m test points of a repetition share C_r, so the plain binomial
// se of the pooled coverage, sqrt(p(1 - p)/(R m)), would be too small; the exact variance of
// the pooled mean is [Var C + (p(1 - p) - Var C)/m] / R.
double split_se(double p, Eigen::Index n_cal, int R, Eigen::Index m) {
  const double var_c = p * (1 - p) / static_cast<double>(n_cal + 2);
  return std::sqrt((var_c + (p * (1 - p) - var_c) / static_cast<double>(m)) / R);
}

}  // namespace

TEST_CASE("names and options") {
  for (auto m : {ConformalMethod::split, ConformalMethod::cv_plus, ConformalMethod::jackknife_plus})
    CHECK(prospect::conformal_method_from_string(prospect::to_string(m)) == m);
  for (auto s : {ConformityScore::absolute, ConformityScore::normalized, ConformityScore::quantile})
    CHECK(prospect::conformity_score_from_string(prospect::to_string(s)) == s);
  CHECK(prospect::conformal_method_from_string("cv+") == ConformalMethod::cv_plus);
  CHECK_THROWS_AS((void)prospect::conformal_method_from_string("bootstrap"),
                  prospect::InvalidArgument);
  CHECK_THROWS_AS((void)prospect::conformity_score_from_string("signed"),
                  prospect::InvalidArgument);
  CHECK(ConformalOptions{}.validate().empty());
  ConformalOptions bad;
  bad.calibration_fraction = 1.0;
  bad.folds = 1;
  bad.threads = -1;
  CHECK(bad.validate().size() == 3);
  CHECK_THROWS_AS(ConformalIntervals(QuadraticModel{}, bad), prospect::InvalidOptions);
}

TEST_CASE("jackknife+ and split intervals equal hand-computed order statistics") {
  // Constant model: mu_{-i} = mean of the other y, so everything is computable by hand.
  const Eigen::Index n = 19;
  std::mt19937_64 rng(5);
  const Problem p = draw(n, rng);
  ConformalOptions o;
  o.method = ConformalMethod::jackknife_plus;
  o.score = ConformityScore::absolute;
  ConformalIntervals ci(ConstantModel{}, o);
  ci.fit(dataset(p), 1);
  CHECK(ci.model_count() == n);
  CHECK(ci.calibration_size() == n);
  const double level = 0.8;  // alpha (n + 1) = 4, (1 - alpha)(n + 1) = 16: both exact
  std::vector<double> lo, hi;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double mu = (p.y.sum() - p.y(i)) / static_cast<double>(n - 1);
    const double r = std::abs(p.y(i) - mu);
    CHECK(ci.scores()(i) == doctest::Approx(r).epsilon(1e-12));
    lo.push_back(mu - r);
    hi.push_back(mu + r);
  }
  std::sort(lo.begin(), lo.end());
  std::sort(hi.begin(), hi.end());
  const auto iv = ci.interval(Matrix::Constant(1, 2, 0.5), level);
  CHECK(iv.lower(0) == doctest::Approx(lo[3]).epsilon(1e-12));
  CHECK(iv.upper(0) == doctest::Approx(hi[15]).epsilon(1e-12));
  CHECK(ci.coverage_guarantee(level) == doctest::Approx(0.6));

  // Split, normalized score (sigma = 1 here): Q = the k-th smallest calibration score.
  ConformalOptions so;
  so.calibration_fraction = 0.5;  // round(9.5) = 10 calibration points
  ConformalIntervals split(ConstantModel{}, so);
  split.fit(dataset(p), 3);
  REQUIRE(split.calibration_size() == 10);
  Vector s = split.scores();
  std::sort(s.data(), s.data() + s.size());
  const double mu = split.model(0).predict(Matrix::Zero(1, 2)).mean(0);
  const auto is = split.interval(Matrix::Zero(1, 2), 0.8);  // k = ceil(0.8 * 11) = 9
  CHECK(is.upper(0) == doctest::Approx(mu + s(8)).epsilon(1e-12));
  CHECK(is.lower(0) == doctest::Approx(mu - s(8)).epsilon(1e-12));
  CHECK(split.coverage_guarantee(0.8) == doctest::Approx(9.0 / 11.0));
  // k = ceil(0.95 * 11) = 11 > 10: no finite threshold is valid.
  const auto inf = split.interval(Matrix::Zero(1, 2), 0.95);
  CHECK(std::isinf(inf.lower(0)));
  CHECK(inf.lower(0) < 0);
  CHECK(std::isinf(inf.upper(0)));
  CHECK(inf.upper(0) > 0);
  CHECK(split.coverage_guarantee(0.95) == 1.0);
}

TEST_CASE("split conformal: coverage over 1000 repetitions is k/(n_cal + 1)") {
  // n = 100, calibration_fraction 0.25: n_cal = 25.
  const Eigen::Index n = 100, n_cal = 25, m = 100;
  const int R = 1000;
  const std::vector<double> levels{0.8, 0.9};
  const auto studies = study(QuadraticModel{}, ConformalOptions{}, R, n, m, levels, 11);
  for (std::size_t l = 0; l < levels.size(); ++l) {
    const double level = levels[l];
    const CoverageStudy& s = studies[l];
    CAPTURE(level);
    const double k = std::ceil(level * (n_cal + 1) - 1e-9);
    const double p = k / (n_cal + 1);
    const double se = split_se(p, n_cal, R, m);
    const double alpha = 1 - level;
    // The guarantee window 1 - alpha <= coverage <= 1 - alpha + 1/(n_cal + 1), with 3 se.
    CHECK(s.mean() >= 1 - alpha - 3 * se);
    CHECK(s.mean() <= 1 - alpha + 1.0 / (n_cal + 1) + 3 * se);
    // Sharper: the exact coverage for continuous scores.
    CHECK(std::abs(s.mean() - p) <= 3 * se);
    CHECK(s.guarantee == doctest::Approx(p));
  }
}

TEST_CASE("CV+ and jackknife+: coverage at least 1 - 2 alpha and close to 1 - alpha") {
  // Tolerance for "close": 0.04 plus 3 empirical standard errors (the theory only gives
  // 1 - 2 alpha; in practice, for a stable least-squares fit, the coverage is near nominal).
  const std::vector<double> levels{0.8, 0.9};
  ConformalOptions cv;
  cv.method = ConformalMethod::cv_plus;
  cv.folds = 10;
  const auto cvs = study(QuadraticModel{}, cv, 200, 60, 100, levels, 21);
  ConformalOptions jk;
  jk.method = ConformalMethod::jackknife_plus;
  const auto jks = study(QuadraticModel{}, jk, 200, 40, 100, levels, 31);
  for (std::size_t l = 0; l < levels.size(); ++l) {
    const double level = levels[l];
    CAPTURE(level);
    const double alpha = 1 - level;
    const CoverageStudy& a = cvs[l];
    CHECK(a.guarantee ==
          doctest::Approx(1 - 2 * alpha - std::min(2 * 0.9 / 7.0, (1 - 10.0 / 60) / 11)));
    CHECK(a.mean() >= a.guarantee - 3 * a.empirical_se());
    CHECK(std::abs(a.mean() - level) <= 0.04 + 3 * a.empirical_se());
    MESSAGE("CV+ level " << level << ": coverage " << a.mean() << " +- " << a.empirical_se());

    const CoverageStudy& b = jks[l];
    CHECK(b.guarantee == doctest::Approx(1 - 2 * alpha));
    CHECK(b.mean() >= 1 - 2 * alpha - 3 * b.empirical_se());
    CHECK(std::abs(b.mean() - level) <= 0.04 + 3 * b.empirical_se());
    MESSAGE("jackknife+ level " << level << ": coverage " << b.mean() << " +- "
                                << b.empirical_se());
  }
}

TEST_CASE("the normalized score gives narrower intervals than the absolute one") {
  // Noise sd from 0.1 to 0.6 across x1: a constant half-width must cover the noisy end.
  // n = 200 (n_cal = 50), so that the fitted sigma is not too noisy.
  ConformalOptions abs_o, norm_o;
  abs_o.score = ConformityScore::absolute;
  norm_o.score = ConformityScore::normalized;
  const CoverageStudy a = study(QuadraticModel{}, abs_o, 300, 200, 100, {0.9}, 41).front();
  const CoverageStudy b = study(QuadraticModel{}, norm_o, 300, 200, 100, {0.9}, 41).front();
  const double p = 46.0 / 51.0, se = split_se(p, 50, 300, 100);  // k = ceil(0.9 * 51)
  CHECK(std::abs(a.mean() - p) <= 3 * se);
  CHECK(std::abs(b.mean() - p) <= 3 * se);
  MESSAGE("mean 90% width: absolute " << a.width << ", normalized " << b.width);
  // With the exact sigma the normalized width would be 2 z_0.95 E[sd] = 3.29 * 0.35 = 1.15,
  // about 0.87 of the absolute score's (about 1.33 here); the noise of the fitted sigma
  // costs part of the gain, so require 0.95 (the per-repetition widths vary by ~0.1, so the
  // mean over 300 repetitions is known to ~0.01).
  CHECK(b.width < 0.95 * a.width);
}

TEST_CASE("quantile score repairs a model whose own quantiles are too narrow") {
  const double level = 0.8;
  ConformalOptions o;
  o.score = ConformityScore::quantile;
  const CoverageStudy s = study(NarrowQuantileModel{}, o, 300, 100, 100, {level}, 51).front();
  const double p = 21.0 / 26.0;  // k = ceil(0.8 * 26) = 21
  CHECK(std::abs(s.mean() - p) <= 3 * split_se(p, 25, 300, 100));

  // The model's own 80 % interval covers far less (about 2 Phi(0.64) - 1 = 0.48).
  std::mt19937_64 rng(52);
  NarrowQuantileModel raw;
  raw.fit(dataset(draw(100, rng)), 0);
  const Problem test = draw(4000, rng);
  Vector levels(2);
  levels << 0.1, 0.9;
  const Matrix Q = raw.quantiles(test.X, levels);
  CHECK(prospect::metrics::central_coverage(test.y, Q.col(0), Q.col(1)) < 0.6);

  // The scores depend on the level, and so do the intervals.
  ConformalIntervals ci(NarrowQuantileModel{}, o);
  ci.fit(dataset(draw(100, rng)), 9);
  CHECK((ci.scores(0.5) - ci.scores(0.9)).cwiseAbs().maxCoeff() > 0);
  const auto a = ci.interval(test.X.topRows(5), 0.5);
  const auto b = ci.interval(test.X.topRows(5), 0.9);
  CHECK(((b.upper - b.lower).array() > (a.upper - a.lower).array()).all());

  // CV+ with the quantile score.
  ConformalOptions cv = o;
  cv.method = ConformalMethod::cv_plus;
  cv.folds = 5;
  const CoverageStudy c = study(NarrowQuantileModel{}, cv, 60, 60, 100, {level}, 53).front();
  CHECK(c.mean() >= 1 - 2 * (1 - level));
  CHECK(std::abs(c.mean() - level) <= 0.04 + 3 * c.empirical_se());
}

TEST_CASE("around a Gaussian process: split coverage within binomial error") {
  // n = 40, n_cal = 10: k = 9 (80 %) and 10 (90 %) of 11.
  prospect::GaussianProcess gp{prospect::kernels::Matern52{}};
  const int R = 100;
  const Eigen::Index m = 100;
  std::mt19937_64 rng(61);
  std::vector<double> c80, c90;
  for (int r = 0; r < R; ++r) {
    const Problem train = draw(40, rng);
    const Problem test = draw(m, rng);
    ConformalIntervals ci(gp);
    ci.fit(dataset(train), static_cast<std::uint64_t>(r));
    REQUIRE(ci.calibration_size() == 10);
    const auto a = ci.interval(test.X, 0.8);
    const auto b = ci.interval(test.X, 0.9);
    c80.push_back(prospect::metrics::central_coverage(test.y, a.lower, a.upper));
    c90.push_back(prospect::metrics::central_coverage(test.y, b.lower, b.upper));
  }
  const double m80 = std::accumulate(c80.begin(), c80.end(), 0.0) / R;
  const double m90 = std::accumulate(c90.begin(), c90.end(), 0.0) / R;
  MESSAGE("GP split coverage: " << m80 << " at 80%, " << m90 << " at 90%");
  CHECK(std::abs(m80 - 9.0 / 11) <= 3 * split_se(9.0 / 11, 10, R, m));
  CHECK(std::abs(m90 - 10.0 / 11) <= 3 * split_se(10.0 / 11, 10, R, m));
}

TEST_CASE("deterministic for a seed whatever the thread count") {
  std::mt19937_64 rng(71);
  const Problem train = draw(30, rng);
  const Problem test = draw(20, rng);
  prospect::GaussianProcess gp{prospect::kernels::Matern52{}};
  ConformalOptions o;
  o.method = ConformalMethod::cv_plus;
  o.folds = 5;
  o.threads = 1;
  ConformalIntervals one(gp, o);
  o.threads = 4;
  ConformalIntervals four(gp, o);
  one.fit(dataset(train), 7);
  four.fit(dataset(train), 7);
  const auto a = one.interval(test.X, 0.9);
  const auto b = four.interval(test.X, 0.9);
  CHECK(a.lower == b.lower);
  CHECK(a.upper == b.upper);
  CHECK(one.scores() == four.scores());

  // Another seed: another fold assignment, other intervals.
  four.fit(dataset(train), 8);
  CHECK(four.interval(test.X, 0.9).upper != a.upper);

  // Copies carry the fitted models.
  const ConformalIntervals copy = one;
  CHECK(copy.interval(test.X, 0.9).upper == a.upper);
}

TEST_CASE("bad input throws typed errors and leaves the object unchanged") {
  std::mt19937_64 rng(81);
  const Problem p = draw(40, rng);
  ConformalIntervals ci(QuadraticModel{});
  CHECK_FALSE(ci.fitted());
  CHECK(ci.calibration_size() == 0);
  CHECK_THROWS_AS((void)ci.interval(p.X, 0.9), prospect::InvalidState);
  CHECK_THROWS_AS((void)ci.scores(), prospect::InvalidState);
  CHECK_THROWS_AS(ci.fit(Dataset{}, 0), prospect::InvalidArgument);

  ci.fit(dataset(p), 1);
  const auto before = ci.interval(p.X.topRows(3), 0.9);
  const Vector scores_before = ci.scores();

  CHECK_THROWS_AS((void)ci.interval(p.X, 0.0), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)ci.interval(p.X, 1.0), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)ci.interval(p.X, std::nan("")), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)ci.interval(Matrix::Zero(2, 3), 0.9), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)ci.model(1), prospect::InvalidArgument);
  CHECK_THROWS_WITH_AS((void)ci.interval(p.X, 1.5), doctest::Contains("level"),
                       prospect::InvalidArgument);

  Dataset empty;
  empty.X.resize(0, 2);
  CHECK_THROWS_AS(ci.fit(empty, 0), prospect::InvalidArgument);
  Dataset small = dataset(p);
  small.X = p.X.topRows(5);
  small.y = p.y.head(5);  // round(0.25 * 5) = 1 calibration point
  CHECK_THROWS_WITH_AS(ci.fit(small, 0), doctest::Contains("calibration"),
                       prospect::InvalidArgument);
  Dataset mismatched = dataset(p);
  mismatched.y = p.y.head(10);
  CHECK_THROWS_AS(ci.fit(mismatched, 0), prospect::InvalidArgument);

  ConformalOptions cv;
  cv.method = ConformalMethod::cv_plus;
  cv.folds = 10;
  ConformalIntervals cvi(QuadraticModel{}, cv);
  small.X = p.X.topRows(8);
  small.y = p.y.head(8);
  CHECK_THROWS_WITH_AS(cvi.fit(small, 0), doctest::Contains("folds"), prospect::InvalidArgument);

  // Unchanged by the failed calls.
  CHECK(ci.fitted());
  CHECK(ci.scores() == scores_before);
  const auto after = ci.interval(p.X.topRows(3), 0.9);
  CHECK(after.lower == before.lower);
  CHECK(after.upper == before.upper);
}
