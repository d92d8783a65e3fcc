// prospect/acquisition_optimizer.hpp — maximizes an acquisition over the unit cube.
//
// BoTorch's optimize_acqf semantics: score `raw_samples` randomly shifted Sobol points
// in one batch, draw `restarts` starts among them with probability proportional to
// exp(z-score) (the best always included), run bounded L-BFGS (NLopt LD_LBFGS, or a
// derivative-free local method when the acquisition has no gradient) from each
// start in parallel, return the best. Integer columns are optimized relaxed and
// then rounded to the nearest level and polished by a neighbour search; one-hot
// categorical groups are never relaxed: each start fixes its categories and the
// optimizer enumerates them (all combinations up to `max_enumeration`, otherwise a
// coordinate-wise local search over categories). The result is deterministic for a
// seed whatever the number of threads.
//
// Complexity: raw_samples + restarts * max_evaluations acquisition evaluations
// (times the number of category combinations tried).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "prospect/acquisition/acquisition.hpp"
#include "prospect/types.hpp"

namespace prospect {

/// Which encoded columns are discrete.
struct DiscreteStructure {
  /// An integer parameter occupying one column with `levels` equal-width cells of [0, 1]
  /// (cell i is [i/levels, (i+1)/levels), its centre (i+0.5)/levels).
  struct Integer {
    Eigen::Index column;
    long levels;
  };
  /// A categorical parameter one-hot encoded in columns [column, column + width).
  struct Categorical {
    Eigen::Index column;
    Eigen::Index width;
  };
  std::vector<Integer> integers;
  std::vector<Categorical> categoricals;
  /// Columns that are held fixed at a given value (e.g. a fidelity at its target); may be empty.
  std::vector<std::pair<Eigen::Index, double>> fixed;
};

/// Settings of the inner optimizer (every field has a sound default).
struct AcquisitionOptimizerOptions {
  /// Sobol points scored before the local searches.
  int raw_samples = 512;
  /// Local searches (L-BFGS starts).
  int restarts = 10;
  /// Acquisition evaluations per local search.
  int max_evaluations = 200;
  /// Relative tolerance on the acquisition value for a local search.
  double ftol_rel = 1e-9;
  /// Largest number of category combinations enumerated exhaustively.
  int max_enumeration = 64;
  /// OpenMP threads (0: OpenMP's default). Results do not depend on it.
  int threads = 0;

  /// Every problem with these options, empty when valid (never throws).
  [[nodiscard]] std::vector<std::string> validate() const;
};

/// What the inner optimization found.
struct AcquisitionOptimum {
  Vector x;             ///< best point (size q*d), discrete columns exactly on their levels
  double value = 0.0;   ///< acquisition value at x
  int evaluations = 0;  ///< acquisition evaluations in all (raw samples included)
  /// Starting points searched: `restarts`, plus one per (start, category combination)
  /// pair when the categories are enumerated.
  int starts = 0;
};

/// Maximizes `acquisition` (already prepared) over [0, 1]^(q*d), d = dimension, q =
/// acquisition.batch_size(); the discrete structure names columns of one point (in
/// [0, d)) and applies to every one of the q points. Fixed columns hold their value
/// exactly, integer columns end on a cell centre, every categorical group is exactly
/// one-hot. A non-finite acquisition value counts as -infinity; `value` is -infinity
/// only when every point tried was non-finite.
///
/// Throws InvalidArgument for a dimension < 1, a batch size < 1, q*d beyond the
/// dimension limit of sobol(), or a structure that is invalid (a column outside [0, d), a column
/// claimed twice, levels < 1, a width < 1, a fixed value outside [0, 1]); InvalidOptions for
/// invalid options; whatever the acquisition throws is rethrown unchanged.
/// Thread safety: calls acquisition.evaluate() / evaluate_with_gradient() from several
/// OpenMP threads at once (the Acquisition contract makes them const and thread-safe).
[[nodiscard]] AcquisitionOptimum optimize_acquisition(
    const Acquisition& acquisition, Eigen::Index dimension, const DiscreteStructure& structure,
    std::uint64_t seed, const AcquisitionOptimizerOptions& options = {});

}  // namespace prospect
