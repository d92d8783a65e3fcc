// Conformalized quantile regression: split-conformal coverage over 1000 repeated synthetic
// problems (finite-sample level valid, Syne Tune's level lower); no conformalization at
// n <= 32; monotone quantiles; interpolation and extrapolation between the levels; the
// predict() summary; determinism (seed, threads); state()/restore(); bad options and input.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <vector>

#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/cqr/conformal_quantile_regression.hpp"

using namespace prospect;

namespace {

// y = sin(6 x_0) + 0.5 x_1 + (0.1 + 0.4 x_0) eps on the unit square.
Dataset wave(Eigen::Index n, Rng& rng) {
  Dataset data;
  data.X.resize(n, 2);
  data.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double x0 = rng.uniform(), x1 = rng.uniform();
    data.X(i, 0) = x0;
    data.X(i, 1) = x1;
    data.y(i) = std::sin(6.0 * x0) + 0.5 * x1 + (0.1 + 0.4 * x0) * rng.normal();
  }
  return data;
}

Dataset wave(Eigen::Index n, std::uint64_t seed) {
  Rng rng(seed);
  return wave(n, rng);
}

double z(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

}  // namespace

TEST_CASE("split-conformal coverage over 1000 repeated problems") {
  // Each repetition draws fresh data: n = 130 points split into n_cal = ceil(0.4 n) = 52
  // calibration and 78 training points, and 100 test points. Small, cheap regressors:
  // the conformal guarantee does not depend on their quality.
  // With 1 - alpha = 0.66 and n_cal = 52: k = ceil(0.66 * 53) = 35, so the finite-sample
  // level 35/52 puts Q between the 35th and 36th smallest scores and the coverage of a new
  // point lies in [35/53, 36/53] = [0.6604, 0.6792] (0.66 + 1/53 = 0.6789: this n_cal
  // makes the textbook bound and the one of numpy's interpolated quantile agree).
  // Syne Tune's level 0.66 / (1 + 1/52) = 0.6475 sits at position 33.0 of 0..51:
  // coverage about 34/53 = 0.642.
  // Standard error of the mean coverage: per repetition the coverage given the
  // calibration set is ~Beta(35, 19) (sd 0.064) plus test-point noise (sd 0.047 for 100
  // points): sd ~0.08, over 1000 repetitions se ~0.0025; the bounds allow 3 se.
  const int reps = 1000;
  const Eigen::Index n = 130, m = 100;
  CQROptions o;
  o.levels = {0.17, 0.83};
  o.valid_fraction = 0.4;
  o.boosting.n_estimators = 10;
  o.threads = 1;
  CQROptions o_st = o;
  o_st.conformal_level = ConformalLevel::syne_tune;
  double covered = 0.0, covered_st = 0.0, covered_raw = 0.0;
  for (int r = 0; r < reps; ++r) {
    Rng rng(derive_seed(2024, static_cast<std::uint64_t>(r)));
    const Dataset train = wave(n, rng);
    const Dataset test = wave(m, rng);
    ConformalQuantileRegression model(o), model_st(o_st);
    model.fit(train, static_cast<std::uint64_t>(r));
    model_st.fit(train, static_cast<std::uint64_t>(r));
    REQUIRE(model.calibration_size() == 52);
    const Matrix Q = model.level_quantiles(test.X);
    const Matrix Qst = model_st.level_quantiles(test.X);
    const Vector raw_lo = model.regressors()[0].predict(test.X);
    const Vector raw_hi = model.regressors()[1].predict(test.X);
    for (Eigen::Index i = 0; i < m; ++i) {
      const double yi = test.y(i);
      covered += (Q(i, 0) <= yi && yi <= Q(i, 1)) ? 1.0 : 0.0;
      covered_st += (Qst(i, 0) <= yi && yi <= Qst(i, 1)) ? 1.0 : 0.0;
      covered_raw += (raw_lo(i) <= yi && yi <= raw_hi(i)) ? 1.0 : 0.0;
    }
  }
  const double total = static_cast<double>(reps * m);
  const double coverage = covered / total, coverage_st = covered_st / total;
  MESSAGE("coverage: finite_sample " << coverage << ", syne_tune " << coverage_st
                                     << ", uncorrected " << covered_raw / total);
  const double se = 0.0025;
  CHECK(coverage >= 0.66 - 3 * se);
  CHECK(coverage <= 0.66 + 1.0 / 53.0 + 3 * se);
  CHECK(coverage_st < coverage - 0.01);
  CHECK(coverage_st < 0.66 - 3 * se);
}

TEST_CASE("no conformalization at n <= min_samples_to_conformalize") {
  CQROptions o;
  o.boosting.n_estimators = 20;
  const Dataset small = wave(32, 1);
  ConformalQuantileRegression model(o);
  model.fit(small, 3);
  CHECK_FALSE(model.conformalized());
  CHECK(model.calibration_size() == 0);
  REQUIRE(model.corrections().size() == 2);
  CHECK(model.corrections()[0] == 0.0);
  CHECK(model.corrections()[1] == 0.0);
  // The quantiles are the regressors' own (sorted), fitted on all 32 points.
  const Dataset test = wave(50, 2);
  Matrix raw(test.X.rows(), 5);
  for (Eigen::Index k = 0; k < 5; ++k) {
    QuantileBoosting q(o.levels[static_cast<std::size_t>(k)], o.boosting);
    q.fit(small.X, small.y, 0);
    raw.col(k) = q.predict(test.X);
  }
  Matrix sorted = raw;
  for (Eigen::Index i = 0; i < sorted.rows(); ++i) {
    Vector r = sorted.row(i).transpose();
    std::sort(r.data(), r.data() + r.size());
    sorted.row(i) = r.transpose();
  }
  CHECK(model.level_quantiles(test.X) == sorted);

  // One more point: conformalized with ceil(0.1 * 33) = 4 calibration points.
  model.fit(wave(33, 1), 3);
  CHECK(model.conformalized());
  CHECK(model.calibration_size() == 4);
  // With n_cal = 4 the finite-sample level of the outer pair (1 - alpha = 0.66) is
  // min(1, ceil(0.66 * 5) / 4) = 1: its correction is the largest of the 4 calibration
  // scores, so it is the score max(q_lo - y, y - q_hi) of one of the 33 points, and at least
  // 4 scores are <= it. (The inner pair's level is ceil(0.34 * 5) / 4 = 0.5: interpolated.)
  {
    const Dataset d33 = wave(33, 1);
    const auto& reg = model.regressors();
    const Vector lo = reg[0].predict(d33.X);
    const Vector hi = reg[4].predict(d33.X);
    const Vector score = (lo - d33.y).cwiseMax(d33.y - hi);
    const double Q = model.corrections()[0];
    CHECK((score.array() == Q).any());
    CHECK((score.array() <= Q).count() >= 4);
  }
  // max_fit_samples subsamples first: 200 points -> 50 -> 5 calibration points.
  CQROptions om = o;
  om.max_fit_samples = 50;
  ConformalQuantileRegression sub(om);
  sub.fit(wave(200, 4), 5);
  CHECK(sub.calibration_size() == 5);
  om.max_fit_samples = 30;
  ConformalQuantileRegression sub30(om);
  sub30.fit(wave(200, 4), 5);
  CHECK_FALSE(sub30.conformalized());
}

TEST_CASE("quantiles: monotone, exact at the levels, interpolated between, extrapolated beyond") {
  CQROptions o;
  o.boosting.n_estimators = 30;
  ConformalQuantileRegression model(o);
  const Dataset data = wave(120, 7);
  model.fit(data, 11);
  REQUIRE(model.conformalized());
  const Dataset test = wave(200, 8);
  const Matrix Q = model.level_quantiles(test.X);
  for (Eigen::Index i = 0; i < Q.rows(); ++i) {
    for (Eigen::Index k = 1; k < Q.cols(); ++k) CHECK(Q(i, k - 1) <= Q(i, k));
  }
  // A grid of levels in increasing order: monotone per row, including the tails.
  Vector grid(99);
  for (int j = 0; j < 99; ++j) grid(j) = (j + 1) / 100.0;
  const Matrix G = model.quantiles(test.X, grid);
  for (Eigen::Index i = 0; i < G.rows(); ++i) {
    for (Eigen::Index j = 1; j < G.cols(); ++j) CHECK(G(i, j - 1) <= G(i, j) + 1e-12);
  }
  // Levels in any order; own levels exact; 0.25 linear between 0.17 and 0.33; 0.05 and
  // 0.95 linear in the normal score through the two outermost levels on their side.
  Vector levels(5);
  levels << 0.83, 0.25, 0.17, 0.05, 0.95;
  const Matrix P = model.quantiles(test.X, levels);
  for (Eigen::Index i = 0; i < P.rows(); ++i) {
    CHECK(P(i, 0) == Q(i, 4));
    CHECK(P(i, 2) == Q(i, 0));
    const double w = (0.25 - 0.17) / (0.33 - 0.17);
    CHECK(P(i, 1) == doctest::Approx(Q(i, 0) + w * (Q(i, 1) - Q(i, 0))));
    const double wl = (z(0.05) - z(0.17)) / (z(0.33) - z(0.17));
    CHECK(P(i, 3) == doctest::Approx(Q(i, 0) + wl * (Q(i, 1) - Q(i, 0))));
    const double wh = (z(0.95) - z(0.67)) / (z(0.83) - z(0.67));
    CHECK(P(i, 4) == doctest::Approx(Q(i, 3) + wh * (Q(i, 4) - Q(i, 3))));
  }
  // Corrections shift the regressors' quantiles: q_lo - Q, q_hi + Q, median untouched
  // (checked unsorted).
  CQROptions ou = o;
  ou.sort_quantiles = false;
  ConformalQuantileRegression unsorted(ou);
  unsorted.fit(data, 11);
  const Matrix U = unsorted.level_quantiles(test.X);
  const auto& c = unsorted.corrections();
  CHECK(c == model.corrections());
  const auto& reg = unsorted.regressors();
  CHECK(U.col(0) == (reg[0].predict(test.X).array() - c[0]).matrix());
  CHECK(U.col(1) == (reg[1].predict(test.X).array() - c[1]).matrix());
  CHECK(U.col(2) == reg[2].predict(test.X));
  CHECK(U.col(3) == (reg[3].predict(test.X).array() + c[1]).matrix());
  CHECK(U.col(4) == (reg[4].predict(test.X).array() + c[0]).matrix());
}

TEST_CASE("predict(): median and the outermost pair's normal-equivalent variance") {
  CQROptions o;
  o.boosting.n_estimators = 30;
  const Dataset data = wave(100, 17);
  const Dataset test = wave(40, 18);
  ConformalQuantileRegression model(o);
  model.fit(data, 1);
  const Predictive p = model.predict(test.X);
  const Matrix Q = model.level_quantiles(test.X);
  CHECK(p.mean == Q.col(2));
  Vector half(1);
  half << 0.5;
  CHECK(p.mean == model.quantiles(test.X, half).col(0));
  for (Eigen::Index i = 0; i < p.mean.size(); ++i) {
    const double sd = (Q(i, 4) - Q(i, 0)) / (2.0 * z(0.83));
    CHECK(p.variance(i) == doctest::Approx(sd * sd));
  }
  CHECK(p.noise_variance == Vector::Zero(40));
  CHECK(model.noise_variance() == 0.0);

  // Without a median level: the mean interpolates the innermost pair (their average).
  CQROptions o4 = o;
  o4.levels = {0.1, 0.3, 0.7, 0.9};
  ConformalQuantileRegression m4(o4);
  m4.fit(data, 1);
  const Matrix Q4 = m4.level_quantiles(test.X);
  const Predictive p4 = m4.predict(test.X);
  for (Eigen::Index i = 0; i < p4.mean.size(); ++i) {
    CHECK(p4.mean(i) == doctest::Approx(0.5 * (Q4(i, 1) + Q4(i, 2))));
    const double sd = (Q4(i, 3) - Q4(i, 0)) / (2.0 * z(0.9));
    CHECK(p4.variance(i) == doctest::Approx(sd * sd));
  }
  CHECK(m4.corrections().size() == 2);

  const auto caps = model.capabilities();
  CHECK(caps.quantiles);
  CHECK_FALSE(caps.input_gradients);
  CHECK_FALSE(caps.joint_posterior);
  CHECK_FALSE(caps.conditioning);
  CHECK_FALSE(caps.incremental);
  CHECK_FALSE(caps.joint_gradients);
  CHECK_FALSE(caps.function_samples);
  CHECK(model.name() == "cqr");
  CHECK(model.dimension() == 2);
  const auto copy = model.clone();
  CHECK(copy->predict(test.X).mean == p.mean);
}

TEST_CASE("determinism: seed, threads, state()/restore()") {
  CQROptions o;
  o.boosting.n_estimators = 30;
  o.boosting.subsample = 0.8;
  const Dataset data = wave(150, 27);
  const Dataset test = wave(60, 28);
  CQROptions o1 = o, o2 = o;
  o1.threads = 1;
  o2.threads = 2;
  ConformalQuantileRegression a(o1), b(o2), c(o1);
  const std::uint64_t seed = 987654321987654321ULL;
  a.fit(data, seed);
  b.fit(data, seed);
  c.fit(data, seed + 1);
  CHECK(a.level_quantiles(test.X) == b.level_quantiles(test.X));
  CHECK(a.corrections() == b.corrections());
  CHECK(a.level_quantiles(test.X) != c.level_quantiles(test.X));

  const Vector state = a.state();
  REQUIRE(state.size() == 2);
  ConformalQuantileRegression restored(o2);
  restored.restore(data, state);
  CHECK(restored.level_quantiles(test.X) == a.level_quantiles(test.X));
  CHECK(restored.state() == state);
  CHECK(ConformalQuantileRegression(o).state().size() == 0);
  ConformalQuantileRegression zero(o);
  zero.restore(data, Vector());
  ConformalQuantileRegression zero_fit(o);
  zero_fit.fit(data, 0);
  CHECK(zero.level_quantiles(test.X) == zero_fit.level_quantiles(test.X));
  Vector bad(2);
  bad << 1.5, 2.0;
  CHECK_THROWS_AS(restored.restore(data, bad), InvalidArgument);
  CHECK_THROWS_AS(restored.restore(data, Vector::Ones(3)), InvalidArgument);
  CHECK(restored.level_quantiles(test.X) == a.level_quantiles(test.X));
}

TEST_CASE("conformal level names") {
  CHECK(std::string(to_string(ConformalLevel::finite_sample)) == "finite_sample");
  CHECK(std::string(to_string(ConformalLevel::syne_tune)) == "syne_tune");
  for (auto l : {ConformalLevel::finite_sample, ConformalLevel::syne_tune}) {
    CHECK(conformal_level_from_string(to_string(l)) == l);
  }
  CHECK_THROWS_WITH_AS((void)conformal_level_from_string("romano"),
                       doctest::Contains("conformal_level"), InvalidArgument);
}

TEST_CASE("bad options and input") {
  auto throws_naming = [](const CQROptions& o, const char* field) {
    CAPTURE(field);
    CHECK_THROWS_WITH_AS(ConformalQuantileRegression{o}, doctest::Contains(field), InvalidArgument);
  };
  CHECK(CQROptions{}.validate().empty());
  CQROptions o;
  o.levels = {0.5};
  throws_naming(o, "levels");
  o.levels = {0.2, 0.9};
  throws_naming(o, "levels[0] and levels[1]");
  o.levels = {0.3, 0.2, 0.8, 0.7};
  throws_naming(o, "strictly increasing");
  o.levels = {0.0, 0.5, 1.0};
  throws_naming(o, "levels[0]");
  o.levels = {0.2, 0.4, 0.8};
  throws_naming(o, "levels[1]");
  o = {};
  o.valid_fraction = 1.0;
  throws_naming(o, "valid_fraction");
  o = {};
  o.min_samples_to_conformalize = 0;
  throws_naming(o, "min_samples_to_conformalize");
  o = {};
  o.max_fit_samples = -1;
  throws_naming(o, "max_fit_samples");
  o = {};
  o.boosting.n_estimators = 0;
  throws_naming(o, "boosting.n_estimators");
  o = {};
  o.threads = -2;
  throws_naming(o, "threads");
  o = {};
  o.conformal_level = static_cast<ConformalLevel>(7);
  throws_naming(o, "conformal_level");

  CQROptions small;
  small.boosting.n_estimators = 10;
  ConformalQuantileRegression model(small);
  const Dataset data = wave(40, 5);
  CHECK_THROWS_AS((void)model.predict(data.X), InvalidState);
  CHECK_THROWS_AS((void)model.quantiles(data.X, Vector::Constant(1, 0.5)), InvalidState);
  Dataset bad = data;
  bad.X(2, 1) = 1.5;
  CHECK_THROWS_WITH_AS(model.fit(bad, 0), doctest::Contains("data.X(2, 1)"), InvalidArgument);
  bad = data;
  bad.y(6) = std::nan("");
  CHECK_THROWS_WITH_AS(model.fit(bad, 0), doctest::Contains("data.y(6)"), InvalidArgument);
  bad = data;
  bad.y.conservativeResize(10);
  CHECK_THROWS_WITH_AS(model.fit(bad, 0), doctest::Contains("data.y has 10"), InvalidArgument);
  CHECK_THROWS_AS(model.fit(Dataset{}, 0), InvalidArgument);
  CHECK_FALSE(model.fitted());
  model.fit(data, 0);
  const Matrix before = model.level_quantiles(data.X);
  bad = data;
  bad.X(0, 0) = -0.5;
  CHECK_THROWS_AS(model.fit(bad, 1), InvalidArgument);
  CHECK(model.level_quantiles(data.X) == before);  // unchanged on throw
  CHECK_THROWS_WITH_AS((void)model.predict(Matrix::Constant(2, 3, 0.5)),
                       doctest::Contains("columns"), InvalidArgument);
  CHECK_THROWS_WITH_AS((void)model.predict(Matrix::Constant(2, 2, 2.0)), doctest::Contains("X("),
                       InvalidArgument);
  CHECK_THROWS_WITH_AS((void)model.quantiles(data.X, Vector::Constant(1, 1.0)),
                       doctest::Contains("levels[0]"), InvalidArgument);
  CHECK_THROWS_AS((void)model.quantiles(data.X, Vector()), InvalidArgument);
}
