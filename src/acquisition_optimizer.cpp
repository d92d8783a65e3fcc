#include "prospect/acquisition_optimizer.hpp"

#include <nlopt.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

#include "prospect/errors.hpp"
#include "prospect/random.hpp"

namespace prospect {

std::vector<std::string> AcquisitionOptimizerOptions::validate() const {
  std::vector<std::string> problems;
  if (anchor_samples < 0)
    problems.push_back("anchor_samples: got " + std::to_string(anchor_samples) + ", expected >= 0");
  if (raw_samples < 1)
    problems.push_back("raw_samples: got " + std::to_string(raw_samples) + ", expected >= 1");
  if (restarts < 1)
    problems.push_back("restarts: got " + std::to_string(restarts) + ", expected >= 1");
  else if (restarts > raw_samples)
    problems.push_back("restarts: got " + std::to_string(restarts) + ", expected <= raw_samples (" +
                       std::to_string(raw_samples) + ")");
  if (max_evaluations < 1)
    problems.push_back("max_evaluations: got " + std::to_string(max_evaluations) +
                       ", expected >= 1");
  if (!(ftol_rel > 0.0))  // also rejects NaN
    problems.push_back("ftol_rel: got " + std::to_string(ftol_rel) + ", expected > 0");
  if (max_enumeration < 1)
    problems.push_back("max_enumeration: got " + std::to_string(max_enumeration) +
                       ", expected >= 1");
  if (threads < 0)
    problems.push_back("threads: got " + std::to_string(threads) + ", expected >= 0");
  return problems;
}

namespace {

constexpr double kMinusInf = -std::numeric_limits<double>::infinity();
// What NLopt sees for a non-finite acquisition: low enough that no line search keeps
// it, finite so that the quasi-Newton update arithmetic stays finite.
constexpr double kNlOptFloor = -1e300;
// Passes of the integer neighbour polish and of the categorical coordinate search:
// each pass strictly improves the value, so the caps only bound pathological cases.
constexpr int kIntegerPasses = 4;
constexpr int kCategoricalPasses = 8;
// Starts (best raw values first) whose categories are enumerated exhaustively.
constexpr int kEnumeratedStarts = 2;

double guarded(double value) {
  return std::isfinite(value) ? value : kMinusInf;
}

// A point, possibly a row of a column-major matrix (strided).
using PointRef = Eigen::Ref<Vector, 0, Eigen::InnerStride<>>;
using ConstPointRef = Eigen::Ref<const Vector, 0, Eigen::InnerStride<>>;

enum class Kind : unsigned char { continuous, integer, categorical, fixed };

// Column roles over all q*d columns of a q-batch row.
struct Layout {
  Eigen::Index n = 0;
  std::vector<Kind> kind;
  std::vector<long> levels;         // integer columns
  std::vector<bool> grid;           // integer columns with levels at i/(levels-1)
  std::vector<double> fixed_value;  // fixed columns
  std::vector<Eigen::Index> free;   // continuous and integer columns, ascending
  std::vector<Eigen::Index> continuous;
  std::vector<Eigen::Index> integers;
  std::vector<DiscreteStructure::Categorical> groups;  // over all q points

  // `auxiliary` continuous columns follow the q*d candidate columns (one-shot KG).
  static Layout build(Eigen::Index d, Eigen::Index q, Eigen::Index auxiliary,
                      const DiscreteStructure& s) {
    Layout layout;
    layout.n = q * d + auxiliary;
    std::vector<Kind> point(static_cast<std::size_t>(d), Kind::continuous);
    std::vector<bool> claimed(static_cast<std::size_t>(d), false);
    const auto claim = [&](Eigen::Index column, const std::string& what, Kind kind) {
      if (column < 0 || column >= d)
        throw InvalidArgument(what + ": column " + std::to_string(column) + " is outside [0, " +
                              std::to_string(d) + ")");
      if (claimed[static_cast<std::size_t>(column)])
        throw InvalidArgument(what + ": column " + std::to_string(column) +
                              " is already claimed by another discrete or fixed entry");
      claimed[static_cast<std::size_t>(column)] = true;
      point[static_cast<std::size_t>(column)] = kind;
    };
    std::vector<long> point_levels(static_cast<std::size_t>(d), 0);
    std::vector<double> point_fixed(static_cast<std::size_t>(d), 0.0);
    std::vector<bool> point_grid(static_cast<std::size_t>(d), false);
    for (const auto& integer : s.integers) {
      // Levels beyond 2^53 would not be exactly representable as doubles.
      if (integer.levels < 1 || integer.levels > (1L << 53))
        throw InvalidArgument("structure.integers: levels " + std::to_string(integer.levels) +
                              " at column " + std::to_string(integer.column) +
                              ", expected in [1, 2^53]");
      if (integer.grid && integer.levels < 2)
        throw InvalidArgument("structure.integers: a grid of " + std::to_string(integer.levels) +
                              " level at column " + std::to_string(integer.column) +
                              ", expected >= 2 levels");
      claim(integer.column, "structure.integers", Kind::integer);
      point_levels[static_cast<std::size_t>(integer.column)] = integer.levels;
      point_grid[static_cast<std::size_t>(integer.column)] = integer.grid;
    }
    for (const auto& group : s.categoricals) {
      if (group.width < 1)
        throw InvalidArgument("structure.categoricals: width " + std::to_string(group.width) +
                              " at column " + std::to_string(group.column) + ", expected >= 1");
      if (group.column < 0 || group.column + group.width > d)
        throw InvalidArgument("structure.categoricals: columns [" + std::to_string(group.column) +
                              ", " + std::to_string(group.column + group.width) +
                              ") are outside [0, " + std::to_string(d) + ")");
      for (Eigen::Index j = 0; j < group.width; ++j)
        claim(group.column + j, "structure.categoricals", Kind::categorical);
    }
    for (const auto& [column, value] : s.fixed) {
      if (!(value >= 0.0 && value <= 1.0))
        throw InvalidArgument("structure.fixed: value " + std::to_string(value) + " at column " +
                              std::to_string(column) + ", expected a number in [0, 1]");
      claim(column, "structure.fixed", Kind::fixed);
      point_fixed[static_cast<std::size_t>(column)] = value;
    }
    const auto n = static_cast<std::size_t>(layout.n);
    layout.kind.resize(n);
    layout.levels.assign(n, 0);
    layout.grid.assign(n, false);
    layout.fixed_value.assign(n, 0.0);
    for (Eigen::Index p = 0; p < q; ++p) {
      for (Eigen::Index j = 0; j < d; ++j) {
        const auto c = static_cast<std::size_t>(p * d + j);
        const auto k = static_cast<std::size_t>(j);
        layout.kind[c] = point[k];
        layout.levels[c] = point_levels[k];
        layout.grid[c] = point_grid[k];
        layout.fixed_value[c] = point_fixed[k];
        if (point[k] == Kind::continuous || point[k] == Kind::integer)
          layout.free.push_back(p * d + j);
        if (point[k] == Kind::continuous) layout.continuous.push_back(p * d + j);
        if (point[k] == Kind::integer) layout.integers.push_back(p * d + j);
      }
      for (const auto& group : s.categoricals)
        layout.groups.push_back({p * d + group.column, group.width});
    }
    for (Eigen::Index c = q * d; c < layout.n; ++c) {
      layout.kind[static_cast<std::size_t>(c)] = Kind::continuous;
      layout.free.push_back(c);
      layout.continuous.push_back(c);
    }
    return layout;
  }

  // The level of an integer column: the cell containing the value (the nearest grid
  // level for a grid column).
  [[nodiscard]] long level(ConstPointRef x, Eigen::Index j) const {
    const long m = levels[static_cast<std::size_t>(j)];
    // Clamped in double first: the cast of an out-of-range double is undefined.
    const double cell = grid[static_cast<std::size_t>(j)]
                            ? std::round(x[j] * static_cast<double>(m - 1))
                            : std::floor(x[j] * static_cast<double>(m));
    return static_cast<long>(std::clamp(cell, 0.0, static_cast<double>(m - 1)));
  }
  [[nodiscard]] double centre(Eigen::Index j, long level) const {
    const auto m = static_cast<double>(levels[static_cast<std::size_t>(j)]);
    if (grid[static_cast<std::size_t>(j)]) return static_cast<double>(level) / (m - 1.0);
    return (static_cast<double>(level) + 0.5) / m;
  }
  static Eigen::Index category(ConstPointRef x, const DiscreteStructure::Categorical& g) {
    Eigen::Index best = 0;
    for (Eigen::Index k = 1; k < g.width; ++k)
      if (x[g.column + k] > x[g.column + best]) best = k;
    return best;
  }
  static void set_category(PointRef x, const DiscreteStructure::Categorical& g, Eigen::Index k) {
    x.segment(g.column, g.width).setZero();
    x[g.column + k] = 1.0;
  }
  void snap_integers(PointRef x) const {
    for (const Eigen::Index j : integers) x[j] = centre(j, level(x, j));
  }
  // Onto the feasible set: fixed values, integer cell centres, one-hot categories.
  void project(PointRef x) const {
    for (Eigen::Index j = 0; j < n; ++j)
      if (kind[static_cast<std::size_t>(j)] == Kind::fixed)
        x[j] = fixed_value[static_cast<std::size_t>(j)];
    snap_integers(x);
    for (const auto& g : groups) set_category(x, g, category(x, g));
  }
};

// One work item's access to the acquisition, with its own buffers and count.
class Evaluator {
 public:
  Evaluator(const Acquisition& acquisition, Eigen::Index n)
      : acquisition_(acquisition), row_(1, n), value_(1), gradient_(n) {}

  double value(const Vector& x) {
    row_.row(0) = x.transpose();
    acquisition_.evaluate(row_, value_);
    ++evaluations;
    return guarded(value_[0]);
  }
  // Values of the rows of X (one batch call).
  void values(const Matrix& X, Vector& out) {
    out.resize(X.rows());
    acquisition_.evaluate(X, out);
    evaluations += static_cast<int>(X.rows());
    for (Eigen::Index i = 0; i < out.size(); ++i) out[i] = guarded(out[i]);
  }
  // Value and gradient; the gradient is zero wherever value or gradient is non-finite.
  double value_and_gradient(const Vector& x, Vector& gradient) {
    const double v = guarded(acquisition_.evaluate_with_gradient(x, gradient_));
    ++evaluations;
    if (v == kMinusInf || !gradient_.allFinite()) {
      gradient.setZero(gradient_.size());
      return v;
    }
    gradient = gradient_;
    return v;
  }
  [[nodiscard]] bool has_gradient() const { return acquisition_.has_gradient(); }

  int evaluations = 0;

 private:
  const Acquisition& acquisition_;
  Matrix row_;
  Vector value_;
  Vector gradient_;
};

struct NloptDeleter {
  void operator()(nlopt_opt opt) const { nlopt_destroy(opt); }
};
using NloptHandle = std::unique_ptr<std::remove_pointer_t<nlopt_opt>, NloptDeleter>;

// State shared with the NLopt callback: the best point ever evaluated is kept, so
// the result never depends on which NLopt return code ended the search.
struct SearchState {
  Evaluator* evaluator = nullptr;
  const std::vector<Eigen::Index>* variables = nullptr;
  Vector x;         // full point, free entries overwritten by NLopt's
  Vector gradient;  // full gradient
  Vector best_x;
  double best = kMinusInf;
  Vector start;                    // the point the search starts from
  double start_value = kMinusInf;  // its value, once NLopt has evaluated it
  bool start_seen = false;
  std::exception_ptr error;
  nlopt_opt opt = nullptr;
};

double objective(unsigned m, const double* z, double* grad, void* data) {
  auto& s = *static_cast<SearchState*>(data);
  try {
    for (unsigned i = 0; i < m; ++i) s.x[(*s.variables)[i]] = z[i];
    double v = 0.0;
    if (grad != nullptr) {
      v = s.evaluator->value_and_gradient(s.x, s.gradient);
      for (unsigned i = 0; i < m; ++i) grad[i] = s.gradient[(*s.variables)[i]];
    } else {
      v = s.evaluator->value(s.x);
    }
    if (!s.start_seen && s.x == s.start) {
      s.start_seen = true;
      s.start_value = v;
    }
    if (v > s.best) {
      s.best = v;
      s.best_x = s.x;
    }
    return v == kMinusInf ? kNlOptFloor : v;
  } catch (...) {
    // An exception must not unwind through NLopt's C frames.
    if (!s.error) s.error = std::current_exception();
    nlopt_force_stop(s.opt);
    if (grad != nullptr) std::fill(grad, grad + m, 0.0);
    return kNlOptFloor;
  }
}

// Maximizes over `variables` (box [0, 1]) starting from x, the other entries held;
// x becomes the best point evaluated; returns its value. `start_value` receives the
// value at the starting point (NLopt evaluates it first; evaluated here otherwise).
double local_search(Evaluator& evaluator, const std::vector<Eigen::Index>& variables, Vector& x,
                    const AcquisitionOptimizerOptions& options, double& start_value) {
  if (variables.empty()) return start_value = evaluator.value(x);
  const auto m = static_cast<unsigned>(variables.size());
  const bool gradient = evaluator.has_gradient();
  // BOBYQA needs at least two variables; COBYLA is the derivative-free fallback for one.
  const nlopt_algorithm algorithm =
      gradient ? NLOPT_LD_LBFGS : (m >= 2 ? NLOPT_LN_BOBYQA : NLOPT_LN_COBYLA);
  NloptHandle opt(nlopt_create(algorithm, m));
  if (!opt) throw NumericalError("acquisition optimizer: NLopt could not create its optimizer");
  SearchState state;
  state.evaluator = &evaluator;
  state.variables = &variables;
  state.x = x;
  state.gradient = Vector::Zero(x.size());
  state.best_x = x;
  state.start = x;
  state.opt = opt.get();
  std::vector<double> z(m);
  for (unsigned i = 0; i < m; ++i) {
    z[i] = std::clamp(x[variables[i]], 0.0, 1.0);
    state.start[variables[i]] = z[i];
  }
  nlopt_set_lower_bounds1(opt.get(), 0.0);
  nlopt_set_upper_bounds1(opt.get(), 1.0);
  nlopt_set_max_objective(opt.get(), objective, &state);
  nlopt_set_maxeval(opt.get(), options.max_evaluations);
  nlopt_set_ftol_rel(opt.get(), options.ftol_rel);
  double final_value = 0.0;
  // The return code is deliberately ignored: failures such as NLOPT_ROUNDOFF_LIMITED
  // still leave a usable best point in `state`.
  nlopt_optimize(opt.get(), z.data(), &final_value);
  if (state.error) std::rethrow_exception(state.error);
  start_value = state.start_seen ? state.start_value : evaluator.value(state.start);
  if (state.best == kMinusInf) {  // nothing finite was seen
    x = state.start;
    return start_value;
  }
  x = state.best_x;
  return state.best;
}

// Rounds the integer columns of x to their cell centres and moves single columns to
// neighbouring levels while that improves. Returns the value; `changed` tells whether
// a neighbour move was accepted.
double polish_integers(const Layout& layout, Evaluator& evaluator, Vector& x, bool& changed) {
  changed = false;
  layout.snap_integers(x);
  double value = evaluator.value(x);
  Matrix candidates(2, layout.n);
  Vector values;
  for (int pass = 0; pass < kIntegerPasses; ++pass) {
    bool improved = false;
    for (const Eigen::Index j : layout.integers) {
      const long level = layout.level(x, j);
      const long top = layout.levels[static_cast<std::size_t>(j)] - 1;
      std::vector<long> tried;
      if (level > 0) tried.push_back(level - 1);
      if (level < top) tried.push_back(level + 1);
      if (tried.empty()) continue;
      candidates.resize(static_cast<Eigen::Index>(tried.size()), layout.n);
      for (std::size_t r = 0; r < tried.size(); ++r) {
        candidates.row(static_cast<Eigen::Index>(r)) = x.transpose();
        candidates(static_cast<Eigen::Index>(r), j) = layout.centre(j, tried[r]);
      }
      evaluator.values(candidates, values);
      Eigen::Index best = 0;
      for (Eigen::Index r = 1; r < values.size(); ++r)
        if (values[r] > values[best]) best = r;
      if (values[best] > value) {
        value = values[best];
        x[j] = candidates(best, j);
        improved = changed = true;
      }
    }
    if (!improved) break;
  }
  return value;
}

// Local search over the continuous and (relaxed) integer columns, then integers to
// their levels, then the continuous columns again if a neighbour level was taken.
// x must be feasible; the result is never worse than x (rounding a relaxed optimum
// can be, then x is kept).
double refine(const Layout& layout, Evaluator& evaluator, Vector& x,
              const AcquisitionOptimizerOptions& options) {
  const Vector start = x;
  double start_value = kMinusInf;
  double value = local_search(evaluator, layout.free, x, options, start_value);
  if (layout.integers.empty()) return value;
  bool changed = false;
  value = polish_integers(layout, evaluator, x, changed);
  if (changed && !layout.continuous.empty()) {
    double unused = kMinusInf;
    value = local_search(evaluator, layout.continuous, x, options, unused);
  }
  if (start_value > value) {
    x = start;
    value = start_value;
  }
  return value;
}

// Coordinate search over the categorical groups: every category of one group is
// scored with the rest held; an improving change is kept and the other columns are
// re-optimized under it.
double coordinate_search(const Layout& layout, Evaluator& evaluator, Vector& x, double value,
                         const AcquisitionOptimizerOptions& options) {
  Matrix candidates;
  Vector values;
  for (int pass = 0; pass < kCategoricalPasses; ++pass) {
    bool changed = false;
    for (const auto& g : layout.groups) {
      if (g.width < 2) continue;
      const Eigen::Index current = Layout::category(x, g);
      candidates.resize(g.width - 1, layout.n);
      std::vector<Eigen::Index> category;
      for (Eigen::Index k = 0; k < g.width; ++k) {
        if (k == current) continue;
        Vector row = x;
        Layout::set_category(row, g, k);
        candidates.row(static_cast<Eigen::Index>(category.size())) = row.transpose();
        category.push_back(k);
      }
      evaluator.values(candidates, values);
      Eigen::Index best = 0;
      for (Eigen::Index r = 1; r < values.size(); ++r)
        if (values[r] > values[best]) best = r;
      if (!(values[best] > value)) continue;
      x = candidates.row(best).transpose();
      value = refine(layout, evaluator, x, options);
      changed = true;
    }
    if (!changed) break;
  }
  return value;
}

// Chooses `count` distinct row indices: BoTorch's initialize_q_batch (weights
// exp(z-score), the argmax always in), or uniformly when the values do not vary.
// Non-finite values have weight zero and are drawn uniformly only when the others
// are exhausted.
std::vector<Eigen::Index> choose_starts(const Vector& values, int count, std::uint64_t seed) {
  const Eigen::Index n = values.size();
  Rng rng(seed);
  std::vector<double> weight(static_cast<std::size_t>(n), 0.0);
  std::vector<bool> taken(static_cast<std::size_t>(n), false);
  double sum = 0.0;
  Eigen::Index finite = 0;
  Eigen::Index argmax = -1;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (values[i] == kMinusInf) continue;
    sum += values[i];
    ++finite;
    if (argmax < 0 || values[i] > values[argmax]) argmax = i;
  }
  double sd = 0.0;
  const double mean = finite > 0 ? sum / static_cast<double>(finite) : 0.0;
  if (finite > 1) {
    double squares = 0.0;
    for (Eigen::Index i = 0; i < n; ++i)
      if (values[i] != kMinusInf) squares += (values[i] - mean) * (values[i] - mean);
    sd = std::sqrt(squares / static_cast<double>(finite - 1));
  }
  std::vector<Eigen::Index> chosen;
  const bool spread = sd > 0.0 && std::isfinite(sd);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (values[i] == kMinusInf) continue;
    // exp(z - z_max) is proportional to exp(z) and cannot overflow.
    weight[static_cast<std::size_t>(i)] =
        spread ? std::exp((values[i] - values[argmax]) / sd) : 1.0;
  }
  if (spread) {
    chosen.push_back(argmax);
    taken[static_cast<std::size_t>(argmax)] = true;
    weight[static_cast<std::size_t>(argmax)] = 0.0;
  }
  while (static_cast<int>(chosen.size()) < count) {
    double total = 0.0;
    for (const double w : weight) total += w;
    Eigen::Index pick = -1;
    if (total > 0.0) {
      const double u = rng.uniform() * total;
      double cumulative = 0.0;
      for (Eigen::Index i = 0; i < n; ++i) {
        const double w = weight[static_cast<std::size_t>(i)];
        if (w <= 0.0) continue;
        cumulative += w;
        pick = i;  // the last positive weight absorbs rounding at the top end
        if (u < cumulative) break;
      }
    } else {
      std::vector<Eigen::Index> left;
      for (Eigen::Index i = 0; i < n; ++i)
        if (!taken[static_cast<std::size_t>(i)]) left.push_back(i);
      pick = left[static_cast<std::size_t>(rng.below(left.size()))];
    }
    chosen.push_back(pick);
    taken[static_cast<std::size_t>(pick)] = true;
    weight[static_cast<std::size_t>(pick)] = 0.0;
  }
  return chosen;
}

// Number of category combinations over all groups, or `cap + 1` once it exceeds cap.
long long combinations(const Layout& layout, long long cap) {
  long long total = 1;
  for (const auto& g : layout.groups) {
    total *= g.width;
    if (total > cap) return cap + 1;
  }
  return total;
}

// Sets every group of x to combination `index` (mixed radix, first group fastest).
void set_combination(const Layout& layout, Vector& x, long long index) {
  for (const auto& g : layout.groups) {
    Layout::set_category(x, g, static_cast<Eigen::Index>(index % g.width));
    index /= g.width;
  }
}

struct WorkItem {
  Eigen::Index start;     // row of the raw samples
  long long combination;  // -1: the start's own categories
};

struct WorkResult {
  Vector x;
  double value = kMinusInf;
  int evaluations = 0;
  std::exception_ptr error;
};

// The rows' values, split into one contiguous chunk per thread: each row's value depends
// on that row alone (the Acquisition contract), so the result does not depend on the
// thread count. A candidate-set acquisition draws one joint sample over all its rows and
// is called with threads = 1.
void evaluate_in_chunks(const Acquisition& acquisition, const Matrix& X, Vector& values,
                        int threads_option) {
  const int threads = threads_option > 0 ? threads_option : omp_get_max_threads();
  const Eigen::Index chunks = std::min<Eigen::Index>(threads, X.rows());
  if (chunks <= 1) {
    acquisition.evaluate(X, values);
    return;
  }
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(chunks));
#pragma omp parallel for schedule(static, 1) num_threads(threads)
  for (Eigen::Index c = 0; c < chunks; ++c) {
    const Eigen::Index begin = X.rows() * c / chunks;
    const Eigen::Index end = X.rows() * (c + 1) / chunks;
    try {
      acquisition.evaluate(X.middleRows(begin, end - begin), values.segment(begin, end - begin));
    } catch (...) {
      errors[static_cast<std::size_t>(c)] = std::current_exception();
    }
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace

AcquisitionOptimum optimize_acquisition(const Acquisition& acquisition, Eigen::Index dimension,
                                        const DiscreteStructure& structure, std::uint64_t seed,
                                        const AcquisitionOptimizerOptions& options,
                                        MatrixCRef anchors) {
  if (dimension < 1)
    throw InvalidArgument("dimension: got " + std::to_string(dimension) + ", expected >= 1");
  const Eigen::Index q = acquisition.batch_size();
  if (q < 1)
    throw InvalidArgument("acquisition.batch_size(): got " + std::to_string(q) + ", expected >= 1");
  if (const auto problems = options.validate(); !problems.empty()) {
    std::string message = "acquisition optimizer options: ";
    for (std::size_t i = 0; i < problems.size(); ++i) message += (i > 0 ? "; " : "") + problems[i];
    throw InvalidOptions(message);
  }
  const Eigen::Index auxiliary = acquisition.auxiliary_size();
  if (auxiliary < 0)
    throw InvalidArgument("acquisition.auxiliary_size(): got " + std::to_string(auxiliary) +
                          ", expected >= 0");
  const Layout layout = Layout::build(dimension, q, auxiliary, structure);
  const Eigen::Index n = layout.n;
  const Eigen::Index candidate_columns = q * dimension;

  if (anchors.rows() > 0 && anchors.cols() != dimension) {
    throw InvalidArgument("anchors: got " + std::to_string(anchors.cols()) +
                          " columns, expected the dimension " + std::to_string(dimension));
  }
  // Raw samples, projected onto the feasible set and scored in one batch. Near
  // convergence the acquisition's peak is a small region next to the best points,
  // which a space-filling design misses; samples around the anchors find it.
  // A candidate-set acquisition (random draws per point) is scored on its own number of
  // fresh points only: no anchors, no local search.
  const Eigen::Index candidate_set = acquisition.candidate_set();
  const Eigen::Index raw_count = candidate_set > 0 ? candidate_set : options.raw_samples;
  const Eigen::Index around =
      (anchors.rows() > 0 && q == 1 && candidate_set == 0) ? options.anchor_samples : 0;
  Matrix raw = Matrix::Zero(raw_count + around, n);
  raw.topLeftCorner(raw_count, candidate_columns) =
      sobol(raw_count, candidate_columns, derive_seed(seed, 0));
  if (around > 0) {
    Rng rng(derive_seed(seed, 2));
    constexpr double kScales[] = {0.1, 0.01, 0.001};
    for (Eigen::Index k = 0; k < around; ++k) {
      const Eigen::Index a = k % anchors.rows();
      const double scale = kScales[(k / anchors.rows()) % 3];
      for (Eigen::Index j = 0; j < dimension; ++j) {
        raw(raw_count + k, j) = std::clamp(anchors(a, j) + scale * rng.normal(), 0.0, 1.0);
      }
    }
  }
  for (Eigen::Index i = 0; i < raw.rows(); ++i) layout.project(raw.row(i).transpose());
  if (auxiliary > 0) {
    // The auxiliary coordinates of each raw sample are the acquisition's own start for
    // its candidates (one-shot KG: the best fantasy maximizers among known points).
    const auto rows = static_cast<long>(raw.rows());
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(rows));
    const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long i = 0; i < rows; ++i) {
      try {
        Vector row = raw.row(i).transpose();
        acquisition.complete_auxiliary(row);
        raw.row(i) = row.transpose().cwiseMax(0.0).cwiseMin(1.0);
      } catch (...) {
        errors[static_cast<std::size_t>(i)] = std::current_exception();
      }
    }
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
  }
  Vector raw_values(raw.rows());
  evaluate_in_chunks(acquisition, raw, raw_values, candidate_set > 0 ? 1 : options.threads);
  for (Eigen::Index i = 0; i < raw_values.size(); ++i) raw_values[i] = guarded(raw_values[i]);
  if (candidate_set > 0) {
    AcquisitionOptimum optimum;
    Eigen::Index best = 0;
    for (Eigen::Index i = 1; i < raw_values.size(); ++i) {
      if (raw_values[i] > raw_values[best]) best = i;
    }
    optimum.x = raw.row(best).head(candidate_columns).transpose();
    optimum.auxiliary = raw.row(best).tail(auxiliary).transpose();
    optimum.value = raw_values[best];
    optimum.evaluations = static_cast<int>(raw.rows());
    return optimum;
  }
  const std::vector<Eigen::Index> starts =
      choose_starts(raw_values, options.restarts, derive_seed(seed, 1));

  // Work items: every start with its own categories; when the combinations are few,
  // also the best starts under every other combination.
  std::vector<WorkItem> items;
  for (const Eigen::Index s : starts) items.push_back({s, -1});
  const long long combos = combinations(layout, options.max_enumeration);
  const bool enumerate = !layout.groups.empty() && combos <= options.max_enumeration;
  if (enumerate) {
    std::vector<Eigen::Index> best = starts;
    std::stable_sort(best.begin(), best.end(),
                     [&](Eigen::Index a, Eigen::Index b) { return raw_values[a] > raw_values[b]; });
    const std::size_t enumerated = std::min<std::size_t>(best.size(), kEnumeratedStarts);
    for (std::size_t b = 0; b < enumerated; ++b) {
      const Eigen::Index s = best[b];
      Vector own = raw.row(s).transpose();
      for (long long c = 0; c < combos; ++c) {
        Vector x = own;
        set_combination(layout, x, c);
        if (x != own) items.push_back({s, c});
      }
    }
  }

  std::vector<WorkResult> results(items.size());
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  const auto count = static_cast<long>(items.size());
#pragma omp parallel for schedule(static, 1) num_threads(threads)
  for (long i = 0; i < count; ++i) {
    WorkResult& result = results[static_cast<std::size_t>(i)];
    try {
      const WorkItem& item = items[static_cast<std::size_t>(i)];
      Evaluator evaluator(acquisition, n);
      Vector x = raw.row(item.start).transpose();
      if (item.combination >= 0) set_combination(layout, x, item.combination);
      double value = refine(layout, evaluator, x, options);
      if (!enumerate && !layout.groups.empty())
        value = coordinate_search(layout, evaluator, x, value, options);
      result.x = std::move(x);
      result.value = value;
      result.evaluations = evaluator.evaluations;
    } catch (...) {
      result.error = std::current_exception();
    }
  }

  AcquisitionOptimum optimum;
  optimum.evaluations = static_cast<int>(raw.rows());
  optimum.starts = static_cast<int>(items.size());
  std::size_t best = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].error) std::rethrow_exception(results[i].error);
    optimum.evaluations += results[i].evaluations;
    // Strict comparison in item order: ties go to the lowest index, whatever thread ran it.
    if (results[i].value > results[best].value) best = i;
  }
  optimum.x = results[best].x.head(candidate_columns);
  optimum.auxiliary = results[best].x.tail(auxiliary);
  optimum.value = results[best].value;
  return optimum;
}

}  // namespace prospect
