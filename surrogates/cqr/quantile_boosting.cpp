#include "prospect/surrogates/cqr/quantile_boosting.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "surrogates/data_checks.hpp"

namespace prospect {

using detail::format_number;

std::vector<std::string> QuantileBoostingOptions::validate() const {
  std::vector<std::string> problems;
  if (n_estimators < 1) {
    problems.push_back("n_estimators: got " + std::to_string(n_estimators) + ", expected >= 1");
  }
  if (!(std::isfinite(learning_rate) && learning_rate > 0.0)) {
    problems.push_back("learning_rate: got " + format_number(learning_rate) +
                       ", expected a finite value > 0");
  }
  if (max_depth < 1) {
    problems.push_back("max_depth: got " + std::to_string(max_depth) + ", expected >= 1");
  }
  if (min_samples_split < 2) {
    problems.push_back("min_samples_split: got " + std::to_string(min_samples_split) +
                       ", expected >= 2");
  }
  if (min_samples_leaf < 1) {
    problems.push_back("min_samples_leaf: got " + std::to_string(min_samples_leaf) +
                       ", expected >= 1");
  }
  if (!(subsample > 0.0 && subsample <= 1.0)) {
    problems.push_back("subsample: got " + format_number(subsample) +
                       ", expected a fraction in (0, 1]");
  }
  return problems;
}

double inverted_cdf_quantile(std::vector<double>& v, double tau) {
  if (v.empty()) throw InvalidArgument("inverted_cdf_quantile: v is empty, expected >= 1 value");
  if (!(tau > 0.0 && tau < 1.0)) {
    throw InvalidArgument("inverted_cdf_quantile: tau = " + format_number(tau) +
                          ", expected a level strictly between 0 and 1");
  }
  const auto n = static_cast<double>(v.size());
  const auto k = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::max(0.0, std::ceil(tau * n - 1e-9))), 1, v.size());
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k - 1), v.end());
  return v[k - 1];
}

double linear_quantile(std::vector<double>& v, double tau) {
  if (v.empty()) throw InvalidArgument("linear_quantile: v is empty, expected >= 1 value");
  if (!(tau >= 0.0 && tau <= 1.0)) {
    throw InvalidArgument("linear_quantile: tau = " + format_number(tau) +
                          ", expected a level in [0, 1]");
  }
  std::sort(v.begin(), v.end());
  const double h = static_cast<double>(v.size() - 1) * tau;
  const auto lo = std::min(static_cast<std::size_t>(std::floor(h)), v.size() - 1);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  const double t = h - static_cast<double>(lo), a = v[lo], b = v[hi];
  return t < 0.5 ? a + t * (b - a) : b - (b - a) * (1.0 - t);
}

QuantileBoosting::QuantileBoosting(double level, QuantileBoostingOptions options)
    : level_(level), options_(options) {
  std::vector<std::string> problems;
  if (!(level > 0.0 && level < 1.0)) {
    problems.push_back("level: got " + format_number(level) +
                       ", expected a quantile level strictly between 0 and 1");
  }
  for (auto& p : options_.validate()) problems.push_back("QuantileBoostingOptions." + p);
  if (!problems.empty()) {
    std::string message = "QuantileBoosting:";
    for (const auto& p : problems) message.append(" ").append(p).append(";");
    throw InvalidArgument(message);
  }
}

namespace {

using Node = QuantileBoosting::Node;

// Grows one least-squares tree on the gradient g, appending its nodes to `nodes`. A node
// holds its points once per feature, sorted by that feature (ties by index), so that the
// split search scans instead of sorting: O(d n) per tree level. The caller re-estimates
// the leaves from their points.
class TreeBuilder {
 public:
  using Lists = std::vector<std::vector<Eigen::Index>>;

  TreeBuilder(const Matrix& X, const std::vector<double>& g, const QuantileBoostingOptions& o,
              std::vector<Node>& nodes)
      : X_(X), g_(g), o_(o), nodes_(nodes) {}

  struct Leaf {
    int node;
    std::vector<Eigen::Index> points;
  };

  int grow(Lists sorted, int depth, std::vector<Leaf>& leaves) {
    const int id = static_cast<int>(nodes_.size());
    nodes_.emplace_back();
    const auto n = sorted[0].size();
    Split split;
    if (depth < o_.max_depth && n >= static_cast<std::size_t>(o_.min_samples_split) &&
        n >= 2 * static_cast<std::size_t>(o_.min_samples_leaf) && !pure(sorted[0])) {
      split = best_split(sorted);
    }
    if (split.feature < 0) {
      leaves.push_back({id, std::move(sorted[0])});
      return id;
    }
    const auto j = split.feature;
    Lists left(sorted.size()), right(sorted.size());
    for (std::size_t f = 0; f < sorted.size(); ++f) {
      for (auto i : sorted[f]) (X_(i, j) <= split.threshold ? left[f] : right[f]).push_back(i);
    }
    sorted.clear();
    sorted.shrink_to_fit();
    const int l = grow(std::move(left), depth + 1, leaves);
    const int r = grow(std::move(right), depth + 1, leaves);
    Node& node = nodes_[static_cast<std::size_t>(id)];
    node.feature = j;
    node.threshold = split.threshold;
    node.left = l;
    node.right = r;
    return id;
  }

 private:
  struct Split {
    int feature = -1;
    double threshold = 0.0;
  };

  bool pure(const std::vector<Eigen::Index>& points) const {
    const double first = g_[static_cast<std::size_t>(points[0])];
    for (auto i : points) {
      if (g_[static_cast<std::size_t>(i)] != first) return false;
    }
    return true;
  }

  Split best_split(const Lists& sorted) const {
    Split best;
    double best_score = -1.0;
    const auto n = sorted[0].size();
    const auto min_leaf = static_cast<std::size_t>(o_.min_samples_leaf);
    double total = 0.0;
    for (auto i : sorted[0]) total += g_[static_cast<std::size_t>(i)];
    for (int j = 0; j < static_cast<int>(X_.cols()); ++j) {
      const auto& order = sorted[static_cast<std::size_t>(j)];
      double left_sum = 0.0;
      for (std::size_t p = 1; p < n; ++p) {
        left_sum += g_[static_cast<std::size_t>(order[p - 1])];
        const double lo = X_(order[p - 1], j), hi = X_(order[p], j);
        if (p < min_leaf || n - p < min_leaf || !(hi > lo)) continue;
        const auto nl = static_cast<double>(p), nr = static_cast<double>(n - p);
        const double diff = left_sum / nl - (total - left_sum) / nr;
        const double score = nl * nr * diff * diff;
        if (score > best_score) {
          best_score = score;
          best.feature = j;
          double t = 0.5 * (lo + hi);
          // The midpoint of two neighbouring doubles can round up to hi.
          if (!(t < hi)) t = lo;
          best.threshold = t;
        }
      }
    }
    return best;
  }

  const Matrix& X_;
  const std::vector<double>& g_;
  const QuantileBoostingOptions& o_;
  std::vector<Node>& nodes_;
};

}  // namespace

double QuantileBoosting::tree_value(int root, const double* x, Eigen::Index stride) const {
  const Node* node = &nodes_[static_cast<std::size_t>(root)];
  while (node->feature >= 0) {
    const int next = x[node->feature * stride] <= node->threshold ? node->left : node->right;
    node = &nodes_[static_cast<std::size_t>(next)];
  }
  return node->value;
}

void QuantileBoosting::fit(MatrixCRef X_in, VectorCRef y, std::uint64_t seed) {
  const Eigen::Index n = X_in.rows();
  if (n < 1 || X_in.cols() < 1) {
    throw InvalidArgument("QuantileBoosting::fit: X is " + std::to_string(n) + " x " +
                          std::to_string(X_in.cols()) + ", expected at least 1 row and 1 column");
  }
  if (y.size() != n) {
    throw InvalidArgument("QuantileBoosting::fit: y has " + std::to_string(y.size()) +
                          " values, expected one per row of X (" + std::to_string(n) + ")");
  }
  detail::check_finite_matrix(X_in, "X");
  detail::check_finite_vector(y, "y");

  const Matrix X = X_in;
  const double tau = level_;
  const auto un = static_cast<std::size_t>(n);
  std::vector<double> work(y.data(), y.data() + n);
  const double initial = linear_quantile(work, tau);

  const auto in_bag = std::max<Eigen::Index>(
      1, static_cast<Eigen::Index>(std::floor(options_.subsample * static_cast<double>(n))));
  std::vector<Node> nodes;
  std::vector<int> roots;
  std::vector<double> F(un, initial), g(un);
  // Every feature's order, once: ties by index so that the order is deterministic.
  const auto d = static_cast<std::size_t>(X.cols());
  TreeBuilder::Lists presorted(d, std::vector<Eigen::Index>(un));
  for (std::size_t j = 0; j < d; ++j) {
    auto& order = presorted[j];
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    const auto col = static_cast<Eigen::Index>(j);
    std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
      const double xa = X(a, col), xb = X(b, col);
      return xa < xb || (xa == xb && a < b);
    });
  }
  std::vector<Eigen::Index> draw(un);
  std::vector<char> bag(un);
  std::vector<TreeBuilder::Leaf> leaves;
  for (int m = 0; m < options_.n_estimators; ++m) {
    TreeBuilder::Lists sorted;
    if (in_bag < n) {
      // Partial Fisher-Yates: the first in_bag entries are a uniform subset.
      std::iota(draw.begin(), draw.end(), Eigen::Index{0});
      Rng rng(derive_seed(seed, static_cast<std::uint64_t>(m)));
      for (Eigen::Index i = 0; i < in_bag; ++i) {
        const auto k = i + static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(n - i)));
        std::swap(draw[static_cast<std::size_t>(i)], draw[static_cast<std::size_t>(k)]);
      }
      std::fill(bag.begin(), bag.end(), 0);
      for (Eigen::Index i = 0; i < in_bag; ++i)
        bag[static_cast<std::size_t>(draw[static_cast<std::size_t>(i)])] = 1;
      sorted.resize(d);
      for (std::size_t j = 0; j < d; ++j) {
        sorted[j].reserve(static_cast<std::size_t>(in_bag));
        for (auto i : presorted[j]) {
          if (bag[static_cast<std::size_t>(i)]) sorted[j].push_back(i);
        }
      }
    } else {
      sorted = presorted;
    }
    for (std::size_t i = 0; i < un; ++i) {
      g[i] = y(static_cast<Eigen::Index>(i)) >= F[i] ? tau : tau - 1.0;
    }
    leaves.clear();
    TreeBuilder builder(X, g, options_, nodes);
    const int root = builder.grow(std::move(sorted), 0, leaves);
    roots.push_back(root);
    for (const auto& leaf : leaves) {
      work.clear();
      for (auto i : leaf.points) work.push_back(y(i) - F[static_cast<std::size_t>(i)]);
      nodes[static_cast<std::size_t>(leaf.node)].value = inverted_cdf_quantile(work, tau);
    }
    // Every point (in-bag or not) moves by its leaf's value.
    for (Eigen::Index i = 0; i < n; ++i) {
      const Node* node = &nodes[static_cast<std::size_t>(root)];
      while (node->feature >= 0) {
        node = &nodes[static_cast<std::size_t>(
            X(i, node->feature) <= node->threshold ? node->left : node->right)];
      }
      F[static_cast<std::size_t>(i)] += options_.learning_rate * node->value;
    }
  }
  dimension_ = X.cols();
  initial_ = initial;
  nodes_ = std::move(nodes);
  roots_ = std::move(roots);
}

Vector QuantileBoosting::predict(MatrixCRef X) const {
  if (!fitted()) {
    throw InvalidState("QuantileBoosting::predict: the model is not fitted; call fit() first");
  }
  if (X.cols() != dimension_) {
    throw InvalidArgument("QuantileBoosting::predict: X has " + std::to_string(X.cols()) +
                          " columns, expected the fitted dimension " + std::to_string(dimension_));
  }
  detail::check_finite_matrix(X, "X");
  Vector out(X.rows());
  const Eigen::Index stride = X.outerStride();
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    double f = initial_;
    const double* x = X.data() + i;
    for (int root : roots_) f += options_.learning_rate * tree_value(root, x, stride);
    out(i) = f;
  }
  return out;
}

}  // namespace prospect
