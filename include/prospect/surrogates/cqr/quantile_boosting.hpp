// prospect/surrogates/cqr/quantile_boosting.hpp — gradient-boosted regression trees for ONE
// quantile level tau (ALGORITHMS.md §4.2), the base learner of conformalized quantile
// regression.
//
// Why it is written here: the reference (Syne Tune's CQR) uses scikit-learn's
// GradientBoostingRegressor(loss="quantile"), whose essential step is the re-estimation of
// every leaf as the tau-quantile of the residuals that fall in it. No packaged library on
// Debian 12 (the project's platform) does quantile boosting with leaf re-estimation: its
// libxgboost-dev is 1.7.4, older than XGBoost's quantile objective (2.0), and LightGBM is
// not packaged. So this is a small re-implementation of sklearn's defaults.
//
// Algorithm (pinball loss rho_tau(e) = max(tau e, (tau - 1) e), e = y - F(x)), as sklearn
// >= 1.1 does it without sample weights (Syne Tune's call):
//   F0 = linear_quantile(y, tau), numpy's default percentile (sklearn's initial estimator
//     DummyRegressor(strategy="quantile") gets no weights and calls np.percentile);
//   for m = 1..n_estimators:
//     draw the in-bag sample: all points (subsample = 1) or floor(subsample n) (at least 1)
//       points without replacement from Rng(derive_seed(seed, m - 1));
//     g_i = tau if y_i >= F(x_i) else tau - 1, the negative gradient of the pinball loss
//       (at y_i = F(x_i) sklearn's subgradient choice, y >= F);
//     fit a least-squares regression tree of depth <= max_depth to g on the in-bag points:
//       a node is split unless it is at max_depth, has fewer than min_samples_split or
//       2 min_samples_leaf points, or all its g are equal; the split is the best by
//       Friedman's score n_L n_R (mean_L(g) - mean_R(g))^2 over every feature and every
//       threshold halfway between consecutive distinct sorted values that leaves
//       >= min_samples_leaf points on each side (ties: the first feature, then the lowest
//       threshold; sklearn breaks ties by a random feature order); x <= threshold goes left;
//     re-estimate every leaf: gamma = inverted_cdf_quantile({y_i - F(x_i) : in-bag i in the
//       leaf}, tau) (sklearn's _weighted_percentile with unit weights);
//     F(x) += learning_rate * gamma(leaf(x)) for every point (in-bag or not).
//   predict(x) = F0 + sum_m learning_rate * gamma_m(leaf_m(x)), summed in tree order.
// The two empirical-quantile rules (pinned, see the functions below) differ by at most the
// gap between two neighbouring order statistics; ALGORITHMS.md §4.2 allows that latitude.
//
// Complexity: fit O(d n log n + M depth d n) for M trees on n points of dimension d (each
// feature sorted once; a node keeps its points in every feature's order, so the split
// search is a scan), within the O(M depth d n log n) of sorting at every node; predict
// O(M depth) per point. Memory O(d n) while fitting and O(M 2^depth) nodes after, stored
// compactly (one array of nodes for all trees). Deterministic for a seed (the seed is used
// only when subsample < 1). Units: X in any finite units (trees are invariant to monotone
// rescaling of each feature); F0, gamma and predictions in the units of y.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "prospect/types.hpp"

namespace prospect {

/// Settings of the quantile boosting; the defaults are sklearn's GradientBoostingRegressor.
struct QuantileBoostingOptions {
  /// Number M of trees (boosting stages), >= 1.
  int n_estimators = 100;
  /// Shrinkage nu of every tree's contribution, finite > 0.
  double learning_rate = 0.1;
  /// Maximum depth of each tree (the root has depth 0), >= 1.
  int max_depth = 3;
  /// A node with fewer points is not split, >= 2.
  int min_samples_split = 2;
  /// Each child of a split has at least this many points, >= 1.
  int min_samples_leaf = 1;
  /// Fraction of the points each tree is fitted on (stochastic gradient boosting), in
  /// (0, 1]; floor(subsample n) points (at least 1) drawn without replacement per tree.
  double subsample = 1.0;

  /// Every problem, one message each naming the field (empty when valid). Does not throw.
  [[nodiscard]] std::vector<std::string> validate() const;
};

/// Gradient-boosted quantile regression trees for one level tau.
class QuantileBoosting {
 public:
  /// Throws InvalidArgument for a level outside (0, 1) or invalid options (every problem
  /// listed, each naming its field).
  explicit QuantileBoosting(double level, QuantileBoostingOptions options = {});

  /// Fits the trees to (X, y): X is n x d (n >= 1, d >= 1, finite), y has n finite values.
  /// Deterministic for a seed (used only when options().subsample < 1). Throws
  /// InvalidArgument for bad input, leaving the model unchanged. Cost O(d n log n + M depth d n).
  void fit(MatrixCRef X, VectorCRef y, std::uint64_t seed);
  /// The fitted tau-quantile of y at each row of X (m x d, finite): m values in the units
  /// of y. Throws InvalidState before fit(), InvalidArgument for a wrong number of columns
  /// or a non-finite entry. Cost O(m M depth).
  [[nodiscard]] Vector predict(MatrixCRef X) const;

  /// True after a successful fit().
  [[nodiscard]] bool fitted() const { return !roots_.empty(); }
  /// The quantile level tau in (0, 1).
  [[nodiscard]] double level() const { return level_; }
  [[nodiscard]] const QuantileBoostingOptions& options() const { return options_; }
  /// Input dimension d of the fitted data (0 before fit()).
  [[nodiscard]] Eigen::Index dimension() const { return dimension_; }
  /// F0, linear_quantile() of the fitted y at tau (0 before fit()).
  [[nodiscard]] double initial_value() const { return initial_; }
  /// Number of fitted trees (options().n_estimators after fit(), 0 before).
  [[nodiscard]] int tree_count() const { return static_cast<int>(roots_.size()); }
  /// Total number of nodes (internal and leaves) of all trees.
  [[nodiscard]] std::size_t node_count() const { return nodes_.size(); }

  /// One tree node. A leaf has feature -1 and its re-estimated value gamma (before the
  /// learning rate); an internal node sends x(feature) <= threshold to `left`, else to
  /// `right` (indices into the same node array).
  struct Node {
    int feature = -1;
    double threshold = 0.0;
    int left = -1;
    int right = -1;
    double value = 0.0;
  };
  /// The nodes of tree t (0-based) start at roots()[t] in nodes(); for inspection and tests.
  [[nodiscard]] const std::vector<Node>& nodes() const { return nodes_; }
  [[nodiscard]] const std::vector<int>& roots() const { return roots_; }

 private:
  [[nodiscard]] double tree_value(int root, const double* x, Eigen::Index stride) const;

  double level_;
  QuantileBoostingOptions options_;
  Eigen::Index dimension_ = 0;
  double initial_ = 0.0;
  std::vector<Node> nodes_;
  std::vector<int> roots_;
};

/// The leaves' empirical tau-quantile (inverted CDF, no interpolation): the k-th smallest
/// value, k = max(1, ceil(tau n - 1e-9)), the smallest k with k / n >= tau (sklearn's
/// _weighted_percentile with unit weights; the 1e-9 keeps floating-point noise such as
/// 0.3 * 10 = 3.0000000000000004 from moving it by one order statistic, which sklearn's own
/// arithmetic does not guard against). Reorders v. Throws InvalidArgument for an empty v or
/// tau outside (0, 1). Cost O(n) (nth_element).
[[nodiscard]] double inverted_cdf_quantile(std::vector<double>& v, double tau);
/// numpy.quantile(v, tau) with its default "linear" method: position h = (n - 1) tau in the
/// sorted values, linear interpolation between v_(floor h) and v_(floor h + 1) (0-based),
/// with numpy's lerp (a + t (b - a) for t < 0.5, b - (b - a)(1 - t) otherwise). F0 of the
/// boosting and the conformal correction of CQR. Reorders v. Throws InvalidArgument for an
/// empty v or tau outside [0, 1]. Cost O(n log n).
[[nodiscard]] double linear_quantile(std::vector<double>& v, double tau);

}  // namespace prospect
