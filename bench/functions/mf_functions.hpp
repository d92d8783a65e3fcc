// bench/functions/mf_functions.hpp — the multi-fidelity benchmark test functions.
//
// Formulas follow ALGORITHMS.md §3.6 (BoTorch's AugmentedHartmann / AugmentedBranin,
// Currin, Borehole and Forrester as in Emukit / the SFU Virtual Library). Every function
// is to be MINIMIZED at its target fidelity; the maximizing core negates them.
//   aug_hartmann6  d = 6, continuous fidelity s in [0, 1], cost 5 + s (BoTorch tutorial)
//   aug_branin     d = 2, continuous fidelity s in [0, 1], cost 5 + s
//   currin         d = 2, levels {0, 1}; objective -f (Currin is usually maximized)
//   borehole       d = 8, levels {0, 1} (Xiong et al. 2013 low fidelity)
//   forrester      d = 1, levels {0, 1} (A = 0.5, B = 10, C = -5)
// The two-level functions cost 1 at level 0 and 10 at level 1: the coarse model is a
// 10x cheaper stand-in for the expensive one.
// bench/peers/mf_functions.py re-implements the same functions in Python and is checked
// against bench/peers/mf_reference_values.json, which tests/test_mf_functions.cpp checks
// against this implementation.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace prospect::bench {

/// How a multi-fidelity function's fidelity is given.
enum class FidelityKind {
  /// s in [0, 1], target 1 (BoTorch's data-fidelity convention).
  continuous,
  /// Levels 0..L-1 (0 = cheapest), target L-1; passed to f as a double.
  discrete
};

/// One multi-fidelity benchmark function: a box design domain, a fidelity description,
/// a cost per evaluation, the target-fidelity optimum and its minimizers.
struct MultiFidelityFunction {
  /// Name ("aug_hartmann6", "currin", ...).
  std::string name;
  /// Number of design inputs (the fidelity is NOT counted).
  int dimension = 0;
  /// Box bounds of the design domain, `dimension` entries each, lower[i] < upper[i].
  std::vector<double> lower, upper;
  /// Continuous s in [0, 1] or discrete levels.
  FidelityKind kind = FidelityKind::continuous;
  /// Number of levels (discrete); 0 for continuous.
  int levels = 0;
  /// Cost of each level (discrete, `levels` entries); empty for continuous.
  std::vector<double> level_costs;
  /// Continuous cost c(s) = cost_fixed + cost_slope * s (unused for discrete).
  double cost_fixed = 0.0, cost_slope = 0.0;
  /// Minimum of f(., target()) (as precise as known; derivations in the .cpp).
  double optimum = 0.0;
  /// Design points where f(x, target()) equals `optimum`; one representative per
  /// connected set where the minimizers form a continuum (currin).
  std::vector<std::vector<double>> minimizers;
  /// f(x, s): s the continuous fidelity or the level as a double. Expects
  /// x.size() == dimension and a valid fidelity (not checked, for speed); use
  /// evaluate() for a checked call. O(dimension) per call.
  std::function<double(const std::vector<double>&, double)> f;

  /// The target fidelity: 1 (continuous) or levels - 1 (discrete).
  [[nodiscard]] double target() const;
  /// Cost of one evaluation at fidelity s (checked as in evaluate()); in cost units
  /// (a level-1 evaluation of a two-level function costs 10).
  [[nodiscard]] double cost(double s) const;
  /// f(x, s) after checking that x has `dimension` finite entries and s is a valid
  /// fidelity (in [0, 1], or an integer level in [0, levels)); throws InvalidArgument
  /// otherwise. Points outside the box are evaluated as given.
  [[nodiscard]] double evaluate(const std::vector<double>& x, double s) const;
};

/// The suite, in the order listed above. Built once, thread-safe.
[[nodiscard]] const std::vector<MultiFidelityFunction>& all_mf_functions();

/// The function called `name`; throws InvalidArgument listing the known names otherwise.
[[nodiscard]] const MultiFidelityFunction& mf_function(const std::string& name);

}  // namespace prospect::bench
