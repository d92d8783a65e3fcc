// prospect/acquisition_optimizer.hpp — maximizes an acquisition over the unit cube.
//
// BoTorch's optimize_acqf semantics: score `raw_samples` randomly shifted Sobol points
// (projected onto the feasible set) in one batch, draw `restarts` starts among them
// without replacement with probability proportional to exp(z-score) (the best always
// included; uniformly when all values are equal; non-finite values last), run a
// bounded local search from each start in parallel (NLopt LD_LBFGS with the
// acquisition's gradient, LN_BOBYQA without one, LN_COBYLA for a single variable)
// and return the best. An acquisition with candidate_set() = c > 0 (a random draw per
// point, e.g. the CQR searcher's) is scored on c fresh raw samples only and the best is
// returned, with no anchors and no local search. Integer columns are optimized relaxed, then
// rounded to the nearest cell centre and polished by moving single columns one level up or down
// while that improves (the continuous columns are re-optimized after such a move).
// One-hot categorical groups are never relaxed: each start keeps its categories;
// when all groups of the q points have at most `max_enumeration` combinations, the
// two best starts are also searched under every combination, otherwise each start
// runs a coordinate search over the groups (best category of one group with the
// others held, the other columns re-optimized after an improving change, until no
// group changes). Ties between results go to the earlier start, so the result is
// deterministic for a seed whatever the number of threads.
//
// Complexity: raw_samples + restarts * max_evaluations acquisition evaluations, plus
// 2 * combinations * max_evaluations when enumerating categories, or per start a
// few passes of (sum of group widths) evaluations and one local search per
// improving category change in the coordinate search.
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
  /// With `grid` the levels sit at i/(levels-1), both ends included (a fidelity level,
  /// Space::add_fidelity_levels; levels >= 2), instead of at the cell centres.
  struct Integer {
    Eigen::Index column;
    long levels;
    bool grid = false;
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
  /// Extra raw samples drawn around the anchors passed to optimize_acquisition.
  int anchor_samples = 64;
  int max_enumeration = 64;
  /// OpenMP threads (0: OpenMP's default). Results do not depend on it.
  int threads = 0;

  /// Every problem with these options, empty when valid (never throws).
  [[nodiscard]] std::vector<std::string> validate() const;
};

/// What the inner optimization found.
struct AcquisitionOptimum {
  Vector x;             ///< best point (size q*d), discrete columns exactly on their levels
  Vector auxiliary;     ///< the acquisition's auxiliary coordinates there (usually empty)
  double value = 0.0;   ///< acquisition value at x
  int evaluations = 0;  ///< acquisition evaluations in all (raw samples included)
  /// Starting points searched: `restarts`, plus one per (start, category combination)
  /// pair when the categories are enumerated.
  int starts = 0;
};

/// Maximizes `acquisition` (already prepared) over [0, 1]^(q*d + a), d = dimension, q =
/// acquisition.batch_size(), a = acquisition.auxiliary_size(); the discrete structure
/// names columns of one point (in [0, d)) and applies to every one of the q points; the
/// a auxiliary columns are continuous, filled on every raw sample by
/// acquisition.complete_auxiliary() and optimized jointly with the candidates. Fixed columns hold
/// their value exactly, integer columns end on a cell centre, every categorical group is exactly
/// one-hot. A non-finite acquisition value counts as -infinity; `value` is -infinity
/// only when every point tried was non-finite.
///
/// Throws InvalidArgument for a dimension < 1, a batch size < 1, q*d beyond the
/// dimension limit of sobol(), or a structure that is invalid (a column outside [0, d), a column
/// claimed twice, levels outside [1, 2^53], a width < 1, a fixed value outside [0, 1]);
/// InvalidOptions for invalid options; whatever the acquisition throws is rethrown unchanged.
/// Thread safety: calls acquisition.evaluate() / evaluate_with_gradient() from several
/// OpenMP threads at once (the Acquisition contract makes them const and thread-safe).
/// `anchors` (rows of `dimension` columns, e.g. the best observed points) add
/// options.anchor_samples raw samples drawn around them (Gaussian steps of 0.1, 0.01 and
/// 0.001 of the unit cube) for single-point acquisitions; InvalidArgument when their
/// column count is not `dimension`.
[[nodiscard]] AcquisitionOptimum optimize_acquisition(
    const Acquisition& acquisition, Eigen::Index dimension, const DiscreteStructure& structure,
    std::uint64_t seed, const AcquisitionOptimizerOptions& options = {},
    MatrixCRef anchors = Matrix());

}  // namespace prospect
