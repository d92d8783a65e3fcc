// Tests of the seeded generator, derive_seed and the shifted Sobol design.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <set>
#include <vector>

#include "prospect/errors.hpp"
#include "prospect/random.hpp"

using prospect::Matrix;

TEST_CASE("Rng: deterministic per seed, uniform in [0, 1) with the right moments") {
  prospect::Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const double x = a.uniform();
    CHECK(x == b.uniform());
    if (x != c.uniform()) differs = true;
  }
  CHECK(differs);

  prospect::Rng rng(7);
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    sum2 += u * u;
  }
  // Standard error of the mean is sqrt(1/12/n) ~ 6.5e-4; allow 5 sigma.
  CHECK(sum / n == doctest::Approx(0.5).epsilon(0.0033 / 0.5));
  CHECK(sum2 / n == doctest::Approx(1.0 / 3.0).epsilon(0.01));
}

TEST_CASE("Rng: normal moments and below() frequencies") {
  prospect::Rng rng(11);
  const int n = 200000;
  double sum = 0, sum2 = 0, sum4 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal();
    REQUIRE(std::isfinite(z));
    sum += z;
    sum2 += z * z;
    sum4 += z * z * z * z;
  }
  CHECK(std::abs(sum / n) < 5.0 / std::sqrt(double(n)));
  CHECK(std::abs(sum2 / n - 1.0) < 5.0 * std::sqrt(2.0 / n));
  CHECK(std::abs(sum4 / n - 3.0) < 5.0 * std::sqrt(96.0 / n));

  std::vector<int> counts(7, 0);
  const int m = 70000;
  for (int i = 0; i < m; ++i) {
    const auto k = rng.below(7);
    REQUIRE(k < 7u);
    ++counts[k];
  }
  // Each count is Binomial(70000, 1/7): mean 10000, sd ~92.6; allow 5 sd.
  for (int c : counts) CHECK(std::abs(c - 10000) < 463);
  CHECK_THROWS_AS((void)rng.below(0), prospect::InvalidArgument);

  const prospect::Vector v = rng.normal_vector(5);
  CHECK(v.size() == 5);
  CHECK_THROWS_AS((void)rng.normal_vector(-1), prospect::InvalidArgument);
}

TEST_CASE("derive_seed: distinct and deterministic per stream") {
  std::set<std::uint64_t> seen;
  for (std::uint64_t s = 0; s < 1000; ++s) seen.insert(prospect::derive_seed(123, s));
  CHECK(seen.size() == 1000);
  CHECK(prospect::derive_seed(123, 5) == prospect::derive_seed(123, 5));
  CHECK(prospect::derive_seed(123, 5) != prospect::derive_seed(124, 5));
  // Seeds 0 and stream 0 are not degenerate.
  CHECK(prospect::derive_seed(0, 0) != 0);
  // Neighbouring streams differ in about half of their bits (good mixing).
  int bits = 0;
  for (std::uint64_t s = 0; s < 100; ++s) {
    bits += std::popcount(prospect::derive_seed(9, s) ^ prospect::derive_seed(9, s + 1));
  }
  CHECK(bits / 100.0 == doctest::Approx(32.0).epsilon(0.1));
}

TEST_CASE("sobol: points in (0, 1), deterministic, seed-dependent, prefix-stable") {
  const Matrix p = prospect::sobol(100, 6, 3);
  CHECK(p.rows() == 100);
  CHECK(p.cols() == 6);
  CHECK((p.array() > 0.0).all());
  CHECK((p.array() < 1.0).all());
  CHECK(p == prospect::sobol(100, 6, 3));
  const Matrix q = prospect::sobol(100, 6, 4);
  CHECK((p - q).cwiseAbs().maxCoeff() > 0.1);
  // A longer design extends a shorter one with the same seed.
  CHECK(prospect::sobol(37, 6, 3) == p.topRows(37));
  CHECK(prospect::sobol(0, 3, 1).rows() == 0);
  // All points distinct.
  std::set<std::vector<double>> rows;
  for (Eigen::Index i = 0; i < p.rows(); ++i) rows.insert({p.row(i).begin(), p.row(i).end()});
  CHECK(rows.size() == 100);
}

TEST_CASE("sobol: the first 2^m points stratify every 1-D projection") {
  for (int m : {4, 5}) {
    for (std::uint64_t seed : {0ULL, 1ULL, 99ULL}) {
      const Eigen::Index n = Eigen::Index{1} << m;
      const Matrix p = prospect::sobol(n, 8, seed);
      for (Eigen::Index j = 0; j < p.cols(); ++j) {
        std::vector<int> bins(static_cast<std::size_t>(n), 0);
        for (Eigen::Index i = 0; i < n; ++i)
          ++bins[static_cast<std::size_t>(std::floor(p(i, j) * double(n)))];
        CHECK(std::all_of(bins.begin(), bins.end(), [](int c) { return c == 1; }));
      }
    }
  }
}

TEST_CASE("sobol: the first 2^m points stratify 2-D elementary intervals of dims 0, 1") {
  // Dimensions 0 and 1 of Sobol form a (0, m, 2)-net: each (2^a x 2^(m-a)) box holds one point.
  const int m = 6;
  const Eigen::Index n = Eigen::Index{1} << m;
  const Matrix p = prospect::sobol(n, 2, 5);
  for (int a = 0; a <= m; ++a) {
    const int na = 1 << a, nb = 1 << (m - a);
    std::vector<int> boxes(static_cast<std::size_t>(n), 0);
    for (Eigen::Index i = 0; i < n; ++i) {
      const int x = static_cast<int>(std::floor(p(i, 0) * na));
      const int y = static_cast<int>(std::floor(p(i, 1) * nb));
      ++boxes[static_cast<std::size_t>(x * nb + y)];
    }
    CHECK(std::all_of(boxes.begin(), boxes.end(), [](int c) { return c == 1; }));
  }
}

TEST_CASE("sobol: invalid sizes throw InvalidArgument") {
  CHECK_THROWS_AS((void)prospect::sobol(-1, 2, 0), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)prospect::sobol(4, 0, 0), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)prospect::sobol(4, 100000, 0), prospect::InvalidArgument);
  CHECK_NOTHROW((void)prospect::sobol(2, 3667, 0));
}
