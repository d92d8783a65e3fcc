// Gradient-boosted quantile trees: the pinned empirical-quantile rule; a stump against a
// by-hand computation (F0, the best Friedman split, the re-estimated leaf quantiles);
// coverage and accuracy against the true conditional quantile of heteroscedastic data;
// determinism, subsampling, bad input.
#include <doctest/doctest.h>

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <vector>

#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/cqr/quantile_boosting.hpp"

using namespace prospect;

namespace {

double noise_sd(double x) {
  return 0.1 + 0.4 * x;
}

// y = sin(6x) + (0.1 + 0.4 x) eps, x ~ U[0, 1], eps ~ N(0, 1).
void wave(Eigen::Index n, std::uint64_t seed, Matrix& X, Vector& y) {
  Rng rng(seed);
  X.resize(n, 1);
  y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double x = rng.uniform();
    X(i, 0) = x;
    y(i) = std::sin(6.0 * x) + noise_sd(x) * rng.normal();
  }
}

double true_quantile(double x, double tau) {
  const boost::math::normal_distribution<double> normal;
  return std::sin(6.0 * x) + noise_sd(x) * boost::math::quantile(normal, tau);
}

}  // namespace

TEST_CASE("the pinned empirical quantiles") {
  // Leaves: the k-th smallest value, k = max(1, ceil(tau n)).
  std::vector<double> v{5, 1, 4, 2, 3};
  CHECK(inverted_cdf_quantile(v, 0.2) == 1.0);  // tau n = 1 exactly: k = 1
  CHECK(inverted_cdf_quantile(v, 0.21) == 2.0);
  CHECK(inverted_cdf_quantile(v, 0.5) == 3.0);  // ceil(2.5) = 3
  CHECK(inverted_cdf_quantile(v, 0.6) == 3.0);  // 0.6 * 5 = 3 (rounding noise ignored)
  CHECK(inverted_cdf_quantile(v, 0.01) == 1.0);
  CHECK(inverted_cdf_quantile(v, 0.99) == 5.0);
  std::vector<double> ten{10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  // 0.3 * 10 = 3.0000000000000004 in doubles: still the 3rd smallest.
  CHECK(inverted_cdf_quantile(ten, 0.3) == 3.0);
  std::vector<double> empty;
  CHECK_THROWS_AS((void)inverted_cdf_quantile(empty, 0.5), InvalidArgument);
  CHECK_THROWS_AS((void)inverted_cdf_quantile(v, 1.0), InvalidArgument);
  // F0: numpy's linear rule, position (n - 1) tau in the sorted values.
  std::vector<double> w{5, 1, 4, 2, 3};
  CHECK(linear_quantile(w, 0.5) == 3.0);                   // position 2
  CHECK(linear_quantile(w, 0.3) == doctest::Approx(2.2));  // position 1.2
  CHECK(linear_quantile(w, 0.9) == doctest::Approx(4.6));  // position 3.6
  CHECK(linear_quantile(w, 0.0) == 1.0);
  CHECK(linear_quantile(w, 1.0) == 5.0);
  std::vector<double> one{7.0};
  CHECK(linear_quantile(one, 0.3) == 7.0);
  CHECK_THROWS_AS((void)linear_quantile(empty, 0.5), InvalidArgument);
  CHECK_THROWS_AS((void)linear_quantile(w, 1.5), InvalidArgument);
}

TEST_CASE("a single stump equals the by-hand computation") {
  // Feature 0 separates the low and high y; feature 1 is a distractor.
  Matrix X(6, 2);
  X << 0.1, 0.5,  //
      0.2, 0.9,   //
      0.3, 0.1,   //
      0.6, 0.4,   //
      0.7, 0.8,   //
      0.8, 0.2;
  Vector y(6);
  y << 1.0, 2.0, 1.5, 5.0, 4.0, 6.0;
  const QuantileBoostingOptions stump{.n_estimators = 1, .max_depth = 1};

  SUBCASE("tau = 0.3") {
    // F0: sorted y = {1, 1.5, 2, 4, 5, 6}, position 5 * 0.3 = 1.5: 1.5 + 0.5 (2 - 1.5) = 1.75.
    // g = 0.3 where y >= 1.75, else -0.7: (-.7, .3, -.7, .3, .3, .3).
    // Feature 0 in order, left sizes 1..5, n_L n_R (mean_L - mean_R)^2:
    //   1*5*(-.7-.1)^2 = 3.2, 2*4*(-.2-.05)^2 = 0.5, 3*3*(-.3667-.3)^2 = 4.0,
    //   4*2*(-.2-.3)^2 = 2.0, 5*1*(-.1-.3)^2 = 0.8;
    // feature 1 (order 2,5,3,0,4,1; g -.7,.3,.3,-.7,.3,.3): 3.2, 0.5, 0, 2.0, 0.8.
    // Best: feature 0 between 0.3 and 0.6, threshold 0.45.
    // Leaves (k = max(1, ceil(0.3 * 3)) = 1, the minimum of the residuals y - 1.75):
    //   left {-0.75, 0.25, -0.25} -> -0.75; right {3.25, 2.25, 4.25} -> 2.25.
    QuantileBoosting model(0.3, stump);
    model.fit(X, y, 1);
    CHECK(model.initial_value() == doctest::Approx(1.75).epsilon(1e-15));
    REQUIRE(model.tree_count() == 1);
    REQUIRE(model.node_count() == 3);
    const auto& root = model.nodes()[static_cast<std::size_t>(model.roots()[0])];
    CHECK(root.feature == 0);
    CHECK(root.threshold == doctest::Approx(0.45).epsilon(1e-14));
    CHECK(model.nodes()[static_cast<std::size_t>(root.left)].value ==
          doctest::Approx(-0.75).epsilon(1e-14));
    CHECK(model.nodes()[static_cast<std::size_t>(root.right)].value ==
          doctest::Approx(2.25).epsilon(1e-14));
    Matrix Xt(3, 2);
    Xt << 0.0, 0.0, root.threshold, 1.0, 0.46, 0.0;
    const Vector p = model.predict(Xt);
    CHECK(p(0) == doctest::Approx(1.75 - 0.075).epsilon(1e-14));
    CHECK(p(1) == doctest::Approx(1.75 - 0.075).epsilon(1e-14));  // x <= threshold: left
    CHECK(p(2) == doctest::Approx(1.75 + 0.225).epsilon(1e-14));
  }

  SUBCASE("tau = 0.5, two stages") {
    // F0 = 3 (position 2.5 between 2 and 4); g = (-.5, -.5, -.5, .5, .5, .5): a perfect
    // split at 0.45; leaves (k = ceil(1.5) = 2, the middle of 3): left y - 3 = {-2, -1,
    // -1.5} -> -1.5, right {2, 1, 3} -> 2. After stage 1: F = 2.85 left, 3.2 right; the
    // signs of y - F do not change, so stage 2 splits the same way with leaves
    // left {-1.85, -0.85, -1.35} -> -1.35 and right {1.8, 0.8, 2.8} -> 1.8.
    QuantileBoosting model(0.5, {.n_estimators = 2, .max_depth = 1});
    model.fit(X, y, 1);
    CHECK(model.initial_value() == 3.0);
    for (int t = 0; t < 2; ++t) {
      const auto& root =
          model.nodes()[static_cast<std::size_t>(model.roots()[static_cast<std::size_t>(t)])];
      CHECK(root.feature == 0);
      CHECK(root.threshold == doctest::Approx(0.45).epsilon(1e-14));
      CHECK(model.nodes()[static_cast<std::size_t>(root.left)].value ==
            doctest::Approx(t == 0 ? -1.5 : -1.35));
      CHECK(model.nodes()[static_cast<std::size_t>(root.right)].value ==
            doctest::Approx(t == 0 ? 2.0 : 1.8));
    }
    Matrix Xt(2, 2);
    Xt << 0.1, 0.5, 0.9, 0.0;
    const Vector p = model.predict(Xt);
    CHECK(p(0) == doctest::Approx(3.0 - 0.15 - 0.135));
    CHECK(p(1) == doctest::Approx(3.0 + 0.2 + 0.18));
  }

  SUBCASE("a point at F gets the gradient tau (y >= F, as sklearn)") {
    // y = 1..5 at x = 0.1..0.5, tau = 0.5: F0 = 3 = y_2 exactly, so g = (-.5, -.5, .5, .5,
    // .5) and the perfect split lies between x = 0.2 and 0.3 (with y > F it would lie
    // between 0.3 and 0.4). Leaves: left {-2, -1} -> k = 1: -2; right {0, 1, 2} -> k = 2: 1.
    Matrix X1(5, 1);
    X1 << 0.1, 0.2, 0.3, 0.4, 0.5;
    Vector y1(5);
    y1 << 1, 2, 3, 4, 5;
    QuantileBoosting model(0.5, stump);
    model.fit(X1, y1, 0);
    const auto& root = model.nodes()[static_cast<std::size_t>(model.roots()[0])];
    CHECK(root.threshold == doctest::Approx(0.25).epsilon(1e-14));
    CHECK(model.nodes()[static_cast<std::size_t>(root.left)].value == -2.0);
    CHECK(model.nodes()[static_cast<std::size_t>(root.right)].value == 1.0);
  }
}

TEST_CASE("min_samples_leaf and max_depth bound the trees") {
  Matrix X;
  Vector y;
  wave(200, 3, X, y);
  QuantileBoosting model(0.5, {.n_estimators = 5, .max_depth = 2, .min_samples_leaf = 30});
  model.fit(X, y, 0);
  // Depth 2: at most 7 nodes per tree.
  CHECK(model.node_count() <= 5 * 7);
  // Every leaf holds >= 30 of the 200 points: count them through the tree.
  for (int t = 0; t < model.tree_count(); ++t) {
    std::vector<int> count(model.node_count(), 0);
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      int node = model.roots()[static_cast<std::size_t>(t)];
      while (model.nodes()[static_cast<std::size_t>(node)].feature >= 0) {
        const auto& nd = model.nodes()[static_cast<std::size_t>(node)];
        node = X(i, nd.feature) <= nd.threshold ? nd.left : nd.right;
      }
      ++count[static_cast<std::size_t>(node)];
    }
    for (std::size_t k = 0; k < count.size(); ++k) {
      if (model.nodes()[k].feature < 0 && count[k] > 0) CHECK(count[k] >= 30);
    }
  }
}

TEST_CASE("coverage and accuracy on heteroscedastic data") {
  Matrix X, Xt;
  Vector y, yt;
  wave(2000, 11, X, y);
  wave(20000, 12, Xt, yt);
  for (double tau : {0.1, 0.5, 0.9}) {
    CAPTURE(tau);
    QuantileBoosting model(tau);
    model.fit(X, y, 7);
    const Vector q = model.predict(Xt);
    const double coverage = (yt.array() <= q.array()).cast<double>().mean();
    // Sampling error of the 20000 test points is sqrt(tau (1 - tau) / 20000) <= 0.0035;
    // the fitted quantile's own error (100 shrunk stages on 2000 points; a shift of 0.05
    // in q moves the coverage by about 0.05 * density ~ 0.03 where the noise is small)
    // dominates: 0.03 covers it.
    CHECK(std::abs(coverage - tau) < 0.03);
    // Against the true conditional quantile on a grid away from the edges (where the
    // trees' piecewise constants see one-sided data): the mean absolute error is well
    // below the noise level (sd 0.1 .. 0.5, the quantile's spread across x is ~2).
    double mae = 0.0;
    const int grid = 91;
    Matrix G(grid, 1);
    for (int i = 0; i < grid; ++i) G(i, 0) = 0.05 + 0.9 * i / (grid - 1.0);
    const Vector qg = model.predict(G);
    for (int i = 0; i < grid; ++i) mae += std::abs(qg(i) - true_quantile(G(i, 0), tau));
    mae /= grid;
    MESSAGE("tau " << tau << ": test coverage " << coverage << ", mean |q - q_true| " << mae);
    CHECK(mae < 0.1);
  }
}

TEST_CASE("determinism under a seed; subsampling") {
  Matrix X, Xt;
  Vector y, yt;
  wave(400, 21, X, y);
  wave(200, 22, Xt, yt);
  QuantileBoosting a(0.7, {.subsample = 0.5}), b(0.7, {.subsample = 0.5}),
      c(0.7, {.subsample = 0.5});
  a.fit(X, y, 5);
  b.fit(X, y, 5);
  c.fit(X, y, 6);
  CHECK(a.predict(Xt) == b.predict(Xt));
  CHECK(a.predict(Xt) != c.predict(Xt));
  // Without subsampling the seed is unused.
  QuantileBoosting d(0.7), e(0.7);
  d.fit(X, y, 5);
  e.fit(X, y, 99);
  CHECK(d.predict(Xt) == e.predict(Xt));
  CHECK(d.predict(Xt) != a.predict(Xt));
  // The subsampled model still estimates the 0.7 quantile (400 points, half per tree:
  // a looser tolerance than the 2000-point check above).
  Matrix Xc;
  Vector yc;
  wave(20000, 23, Xc, yc);
  const double coverage = (yc.array() <= a.predict(Xc).array()).cast<double>().mean();
  CHECK(std::abs(coverage - 0.7) < 0.05);
  // A tree fitted on one in-bag point is a single leaf.
  QuantileBoosting one(0.5, {.n_estimators = 3, .subsample = 0.001});
  one.fit(X, y, 1);
  CHECK(one.node_count() == 3);
}

TEST_CASE("bad input") {
  CHECK_THROWS_WITH_AS(QuantileBoosting(0.0), doctest::Contains("level"), InvalidArgument);
  CHECK_THROWS_WITH_AS(QuantileBoosting(1.0), doctest::Contains("level"), InvalidArgument);
  CHECK_THROWS_WITH_AS(QuantileBoosting(std::nan("")), doctest::Contains("level"), InvalidArgument);
  const QuantileBoostingOptions bad{.n_estimators = 0,
                                    .learning_rate = -1.0,
                                    .max_depth = 0,
                                    .min_samples_split = 1,
                                    .min_samples_leaf = 0,
                                    .subsample = 1.5};
  CHECK(bad.validate().size() == 6);
  for (const char* field : {"n_estimators", "learning_rate", "max_depth", "min_samples_split",
                            "min_samples_leaf", "subsample"}) {
    CAPTURE(field);
    CHECK_THROWS_WITH_AS(QuantileBoosting(0.5, bad), doctest::Contains(field), InvalidArgument);
  }
  CHECK(QuantileBoostingOptions{}.validate().empty());

  QuantileBoosting model(0.5, {.n_estimators = 10});
  Matrix X;
  Vector y;
  wave(50, 1, X, y);
  CHECK_THROWS_AS((void)model.predict(X), InvalidState);
  CHECK_THROWS_AS(model.fit(Matrix(0, 1), Vector(0), 0), InvalidArgument);
  CHECK_THROWS_WITH_AS(model.fit(X, y.head(10), 0), doctest::Contains("y has 10"), InvalidArgument);
  Matrix Xnan = X;
  Xnan(3, 0) = std::nan("");
  CHECK_THROWS_WITH_AS(model.fit(Xnan, y, 0), doctest::Contains("X(3, 0)"), InvalidArgument);
  Vector yinf = y;
  yinf(4) = INFINITY;
  CHECK_THROWS_WITH_AS(model.fit(X, yinf, 0), doctest::Contains("y(4)"), InvalidArgument);
  CHECK_FALSE(model.fitted());
  model.fit(X, y, 0);
  const Vector before = model.predict(X);
  CHECK_THROWS_AS(model.fit(Xnan, y, 0), InvalidArgument);
  CHECK(model.predict(X) == before);  // unchanged on throw
  CHECK_THROWS_WITH_AS((void)model.predict(Matrix::Zero(2, 3)), doctest::Contains("columns"),
                       InvalidArgument);
  CHECK_THROWS_AS((void)model.predict(Xnan), InvalidArgument);
}
