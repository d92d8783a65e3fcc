// Tests of the multi-fidelity benchmark functions (bench/functions/mf_functions.hpp).
//
// Set PROSPECT_WRITE_MF_REFERENCE=<path> to (re)write the reference values that
// bench/peers/mf_functions.py is checked against; otherwise they are read and compared.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "functions/mf_functions.hpp"
#include "functions/test_functions.hpp"
#include "prospect/errors.hpp"

using prospect::bench::all_mf_functions;
using prospect::bench::FidelityKind;
using prospect::bench::mf_function;
using prospect::bench::MultiFidelityFunction;

namespace {

double tolerance(const MultiFidelityFunction& m) {
  return 1e-9 * std::max(1.0, std::abs(m.optimum));
}

std::vector<double> uniform_point(const MultiFidelityFunction& m, std::mt19937_64& engine) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> x(static_cast<std::size_t>(m.dimension));
  for (std::size_t j = 0; j < x.size(); ++j)
    x[j] = m.lower[j] + (m.upper[j] - m.lower[j]) * unit(engine);
  return x;
}

// Fidelities of the reference file: 0, 0.5, 1 (continuous) or every level.
std::vector<double> reference_fidelities(const MultiFidelityFunction& m) {
  if (m.kind == FidelityKind::continuous) return {0.0, 0.5, 1.0};
  std::vector<double> out;
  for (int l = 0; l < m.levels; ++l) out.push_back(l);
  return out;
}

// Irregular points inside the domain: the Kronecker sequence {k alpha_j},
// alpha_j = frac(sqrt(prime_j)), as in test_bench_functions.cpp.
std::vector<std::vector<double>> reference_points(const MultiFidelityFunction& m) {
  static const double primes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29};
  std::vector<std::vector<double>> points;
  for (int k = 1; k <= 5; ++k) {
    std::vector<double> x(static_cast<std::size_t>(m.dimension));
    for (std::size_t j = 0; j < x.size(); ++j) {
      const double alpha = std::sqrt(primes[j]) - std::floor(std::sqrt(primes[j]));
      const double u = k * alpha - std::floor(k * alpha);
      x[j] = m.lower[j] + (m.upper[j] - m.lower[j]) * u;
    }
    points.push_back(x);
  }
  return points;
}

}  // namespace

TEST_CASE("the multi-fidelity suite has the expected functions, fidelities and costs") {
  const std::vector<std::string> expected = {"aug_hartmann6", "aug_branin", "currin", "borehole",
                                             "forrester"};
  const std::vector<int> dimensions = {6, 2, 2, 8, 1};
  REQUIRE(all_mf_functions().size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const MultiFidelityFunction& m = all_mf_functions()[i];
    CAPTURE(m.name);
    CHECK(m.name == expected[i]);
    CHECK(m.dimension == dimensions[i]);
    CHECK(&mf_function(m.name) == &m);
    REQUIRE(m.lower.size() == static_cast<std::size_t>(m.dimension));
    REQUIRE(m.upper.size() == static_cast<std::size_t>(m.dimension));
    for (int j = 0; j < m.dimension; ++j) CHECK(m.lower[j] < m.upper[j]);
    REQUIRE(!m.minimizers.empty());
    for (const auto& x : m.minimizers) {
      REQUIRE(x.size() == static_cast<std::size_t>(m.dimension));
      for (int j = 0; j < m.dimension; ++j) {
        CHECK(x[j] >= m.lower[j]);
        CHECK(x[j] <= m.upper[j]);
      }
    }
    if (m.kind == FidelityKind::continuous) {
      CHECK(m.target() == 1.0);
      CHECK(m.cost(0.0) == 5.0);
      CHECK(m.cost(0.25) == 5.25);
      CHECK(m.cost(1.0) == 6.0);
    } else {
      CHECK(m.levels == 2);
      CHECK(m.target() == 1.0);
      CHECK(m.cost(0.0) == 1.0);
      CHECK(m.cost(1.0) == 10.0);
    }
  }
}

TEST_CASE("each function equals its optimum at each minimizer at the target fidelity") {
  for (const MultiFidelityFunction& m : all_mf_functions()) {
    CAPTURE(m.name);
    for (const auto& x : m.minimizers)
      CHECK(std::abs(m.f(x, m.target()) - m.optimum) <= tolerance(m));
  }
}

TEST_CASE("published optima agree to their published digits") {
  CHECK(mf_function("aug_hartmann6").optimum == doctest::Approx(-3.32237).epsilon(2e-6));
  CHECK(mf_function("aug_branin").optimum == doctest::Approx(0.397887).epsilon(1e-6));
  CHECK(mf_function("currin").optimum == doctest::Approx(-13.7987).epsilon(1e-5));
  CHECK(mf_function("borehole").optimum == doctest::Approx(7.8197).epsilon(1e-5));
  CHECK(mf_function("forrester").optimum == doctest::Approx(-6.02074).epsilon(1e-6));
}

TEST_CASE("no sampled point lies below the optimum, and minimizers are local minima") {
  std::mt19937_64 engine(20241128);
  for (const MultiFidelityFunction& m : all_mf_functions()) {
    CAPTURE(m.name);
    const double floor = m.optimum - tolerance(m);
    const double t = m.target();
    double lowest = INFINITY;
    if (m.dimension <= 2) {
      // A 200-point grid (1-D) or a 100 x 100 grid (2-D), boundary included.
      const int n = m.dimension == 1 ? 200 : 100;
      for (int a = 0; a < n; ++a)
        for (int b = 0; b < (m.dimension == 1 ? 1 : n); ++b) {
          std::vector<double> x = {m.lower[0] + (m.upper[0] - m.lower[0]) * a / (n - 1.0)};
          if (m.dimension == 2) x.push_back(m.lower[1] + (m.upper[1] - m.lower[1]) * b / (n - 1.0));
          lowest = std::min(lowest, m.f(x, t));
        }
    }
    for (int i = 0; i < 4096; ++i) lowest = std::min(lowest, m.f(uniform_point(m, engine), t));
    CHECK(lowest >= floor);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (const auto& x0 : m.minimizers)
      for (double scale : {1e-6, 1e-4, 1e-2}) {
        double near = INFINITY;
        for (int i = 0; i < 256; ++i) {
          std::vector<double> x = x0;
          for (int j = 0; j < m.dimension; ++j)
            x[j] = std::clamp(x[j] + scale * (m.upper[j] - m.lower[j]) * normal(engine), m.lower[j],
                              m.upper[j]);
          near = std::min(near, m.f(x, t));
        }
        CHECK(near >= floor);
      }
  }
}

TEST_CASE("borehole: the listed corner is the smallest of all 256 corners at both levels") {
  const MultiFidelityFunction& m = mf_function("borehole");
  for (double level : {0.0, 1.0}) {
    double lowest = INFINITY;
    std::vector<double> argmin;
    for (int mask = 0; mask < 256; ++mask) {
      std::vector<double> x(8);
      for (int j = 0; j < 8; ++j) x[j] = (mask >> j) & 1 ? m.upper[j] : m.lower[j];
      if (const double v = m.f(x, level); v < lowest) lowest = v, argmin = x;
    }
    CHECK(argmin == m.minimizers[0]);
    if (level == 1.0) CHECK(lowest == m.optimum);
    // ALGORITHMS.md §3.6: f_L's range starts at 6.2227.
    if (level == 0.0) CHECK(lowest == doctest::Approx(6.2227).epsilon(1e-5));
  }
}

TEST_CASE("at the target fidelity the augmented functions are Hartmann-6 and Branin") {
  std::mt19937_64 engine(5);
  const auto& h = prospect::bench::function("hartmann6");
  const auto& b = prospect::bench::function("branin");
  const MultiFidelityFunction& ah = mf_function("aug_hartmann6");
  const MultiFidelityFunction& ab = mf_function("aug_branin");
  for (int i = 0; i < 100; ++i) {
    const auto x = uniform_point(ah, engine);
    CHECK(ah.f(x, 1.0) == doctest::Approx(h.f(x)).epsilon(1e-14));
    const auto y = uniform_point(ab, engine);
    CHECK(ab.f(y, 1.0) == doctest::Approx(b.f(y)).epsilon(1e-14));
  }
}

TEST_CASE("values at lower fidelities match hand computations") {
  constexpr double pi = std::numbers::pi;
  // Augmented Hartmann-6 at P's first row: exp(-inner_1) = 1, so lowering alpha_1 by
  // 0.1 (1 - s) raises the value by exactly 0.1 (1 - s).
  {
    const std::vector<double> x = {0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886};
    const MultiFidelityFunction& m = mf_function("aug_hartmann6");
    CHECK(m.f(x, 0.0) - m.f(x, 1.0) == doctest::Approx(0.1).epsilon(1e-12));
    CHECK(m.f(x, 0.4) - m.f(x, 1.0) == doctest::Approx(0.06).epsilon(1e-12));
  }
  // Augmented Branin at (x1, x2) = (2, 0), s = 0: u = -(b - 0.1) 4 + 2 c - 6.
  {
    const double b = 5.1 / (4 * pi * pi), c = 5 / pi, u = -(b - 0.1) * 4 + 2 * c - 6;
    CHECK(mf_function("aug_branin").f({2.0, 0.0}, 0.0) ==
          doctest::Approx(u * u + 10 * (1 - 1 / (8 * pi)) * std::cos(2.0) + 10));
  }
  // Currin: at x1 = 0 the rational factor is 60 / 20 = 3; at x2 = 1 the bracket is
  // 1 - exp(-1/2); at x2 = 0 it is its limit 1 (no NaN).
  const MultiFidelityFunction& currin = mf_function("currin");
  CHECK(currin.f({0.0, 1.0}, 1.0) == doctest::Approx(-3.0 * (1.0 - std::exp(-0.5))));
  CHECK(currin.f({0.0, 0.0}, 1.0) == doctest::Approx(-3.0));
  CHECK(currin.f({13.0 / 60.0, 0.0}, 1.0) == doctest::Approx(-4319.0 / 313.0).epsilon(1e-15));
  // Currin low at (0.5, 1): four high values at x1 = 0.45, 0.55 and x2 = 1.05, 0.95.
  {
    auto high = [](double x1, double x2) {
      return (1 - std::exp(-1 / (2 * x2))) *
             (2300 * std::pow(x1, 3) + 1900 * x1 * x1 + 2092 * x1 + 60) /
             (100 * std::pow(x1, 3) + 500 * x1 * x1 + 4 * x1 + 20);
    };
    const double expected =
        -0.25 * (high(0.55, 1.05) + high(0.55, 0.95) + high(0.45, 1.05) + high(0.45, 0.95));
    CHECK(currin.f({0.5, 1.0}, 0.0) == doctest::Approx(expected).epsilon(1e-14));
  }
  // Forrester at 0.5: f_H = 1 * sin(2), f_L = 0.5 sin(2) + 5.
  const MultiFidelityFunction& forrester = mf_function("forrester");
  CHECK(forrester.f({0.5}, 1.0) == doctest::Approx(std::sin(2.0)));
  CHECK(forrester.f({0.5}, 0.0) == doctest::Approx(0.5 * std::sin(2.0) + 5.0));
  // Borehole's two levels share the middle term: with M = 2 L T_u / (ln(r/r_w) r_w^2 K_w)
  // + T_u / T_l, f_H / f_L = (2 pi / 5) (1.5 + M) / (1 + M).
  {
    const MultiFidelityFunction& m = mf_function("borehole");
    const std::vector<double> x = {0.1, 25000, 89335, 1050, 89.55, 760, 1400, 10950};
    const double lg = std::log(25000 / 0.1);
    const double M = 2 * 1400 * 89335 / (lg * 0.01 * 10950) + 89335 / 89.55;
    CHECK(m.f(x, 1.0) == doctest::Approx(2 * pi * 89335 * 290 / (lg * (1 + M))).epsilon(1e-13));
    CHECK(m.f(x, 1.0) / m.f(x, 0.0) ==
          doctest::Approx(2 * pi / 5 * (1.5 + M) / (1 + M)).epsilon(1e-13));
  }
}

TEST_CASE("bad names, inputs and fidelities throw InvalidArgument") {
  try {
    (void)mf_function("curin");
    FAIL("expected InvalidArgument");
  } catch (const prospect::InvalidArgument& e) {
    const std::string message = e.what();
    CHECK(message.find("curin") != std::string::npos);
    CHECK(message.find("currin") != std::string::npos);
  }
  const MultiFidelityFunction& currin = mf_function("currin");
  const MultiFidelityFunction& branin = mf_function("aug_branin");
  CHECK_THROWS_AS((void)currin.evaluate({0.5}, 1.0), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)currin.evaluate({0.5, NAN}, 1.0), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)currin.evaluate({0.5, 0.5}, 0.5), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)currin.evaluate({0.5, 0.5}, 2.0), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)currin.cost(-1.0), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)branin.evaluate({0.5, 0.5}, 1.5), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)branin.evaluate({0.5, 0.5}, NAN), prospect::InvalidArgument);
  CHECK_THROWS_AS((void)branin.cost(-0.1), prospect::InvalidArgument);
  CHECK(currin.evaluate({0.5, 0.5}, 0.0) == currin.f({0.5, 0.5}, 0.0));
  CHECK(branin.evaluate({0.5, 0.5}, 0.3) == branin.f({0.5, 0.5}, 0.3));
}

TEST_CASE("values agree with the reference file shared with the Python re-implementation") {
  if (const char* path = std::getenv("PROSPECT_WRITE_MF_REFERENCE")) {
    nlohmann::json out = nlohmann::json::object();
    for (const MultiFidelityFunction& m : all_mf_functions()) {
      nlohmann::json entry;
      entry["optimum"] = m.optimum;
      entry["minimizers"] = m.minimizers;
      entry["target"] = m.target();
      entry["levels"] = m.levels;
      const auto fidelities = reference_fidelities(m);
      entry["fidelities"] = fidelities;
      std::vector<double> costs;
      for (double s : fidelities) costs.push_back(m.cost(s));
      entry["costs"] = costs;
      entry["points"] = reference_points(m);
      std::vector<std::vector<double>> values;
      for (const auto& x : reference_points(m)) {
        values.emplace_back();
        for (double s : fidelities) values.back().push_back(m.f(x, s));
      }
      entry["values"] = values;
      out[m.name] = entry;
    }
    std::ofstream(path) << out.dump(1) << '\n';
    MESSAGE("wrote " << std::string(path));
    return;
  }
  std::ifstream in(PROSPECT_MF_REFERENCE);
  REQUIRE(in.good());
  const nlohmann::json reference = nlohmann::json::parse(in);
  REQUIRE(reference.size() == all_mf_functions().size());
  for (const MultiFidelityFunction& m : all_mf_functions()) {
    CAPTURE(m.name);
    REQUIRE(reference.contains(m.name));
    const auto& entry = reference[m.name];
    CHECK(entry["optimum"].get<double>() == m.optimum);
    CHECK(entry["target"].get<double>() == m.target());
    const auto fidelities = entry["fidelities"].get<std::vector<double>>();
    const auto costs = entry["costs"].get<std::vector<double>>();
    REQUIRE(fidelities.size() == costs.size());
    for (std::size_t k = 0; k < fidelities.size(); ++k) CHECK(m.cost(fidelities[k]) == costs[k]);
    const auto points = entry["points"].get<std::vector<std::vector<double>>>();
    const auto values = entry["values"].get<std::vector<std::vector<double>>>();
    REQUIRE(points.size() == values.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
      REQUIRE(values[i].size() == fidelities.size());
      for (std::size_t k = 0; k < fidelities.size(); ++k)
        CHECK(m.f(points[i], fidelities[k]) == doctest::Approx(values[i][k]).epsilon(1e-12));
    }
  }
}
