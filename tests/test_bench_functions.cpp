// Tests of the benchmark test functions (bench/functions/test_functions.hpp).
//
// Set PROSPECT_WRITE_BENCH_REFERENCE=<path> to (re)write the reference values that
// bench/peers/functions.py is checked against; otherwise they are read and compared.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "functions/nonstationary_functions.hpp"
#include "functions/test_functions.hpp"
#include "prospect/errors.hpp"

using prospect::bench::all_functions;
using prospect::bench::TestFunction;

namespace {

// Every stored optimum is given to ~1e-12 or better (exact, or refined numerically);
// this leaves room for rounding of the minimizers' last digits only.
double tolerance(const TestFunction& t) {
  return 1e-9 * std::max(1.0, std::abs(t.optimum));
}

std::vector<double> uniform_point(const TestFunction& t, std::mt19937_64& engine) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> x(static_cast<std::size_t>(t.dimension));
  for (std::size_t j = 0; j < x.size(); ++j)
    x[j] = t.lower[j] + (t.upper[j] - t.lower[j]) * unit(engine);
  return x;
}

// Deterministic, irregular points inside the domain for the reference file: the
// additive recurrence {k * alpha_j} (Kronecker sequence) with alpha_j = frac(sqrt(prime_j)).
std::vector<std::vector<double>> reference_points(const TestFunction& t) {
  static const double primes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29};
  std::vector<std::vector<double>> points;
  for (int k = 1; k <= 5; ++k) {
    std::vector<double> x(static_cast<std::size_t>(t.dimension));
    for (std::size_t j = 0; j < x.size(); ++j) {
      const double alpha = std::sqrt(primes[j]) - std::floor(std::sqrt(primes[j]));
      const double u = k * alpha - std::floor(k * alpha);
      x[j] = t.lower[j] + (t.upper[j] - t.lower[j]) * u;
    }
    points.push_back(x);
  }
  return points;
}

}  // namespace

TEST_CASE("the suite has the expected functions with consistent domains") {
  const std::vector<std::string> expected = {
      "branin",  "six_hump_camel", "goldstein_price", "hartmann3",        "hartmann6",
      "ackley5", "levy5",          "rosenbrock4",     "styblinski_tang4", "michalewicz5"};
  REQUIRE(all_functions().size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const TestFunction& t = all_functions()[i];
    CAPTURE(t.name);
    CHECK(t.name == expected[i]);
    CHECK(&prospect::bench::function(t.name) == &t);
    REQUIRE(t.lower.size() == static_cast<std::size_t>(t.dimension));
    REQUIRE(t.upper.size() == static_cast<std::size_t>(t.dimension));
    for (int j = 0; j < t.dimension; ++j) CHECK(t.lower[j] < t.upper[j]);
    REQUIRE(!t.minimizers.empty());
    for (const auto& m : t.minimizers) {
      REQUIRE(m.size() == static_cast<std::size_t>(t.dimension));
      for (int j = 0; j < t.dimension; ++j) {
        CHECK(m[j] >= t.lower[j]);
        CHECK(m[j] <= t.upper[j]);
      }
    }
  }
}

TEST_CASE("each function equals its optimum at each minimizer") {
  for (const TestFunction& t : all_functions()) {
    CAPTURE(t.name);
    for (const auto& m : t.minimizers) CHECK(std::abs(t.f(m) - t.optimum) <= tolerance(t));
  }
}

TEST_CASE("published optima agree to their published digits") {
  using prospect::bench::function;
  CHECK(function("branin").optimum == doctest::Approx(0.397887).epsilon(1e-6));
  CHECK(function("six_hump_camel").optimum == doctest::Approx(-1.0316284535).epsilon(1e-10));
  CHECK(function("hartmann3").optimum == doctest::Approx(-3.86278).epsilon(2e-6));
  CHECK(function("hartmann6").optimum == doctest::Approx(-3.32237).epsilon(2e-6));
  CHECK(function("michalewicz5").optimum == doctest::Approx(-4.687658).epsilon(2e-7));
  CHECK(function("styblinski_tang4").optimum == doctest::Approx(-4 * 39.16617).epsilon(1e-6));
}

TEST_CASE("no sampled point lies below the optimum, and minimizers are local minima") {
  std::mt19937_64 engine(20240917);
  for (const TestFunction& t : all_functions()) {
    CAPTURE(t.name);
    const double floor = t.optimum - tolerance(t);
    double lowest = INFINITY;
    if (t.dimension == 2) {
      // A 64 x 64 grid including the boundary.
      for (int a = 0; a < 64; ++a)
        for (int b = 0; b < 64; ++b) {
          const std::vector<double> x = {t.lower[0] + (t.upper[0] - t.lower[0]) * a / 63.0,
                                         t.lower[1] + (t.upper[1] - t.lower[1]) * b / 63.0};
          lowest = std::min(lowest, t.f(x));
        }
    }
    for (int i = 0; i < 4096; ++i) lowest = std::min(lowest, t.f(uniform_point(t, engine)));
    CHECK(lowest >= floor);
    // Small random perturbations of every minimizer, clipped to the box, never go lower.
    std::normal_distribution<double> normal(0.0, 1.0);
    for (const auto& m : t.minimizers)
      for (double scale : {1e-6, 1e-4, 1e-2}) {
        double near = INFINITY;
        for (int i = 0; i < 256; ++i) {
          std::vector<double> x = m;
          for (int j = 0; j < t.dimension; ++j)
            x[j] = std::clamp(x[j] + scale * (t.upper[j] - t.lower[j]) * normal(engine), t.lower[j],
                              t.upper[j]);
          near = std::min(near, t.f(x));
        }
        CHECK(near >= floor);
      }
  }
}

TEST_CASE("values at non-optimal points match hand computations") {
  using prospect::bench::function;
  constexpr double pi = std::numbers::pi;
  // Branin(0, 0) = 36 + 10 (1 - 1/(8 pi)) + 10.
  CHECK(function("branin").f({0.0, 0.0}) == doctest::Approx(56.0 - 10.0 / (8.0 * pi)));
  // Six-hump camel(1, 1) = (4 - 2.1 + 1/3) + 1 + 0.
  CHECK(function("six_hump_camel").f({1.0, 1.0}) == doctest::Approx(1.9 + 1.0 / 3.0 + 1.0));
  // Goldstein-Price(0, 0) = (1 + 1 * 19) * (30 + 0).
  CHECK(function("goldstein_price").f({0.0, 0.0}) == doctest::Approx(600.0));
  // Goldstein-Price(1, 1) = (1 + 9 * 3) * (30 + 1 * 37) = 28 * 67.
  CHECK(function("goldstein_price").f({1.0, 1.0}) == doctest::Approx(28.0 * 67.0));
  // Ackley(1, ..., 1) = -20 exp(-0.2) - exp(1) + 20 + e.
  CHECK(function("ackley5").f(std::vector<double>(5, 1.0)) ==
        doctest::Approx(20.0 - 20.0 * std::exp(-0.2)));
  // Levy at x = -3 (w = 0): sin^2(0) + 4 (1 + 10 sin^2(1)) + (1 + sin^2(0)).
  CHECK(function("levy5").f(std::vector<double>(5, -3.0)) ==
        doctest::Approx(4.0 * (1.0 + 10.0 * std::sin(1.0) * std::sin(1.0)) + 1.0));
  // Rosenbrock(0, 0, 0, 0) = 3 * (0 + 1); Rosenbrock(2, 0, 0, 0) = 100 * 16 + 1 + 2 * 1.
  CHECK(function("rosenbrock4").f(std::vector<double>(4, 0.0)) == doctest::Approx(3.0));
  CHECK(function("rosenbrock4").f({2.0, 0.0, 0.0, 0.0}) == doctest::Approx(1603.0));
  // Styblinski-Tang(1, 1, 1, 1) = 0.5 * 4 * (1 - 16 + 5).
  CHECK(function("styblinski_tang4").f(std::vector<double>(4, 1.0)) == doctest::Approx(-20.0));
  // Michalewicz at pi/2: -sum_i sin^20(i pi / 4) = -(2^-10 + 1 + 2^-10 + 0 + 2^-10).
  CHECK(function("michalewicz5").f(std::vector<double>(5, pi / 2.0)) ==
        doctest::Approx(-(1.0 + 3.0 / 1024.0)));
  // Hartmann-3 at P's first row: the first term is alpha_1 = 1, the others computed here.
  {
    const std::vector<double> x = {0.3689, 0.1170, 0.2673};
    const double rest =
        1.2 * std::exp(-(0.1 * std::pow(0.3689 - 0.4699, 2) + 10 * std::pow(0.1170 - 0.4387, 2) +
                         35 * std::pow(0.2673 - 0.7470, 2))) +
        3.0 * std::exp(-(3 * std::pow(0.3689 - 0.1091, 2) + 10 * std::pow(0.1170 - 0.8732, 2) +
                         30 * std::pow(0.2673 - 0.5547, 2))) +
        3.2 * std::exp(-(0.1 * std::pow(0.3689 - 0.0381, 2) + 10 * std::pow(0.1170 - 0.5743, 2) +
                         35 * std::pow(0.2673 - 0.8828, 2)));
    CHECK(function("hartmann3").f(x) == doctest::Approx(-(1.0 + rest)).epsilon(1e-12));
  }
  // Hartmann-6 at the origin: -sum_i alpha_i exp(-sum_j A_ij P_ij^2).
  {
    const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                            {0.05, 10, 17, 0.1, 8, 14},
                            {3, 3.5, 1.7, 10, 17, 8},
                            {17, 8, 0.05, 10, 0.1, 14}};
    const double P[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                            {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                            {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                            {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    double expected = 0.0;
    for (int i = 0; i < 4; ++i) {
      double s = 0.0;
      for (int j = 0; j < 6; ++j) s += A[i][j] * P[i][j] * P[i][j];
      expected -= alpha[i] * std::exp(-s);
    }
    CHECK(function("hartmann6").f(std::vector<double>(6, 0.0)) ==
          doctest::Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("bad names and inputs throw InvalidArgument") {
  try {
    (void)prospect::bench::function("hartman6");
    FAIL("expected InvalidArgument");
  } catch (const prospect::InvalidArgument& e) {
    const std::string message = e.what();
    CHECK(message.find("hartman6") != std::string::npos);
    CHECK(message.find("hartmann6") != std::string::npos);
    CHECK(message.find("michalewicz5") != std::string::npos);
  }
  const TestFunction& branin = prospect::bench::function("branin");
  CHECK_THROWS_AS((void)branin.evaluate({1.0}), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)branin.evaluate({1.0, NAN}), prospect::InvalidArgument);
  CHECK(branin.evaluate({1.0, 2.0}) == branin.f({1.0, 2.0}));
  prospect::Rng rng(1);
  CHECK_THROWS_AS((void)prospect::bench::noisy(branin, {1.0, 2.0}, -0.1, rng),
                  prospect::InvalidArgument);
  CHECK_THROWS_AS((void)prospect::bench::noisy(branin, {1.0, 2.0}, NAN, rng),
                  prospect::InvalidArgument);
}

TEST_CASE("noisy adds zero-mean Gaussian noise of the given standard deviation") {
  const TestFunction& t = prospect::bench::function("hartmann6");
  const std::vector<double> x(6, 0.5);
  const double clean = t.f(x);
  prospect::Rng rng(7);
  CHECK(prospect::bench::noisy(t, x, 0.0, rng) == clean);
  const int n = 20000;
  const double sigma = 0.3;
  double sum = 0.0, sum_sq = 0.0;
  for (int i = 0; i < n; ++i) {
    const double e = prospect::bench::noisy(t, x, sigma, rng) - clean;
    sum += e;
    sum_sq += e * e;
  }
  const double mean = sum / n, sd = std::sqrt(sum_sq / n - mean * mean);
  // 5 standard errors: sigma / sqrt(n) for the mean, ~sigma / sqrt(2 n) for the sd.
  CHECK(std::abs(mean) < 5.0 * sigma / std::sqrt(n));
  CHECK(std::abs(sd - sigma) < 5.0 * sigma / std::sqrt(2.0 * n));
  // Same seed, same draws.
  prospect::Rng a(11), b(11);
  CHECK(prospect::bench::noisy(t, x, sigma, a) == prospect::bench::noisy(t, x, sigma, b));
}

TEST_CASE("values agree with the reference file shared with the Python re-implementation") {
  // The file is written from this implementation; bench/peers/functions.py checks its
  // own implementation against it, so a change on either side shows up in one check.
  if (const char* path = std::getenv("PROSPECT_WRITE_BENCH_REFERENCE")) {
    nlohmann::json out = nlohmann::json::object();
    for (const TestFunction& t : all_functions()) {
      nlohmann::json entry;
      entry["optimum"] = t.optimum;
      entry["minimizers"] = t.minimizers;
      entry["points"] = reference_points(t);
      std::vector<double> values;
      for (const auto& x : reference_points(t)) values.push_back(t.f(x));
      entry["values"] = values;
      out[t.name] = entry;
    }
    std::ofstream(path) << out.dump(1) << '\n';
    MESSAGE("wrote " << std::string(path));
    return;
  }
  std::ifstream in(PROSPECT_BENCH_REFERENCE);
  REQUIRE(in.good());
  const nlohmann::json reference = nlohmann::json::parse(in);
  REQUIRE(reference.size() == all_functions().size());
  for (const TestFunction& t : all_functions()) {
    CAPTURE(t.name);
    REQUIRE(reference.contains(t.name));
    const auto& entry = reference[t.name];
    CHECK(entry["optimum"].get<double>() == t.optimum);
    const auto points = entry["points"].get<std::vector<std::vector<double>>>();
    const auto values = entry["values"].get<std::vector<double>>();
    REQUIRE(points.size() == values.size());
    for (std::size_t i = 0; i < points.size(); ++i)
      CHECK(t.f(points[i]) == doctest::Approx(values[i]).epsilon(1e-12));
  }
}

TEST_CASE("the BNN benchmark's functions: optimum at the minimizer, nothing sampled below it") {
  std::mt19937_64 rng(5);
  for (const auto& f : prospect::bench::nonstationary_functions()) {
    CAPTURE(f.name);
    REQUIRE(f.minimizers.size() == 1);
    CHECK(f.evaluate(f.minimizers[0]) == doctest::Approx(f.optimum).epsilon(1e-12));
    for (int k = 0; k < 2000; ++k) {
      std::vector<double> x(static_cast<std::size_t>(f.dimension));
      for (int j = 0; j < f.dimension; ++j) {
        const auto u = static_cast<std::size_t>(j);
        x[u] = std::uniform_real_distribution<double>(f.lower[u], f.upper[u])(rng);
      }
      CHECK(f.evaluate(x) >= f.optimum - 1e-12);
    }
  }
  // The cliff: just left of x_1 = 0.6 the value jumps by 2.
  const auto& cliff = prospect::bench::nonstationary_function("cliff3");
  CHECK(cliff.evaluate({0.6 - 1e-9, 0.3, 0.7}) == doctest::Approx(2.1).epsilon(1e-6));
  CHECK_THROWS_AS((void)prospect::bench::nonstationary_function("nope"), prospect::InvalidArgument);
}
