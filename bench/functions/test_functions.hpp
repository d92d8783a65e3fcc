// bench/functions/test_functions.hpp — the single-fidelity benchmark test functions.
//
// Formulas, domains, optima and minimizers follow BoTorch's
// botorch/test_functions/synthetic.py and the SFU Virtual Library (ALGORITHMS.md §7).
// Every function is to be MINIMIZED; the maximizing core negates them. Functions of
// variable dimension carry it in their name ("ackley5"); the suite uses
//   branin, six_hump_camel, goldstein_price, hartmann3, hartmann6, ackley5, levy5,
//   rosenbrock4, styblinski_tang4, michalewicz5.
// bench/peers/functions.py re-implements the same functions in Python and is checked
// against bench/peers/reference_values.json, which tests/test_bench_functions.cpp
// checks against this C++ implementation.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "prospect/random.hpp"

namespace prospect::bench {

/// One benchmark function: a box domain, its known global minimum and minimizers.
struct TestFunction {
  /// Name with the dimension where it varies ("hartmann6", "ackley5").
  std::string name;
  /// Number of inputs.
  int dimension = 0;
  /// Box bounds of the domain, `dimension` entries each, lower[i] < upper[i].
  std::vector<double> lower, upper;
  /// Global minimum value (as precise as known; see the tolerance notes in the .cpp).
  double optimum = 0.0;
  /// Points (inside the domain) where f equals `optimum`; all of them where finitely
  /// many, rounded to ~1e-9 where only known numerically.
  std::vector<std::vector<double>> minimizers;
  /// The noiseless objective. Expects x.size() == dimension (not checked here, for
  /// speed); use evaluate() for a checked call. O(dimension) per call.
  std::function<double(const std::vector<double>&)> f;

  /// f(x) after checking that x has `dimension` finite entries; throws
  /// InvalidArgument otherwise. Points outside the box are evaluated as given.
  [[nodiscard]] double evaluate(const std::vector<double>& x) const;
};

/// -sum_i alpha_i exp(-sum_j A_ij (x_j - P_ij)^2) with Hartmann-6's A and P (x.size() == 6,
/// not checked): Hartmann-6 for alpha = (1, 1.2, 3, 3.2); the augmented (multi-fidelity)
/// version lowers alpha_1. O(24).
[[nodiscard]] double hartmann6_weighted(const std::vector<double>& x,
                                        const std::array<double, 4>& alpha);

/// A TestFunction from its parts (dimension = lower.size()); no checks.
[[nodiscard]] TestFunction make_test_function(std::string name, std::vector<double> lower,
                                              std::vector<double> upper, double optimum,
                                              std::vector<std::vector<double>> minimizers,
                                              std::function<double(const std::vector<double>&)> f);

/// The suite, in a fixed order (the one listed above). Built once, thread-safe.
[[nodiscard]] const std::vector<TestFunction>& all_functions();

/// The function called `name`; throws InvalidArgument listing the known names otherwise.
[[nodiscard]] const TestFunction& function(const std::string& name);

/// A noisy observation with BoTorch's convention: f(x) + noise_std * eps with
/// eps ~ N(0, 1) drawn from `rng` (std::normal_distribution on rng.engine()), one
/// draw per call. noise_std must be finite and >= 0 (0 returns f(x) and draws
/// nothing); x is checked as in TestFunction::evaluate. Throws InvalidArgument.
[[nodiscard]] double noisy(const TestFunction& function, const std::vector<double>& x,
                           double noise_std, Rng& rng);

}  // namespace prospect::bench
