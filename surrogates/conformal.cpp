#include "prospect/surrogates/conformal.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "src/blas_threads.hpp"

namespace prospect {

namespace {

using Eigen::Index;
constexpr double kInf = std::numeric_limits<double>::infinity();

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void check_level(double level, const char* caller) {
  if (!(level > 0.0 && level < 1.0)) {
    throw InvalidArgument(std::string("ConformalIntervals::") + caller + ": level = " + num(level) +
                          ", expected a probability strictly between 0 and 1");
  }
}

// 1-based ranks of the order statistics. level * (n + 1) is computed in floating point, so
// an exact integer can come out a few ulps off (0.9 * 10 = 9.000000000000002); products
// within 1e-9 of an integer are taken as that integer, which could only misplace a level
// given with more than about nine significant decimals.
Index upper_rank(double level, Index n) {
  return static_cast<Index>(std::ceil(level * static_cast<double>(n + 1) - 1e-9));
}
Index lower_rank(double level, Index n) {
  return static_cast<Index>(std::floor((1.0 - level) * static_cast<double>(n + 1) + 1e-9));
}

// sqrt(variance + noise_variance), floored.
Vector predictive_sigma(const Predictive& p) {
  Vector v = p.variance.cwiseMax(0.0);
  if (p.noise_variance.size() == v.size()) v += p.noise_variance.cwiseMax(0.0);
  return v.cwiseSqrt().cwiseMax(kConformalSigmaFloor);
}

// What one model says at the rows of X for the score: the lower and upper centres and the
// scale the score multiplies (1 for absolute and quantile scores).
struct Bases {
  Vector lo, hi, scale;
};

Bases bases(const Surrogate& model, MatrixCRef X, ConformityScore score, double level) {
  Bases b;
  if (score == ConformityScore::quantile) {
    Vector levels(2);
    levels << 0.5 * (1.0 - level), 0.5 * (1.0 + level);
    const Matrix Q = model.quantiles(X, levels);
    b.lo = Q.col(0);
    b.hi = Q.col(1);
    b.scale = Vector::Ones(X.rows());
    return b;
  }
  const Predictive p = model.predict(X);
  b.lo = p.mean;
  b.hi = p.mean;
  b.scale = score == ConformityScore::normalized ? predictive_sigma(p) : Vector::Ones(X.rows());
  return b;
}

Matrix rows_of(MatrixCRef X, const std::vector<Index>& idx) {
  Matrix out(static_cast<Index>(idx.size()), X.cols());
  for (std::size_t r = 0; r < idx.size(); ++r) out.row(static_cast<Index>(r)) = X.row(idx[r]);
  return out;
}

Dataset subset(const Dataset& data, const std::vector<Index>& idx) {
  Dataset out;
  out.X = rows_of(data.X, idx);
  out.y.resize(static_cast<Index>(idx.size()));
  for (std::size_t r = 0; r < idx.size(); ++r) out.y(static_cast<Index>(r)) = data.y(idx[r]);
  if (data.noise_variance.size() > 0) {
    out.noise_variance.resize(out.y.size());
    for (std::size_t r = 0; r < idx.size(); ++r)
      out.noise_variance(static_cast<Index>(r)) = data.noise_variance(idx[r]);
  }
  return out;
}

// Scores of the calibration points, each under the model that did not see it.
Vector calibration_scores(const std::vector<std::unique_ptr<Surrogate>>& models,
                          const Matrix& cal_X, const Vector& cal_y,
                          const std::vector<Index>& cal_model, ConformityScore score,
                          double level) {
  Vector R(cal_y.size());
  std::vector<std::vector<Index>> members(models.size());
  for (std::size_t i = 0; i < cal_model.size(); ++i)
    members[static_cast<std::size_t>(cal_model[i])].push_back(static_cast<Index>(i));
  for (std::size_t k = 0; k < models.size(); ++k) {
    if (members[k].empty()) continue;
    const Bases b = bases(*models[k], rows_of(cal_X, members[k]), score, level);
    for (std::size_t r = 0; r < members[k].size(); ++r) {
      const Index i = members[k][r];
      const auto j = static_cast<Index>(r);
      const double y = cal_y(i);
      R(i) = score == ConformityScore::quantile ? std::max(b.lo(j) - y, y - b.hi(j))
                                                : std::abs(y - b.lo(j)) / b.scale(j);
    }
  }
  return R;
}

int thread_count(int requested) {
  return requested > 0 ? requested : omp_get_max_threads();
}

}  // namespace

const char* to_string(ConformalMethod method) {
  switch (method) {
    case ConformalMethod::split:
      return "split";
    case ConformalMethod::cv_plus:
      return "cv_plus";
    case ConformalMethod::jackknife_plus:
      return "jackknife_plus";
  }
  return "";
}

ConformalMethod conformal_method_from_string(const std::string& name) {
  if (name == "split") return ConformalMethod::split;
  if (name == "cv_plus" || name == "cv+") return ConformalMethod::cv_plus;
  if (name == "jackknife_plus" || name == "jackknife+") return ConformalMethod::jackknife_plus;
  throw InvalidArgument("conformal method: got \"" + name +
                        "\", expected split, cv_plus or jackknife_plus");
}

const char* to_string(ConformityScore score) {
  switch (score) {
    case ConformityScore::absolute:
      return "absolute";
    case ConformityScore::normalized:
      return "normalized";
    case ConformityScore::quantile:
      return "quantile";
  }
  return "";
}

ConformityScore conformity_score_from_string(const std::string& name) {
  if (name == "absolute") return ConformityScore::absolute;
  if (name == "normalized") return ConformityScore::normalized;
  if (name == "quantile") return ConformityScore::quantile;
  throw InvalidArgument("conformity score: got \"" + name +
                        "\", expected absolute, normalized or quantile");
}

std::vector<std::string> ConformalOptions::validate() const {
  std::vector<std::string> problems;
  if (!(calibration_fraction > 0.0 && calibration_fraction < 1.0)) {
    problems.push_back("calibration_fraction = " + num(calibration_fraction) +
                       ", expected a fraction strictly between 0 and 1");
  }
  if (folds < 2) {
    problems.push_back("folds = " + std::to_string(folds) + ", expected at least 2");
  }
  if (threads < 0) {
    problems.push_back("threads = " + std::to_string(threads) +
                       ", expected 0 (OpenMP's default) or a positive count");
  }
  return problems;
}

ConformalIntervals::ConformalIntervals(const Surrogate& prototype, ConformalOptions options)
    : options_(options) {
  const auto problems = options_.validate();
  if (!problems.empty()) {
    std::string msg = "ConformalOptions:";
    for (const auto& p : problems) msg += " " + p + ";";
    throw InvalidOptions(msg);
  }
  prototype_ = prototype.clone();
}

ConformalIntervals::ConformalIntervals(const ConformalIntervals& other)
    : prototype_(other.prototype_->clone()),
      options_(other.options_),
      cal_X_(other.cal_X_),
      cal_y_(other.cal_y_),
      cal_model_(other.cal_model_),
      scores_(other.scores_),
      dimension_(other.dimension_) {
  models_.reserve(other.models_.size());
  for (const auto& m : other.models_) models_.push_back(m->clone());
}

ConformalIntervals& ConformalIntervals::operator=(const ConformalIntervals& other) {
  if (this != &other) {
    ConformalIntervals copy(other);
    *this = std::move(copy);
  }
  return *this;
}

ConformalIntervals::~ConformalIntervals() = default;

void ConformalIntervals::fit(const Dataset& data, std::uint64_t seed) {
  const Index n = data.X.rows();
  if (n == 0 || data.X.cols() == 0) {
    throw InvalidArgument("ConformalIntervals::fit: data is empty (" + std::to_string(n) + " x " +
                          std::to_string(data.X.cols()) +
                          " inputs), expected at least one point of dimension >= 1");
  }
  if (data.y.size() != n) {
    throw InvalidArgument("ConformalIntervals::fit: data.y has size " +
                          std::to_string(data.y.size()) + ", expected " + std::to_string(n) +
                          " (the rows of data.X)");
  }
  if (data.noise_variance.size() != 0 && data.noise_variance.size() != n) {
    throw InvalidArgument("ConformalIntervals::fit: data.noise_variance has size " +
                          std::to_string(data.noise_variance.size()) + ", expected 0 or " +
                          std::to_string(n));
  }

  // A random order of the points: the split's calibration part is its head; the CV+
  // folds are its consecutive blocks.
  std::vector<Index> perm(static_cast<std::size_t>(n));
  std::iota(perm.begin(), perm.end(), Index{0});
  Rng rng(derive_seed(seed, 0));
  for (Index i = n - 1; i > 0; --i) {
    const auto j = static_cast<Index>(rng.below(static_cast<std::uint64_t>(i + 1)));
    std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(j)]);
  }

  // fold[i]: the model that does not see point i (-1: seen by every model).
  std::vector<Index> fold(static_cast<std::size_t>(n), -1);
  Index K = 1;
  switch (options_.method) {
    case ConformalMethod::split: {
      const auto n_cal =
          static_cast<Index>(std::llround(options_.calibration_fraction * static_cast<double>(n)));
      if (n_cal < 2) {
        throw InvalidArgument("ConformalIntervals::fit: calibration_fraction = " +
                              num(options_.calibration_fraction) + " of " + std::to_string(n) +
                              " points gives " + std::to_string(n_cal) +
                              " calibration points, expected at least 2");
      }
      if (n_cal >= n) {
        throw InvalidArgument("ConformalIntervals::fit: calibration_fraction = " +
                              num(options_.calibration_fraction) + " of " + std::to_string(n) +
                              " points leaves no point to fit the model on");
      }
      for (Index p = 0; p < n_cal; ++p) fold[static_cast<std::size_t>(perm[p])] = 0;
      break;
    }
    case ConformalMethod::cv_plus:
      K = options_.folds;
      if (n < K) {
        throw InvalidArgument("ConformalIntervals::fit: cv_plus with folds = " + std::to_string(K) +
                              " needs at least " + std::to_string(K) + " points, got " +
                              std::to_string(n));
      }
      for (Index p = 0; p < n; ++p) fold[static_cast<std::size_t>(perm[p])] = p * K / n;
      break;
    case ConformalMethod::jackknife_plus:
      if (n < 2) {
        throw InvalidArgument(
            "ConformalIntervals::fit: jackknife_plus needs at least 2 points, got " +
            std::to_string(n));
      }
      K = n;
      for (Index i = 0; i < n; ++i) fold[static_cast<std::size_t>(i)] = i;
      break;
  }

  // Training rows of each model (ascending, as in the data) and the calibration points.
  std::vector<std::vector<Index>> train(static_cast<std::size_t>(K));
  std::vector<Index> cal_rows;
  for (Index i = 0; i < n; ++i) {
    const Index f = fold[static_cast<std::size_t>(i)];
    if (f >= 0) cal_rows.push_back(i);
    for (Index k = 0; k < K; ++k) {
      if (options_.method == ConformalMethod::split ? f < 0 : f != k)
        train[static_cast<std::size_t>(k)].push_back(i);
    }
  }

  std::vector<std::unique_ptr<Surrogate>> models(static_cast<std::size_t>(K));
  for (auto& m : models) m = prototype_->clone();
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(K));
  // One BLAS thread for the whole parallel region: the models' own guards would otherwise
  // restore a multi-threaded BLAS while another fold still fits (rounding would then
  // depend on the timing).
  const detail::SingleThreadedBlas single_threaded_blas;
  const int threads =
      K > 1 ? std::min<int>(thread_count(options_.threads), static_cast<int>(K)) : 1;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (Index k = 0; k < K; ++k) {
    const auto u = static_cast<std::size_t>(k);
    try {
      models[u]->fit(subset(data, train[u]), derive_seed(seed, static_cast<std::uint64_t>(k + 1)));
    } catch (...) {
      errors[u] = std::current_exception();
    }
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);

  Matrix cal_X = rows_of(data.X, cal_rows);
  Vector cal_y(static_cast<Index>(cal_rows.size()));
  std::vector<Index> cal_model(cal_rows.size());
  for (std::size_t r = 0; r < cal_rows.size(); ++r) {
    cal_y(static_cast<Index>(r)) = data.y(cal_rows[r]);
    cal_model[r] = fold[static_cast<std::size_t>(cal_rows[r])];
  }
  Vector scores;
  if (options_.score != ConformityScore::quantile)
    scores = calibration_scores(models, cal_X, cal_y, cal_model, options_.score, 0.5);

  // Commit (nothing below throws).
  models_ = std::move(models);
  cal_X_ = std::move(cal_X);
  cal_y_ = std::move(cal_y);
  cal_model_ = std::move(cal_model);
  scores_ = std::move(scores);
  dimension_ = data.X.cols();
}

void ConformalIntervals::check_ready(double level, const char* caller) const {
  if (!fitted()) {
    throw InvalidState(std::string("ConformalIntervals::") + caller +
                       ": not fitted, call fit() first");
  }
  check_level(level, caller);
}

Vector ConformalIntervals::compute_scores(double level) const {
  if (options_.score != ConformityScore::quantile) return scores_;
  return calibration_scores(models_, cal_X_, cal_y_, cal_model_, options_.score, level);
}

Vector ConformalIntervals::scores(double level) const {
  check_ready(level, "scores");
  return compute_scores(level);
}

const Surrogate& ConformalIntervals::model(Eigen::Index k) const {
  if (k < 0 || k >= model_count()) {
    throw InvalidArgument("ConformalIntervals::model: k = " + std::to_string(k) +
                          ", expected an index in [0, " + std::to_string(model_count()) + ")");
  }
  return *models_[static_cast<std::size_t>(k)];
}

double ConformalIntervals::coverage_guarantee(double level) const {
  check_ready(level, "coverage_guarantee");
  const Index n = calibration_size();
  if (options_.method == ConformalMethod::split) {
    const Index k = upper_rank(level, n);
    return k > n ? 1.0 : static_cast<double>(k) / static_cast<double>(n + 1);
  }
  if (upper_rank(level, n) > n && lower_rank(level, n) < 1) return 1.0;
  const double alpha = 1.0 - level;
  double bound = 1.0 - 2.0 * alpha;
  if (options_.method == ConformalMethod::cv_plus) {
    const double K = static_cast<double>(model_count());
    const double nn = static_cast<double>(n);
    bound -= std::min(2.0 * (1.0 - 1.0 / K) / (nn / K + 1.0), (1.0 - K / nn) / (K + 1.0));
  }
  return std::max(bound, 0.0);
}

ConformalInterval ConformalIntervals::interval(MatrixCRef X, double level) const {
  check_ready(level, "interval");
  if (X.cols() != dimension_) {
    throw InvalidArgument("ConformalIntervals::interval: X has " + std::to_string(X.cols()) +
                          " columns, expected " + std::to_string(dimension_) +
                          " (the dimension of the fitted data)");
  }
  const Index m = X.rows();
  const Vector R = compute_scores(level);
  const Index n = R.size();
  const Index r_hi = upper_rank(level, n);  // 1-based; > n: +infinity
  const Index r_lo = lower_rank(level, n);  // 1-based; < 1: -infinity
  ConformalInterval out;
  out.lower.resize(m);
  out.upper.resize(m);

  if (options_.method == ConformalMethod::split) {
    double Q = kInf;
    if (r_hi <= n) {
      Vector sorted = R;
      std::nth_element(sorted.data(), sorted.data() + (r_hi - 1), sorted.data() + n);
      Q = sorted(r_hi - 1);
    }
    const Bases b = bases(*models_.front(), X, options_.score, level);
    if (std::isinf(Q)) {
      out.lower.setConstant(-kInf);
      out.upper.setConstant(kInf);
    } else {
      out.lower = b.lo - Q * b.scale;
      out.upper = b.hi + Q * b.scale;
    }
  } else {
    std::vector<Bases> b;
    b.reserve(models_.size());
    for (const auto& model : models_) b.push_back(bases(*model, X, options_.score, level));
    const int threads =
        std::min<int>(thread_count(options_.threads), static_cast<int>(std::max<Index>(m / 64, 1)));
#pragma omp parallel num_threads(threads)
    {
      std::vector<double> lo(static_cast<std::size_t>(n)), hi(static_cast<std::size_t>(n));
#pragma omp for schedule(static)
      for (Index j = 0; j < m; ++j) {
        for (Index i = 0; i < n; ++i) {
          const Bases& bk = b[static_cast<std::size_t>(cal_model_[static_cast<std::size_t>(i)])];
          const double half = R(i) * bk.scale(j);
          lo[static_cast<std::size_t>(i)] = bk.lo(j) - half;
          hi[static_cast<std::size_t>(i)] = bk.hi(j) + half;
        }
        if (r_lo < 1) {
          out.lower(j) = -kInf;
        } else {
          std::nth_element(lo.begin(), lo.begin() + (r_lo - 1), lo.end());
          out.lower(j) = lo[static_cast<std::size_t>(r_lo - 1)];
        }
        if (r_hi > n) {
          out.upper(j) = kInf;
        } else {
          std::nth_element(hi.begin(), hi.begin() + (r_hi - 1), hi.end());
          out.upper(j) = hi[static_cast<std::size_t>(r_hi - 1)];
        }
      }
    }
  }
  // An empty set (a negative quantile-score threshold, crossed quantiles, or CV+ ends that
  // cross) is returned as its midpoint: a superset, so coverage only grows.
  for (Index j = 0; j < m; ++j) {
    if (out.lower(j) > out.upper(j)) {
      const double mid = 0.5 * (out.lower(j) + out.upper(j));
      out.lower(j) = mid;
      out.upper(j) = mid;
    }
  }
  return out;
}

}  // namespace prospect
