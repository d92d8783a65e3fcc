#include "prospect/surrogates/cqr/conformal_quantile_regression.hpp"

#include <omp.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numeric>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "surrogates/data_checks.hpp"

namespace prospect {

using detail::format_number;

const char* to_string(ConformalLevel level) {
  switch (level) {
    case ConformalLevel::finite_sample:
      return "finite_sample";
    case ConformalLevel::syne_tune:
      return "syne_tune";
  }
  return "unknown";
}

ConformalLevel conformal_level_from_string(const std::string& name) {
  if (name == "finite_sample") return ConformalLevel::finite_sample;
  if (name == "syne_tune") return ConformalLevel::syne_tune;
  throw InvalidArgument("conformal_level: got \"" + name +
                        "\", expected \"finite_sample\" or \"syne_tune\"");
}

std::vector<std::string> CQROptions::validate() const {
  std::vector<std::string> problems;
  const auto L = levels.size();
  if (L < 2) {
    problems.push_back("levels: got " + std::to_string(L) +
                       " levels, expected at least one symmetric pair (tau, 1 - tau)");
  }
  bool in_range = true;
  for (std::size_t k = 0; k < L; ++k) {
    if (!(levels[k] > 0.0 && levels[k] < 1.0)) {
      problems.push_back("levels[" + std::to_string(k) + "]: got " + format_number(levels[k]) +
                         ", expected a level strictly between 0 and 1");
      in_range = false;
    }
  }
  if (in_range) {
    for (std::size_t k = 1; k < L; ++k) {
      if (!(levels[k] > levels[k - 1])) {
        problems.push_back("levels[" + std::to_string(k) + "]: got " + format_number(levels[k]) +
                           " after " + format_number(levels[k - 1]) +
                           ", expected strictly increasing levels");
      }
    }
    for (std::size_t k = 0; k < L / 2; ++k) {
      const double lo = levels[k], hi = levels[L - 1 - k];
      if (std::abs(lo + hi - 1.0) > 1e-9) {
        problems.push_back("levels[" + std::to_string(k) + "] and levels[" +
                           std::to_string(L - 1 - k) + "]: got " + format_number(lo) + " and " +
                           format_number(hi) +
                           ", expected a symmetric pair (tau, 1 - tau) around 0.5");
      }
    }
    if (L % 2 == 1 && std::abs(levels[L / 2] - 0.5) > 1e-9) {
      problems.push_back("levels[" + std::to_string(L / 2) + "]: got " +
                         format_number(levels[L / 2]) +
                         ", expected 0.5 (the middle of an odd number of symmetric levels)");
    }
  }
  if (!(valid_fraction > 0.0 && valid_fraction < 1.0)) {
    problems.push_back("valid_fraction: got " + format_number(valid_fraction) +
                       ", expected a fraction in (0, 1)");
  }
  if (min_samples_to_conformalize < 1) {
    problems.push_back("min_samples_to_conformalize: got " +
                       std::to_string(min_samples_to_conformalize) + ", expected >= 1");
  }
  if (conformal_level != ConformalLevel::finite_sample &&
      conformal_level != ConformalLevel::syne_tune) {
    problems.push_back("conformal_level: got " + std::to_string(static_cast<int>(conformal_level)) +
                       ", expected finite_sample or syne_tune");
  }
  if (max_fit_samples < 0) {
    problems.push_back("max_fit_samples: got " + std::to_string(max_fit_samples) +
                       ", expected >= 0 (0: all data)");
  }
  for (const auto& p : boosting.validate()) problems.push_back("boosting." + p);
  if (threads < 0) {
    problems.push_back("threads: got " + std::to_string(threads) +
                       ", expected >= 0 (0: the OpenMP default)");
  }
  return problems;
}

ConformalQuantileRegression::ConformalQuantileRegression(CQROptions options)
    : options_(std::move(options)) {
  const auto problems = options_.validate();
  if (!problems.empty()) {
    std::string message = "CQROptions:";
    for (const auto& p : problems) message.append(" ").append(p).append(";");
    throw InvalidArgument(message);
  }
  corrections_.assign(options_.levels.size() / 2, 0.0);
}

std::unique_ptr<Surrogate> ConformalQuantileRegression::clone() const {
  return std::make_unique<ConformalQuantileRegression>(*this);
}

SurrogateCapabilities ConformalQuantileRegression::capabilities() const {
  SurrogateCapabilities c;
  c.quantiles = true;
  return c;
}

namespace {

// The first `count` entries of a uniform random permutation of 0..n-1 (partial
// Fisher-Yates), then the rest; each part sorted.
std::pair<std::vector<Eigen::Index>, std::vector<Eigen::Index>> random_split(Eigen::Index n,
                                                                             Eigen::Index count,
                                                                             Rng& rng) {
  std::vector<Eigen::Index> idx(static_cast<std::size_t>(n));
  std::iota(idx.begin(), idx.end(), Eigen::Index{0});
  for (Eigen::Index i = 0; i < count; ++i) {
    const auto j = i + static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(n - i)));
    std::swap(idx[static_cast<std::size_t>(i)], idx[static_cast<std::size_t>(j)]);
  }
  std::vector<Eigen::Index> first(idx.begin(), idx.begin() + count),
      rest(idx.begin() + count, idx.end());
  std::sort(first.begin(), first.end());
  std::sort(rest.begin(), rest.end());
  return {std::move(first), std::move(rest)};
}

Matrix rows_of(const Matrix& X, const std::vector<Eigen::Index>& idx) {
  Matrix out(static_cast<Eigen::Index>(idx.size()), X.cols());
  for (std::size_t i = 0; i < idx.size(); ++i)
    out.row(static_cast<Eigen::Index>(i)) = X.row(idx[i]);
  return out;
}

Vector entries_of(const Vector& v, const std::vector<Eigen::Index>& idx) {
  Vector out(static_cast<Eigen::Index>(idx.size()));
  for (std::size_t i = 0; i < idx.size(); ++i) out(static_cast<Eigen::Index>(i)) = v(idx[i]);
  return out;
}

double normal_score(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

// Column t of the level quantiles Q (m x L at `levels`), interpolated (see the header).
Vector at_level(const Matrix& Q, const std::vector<double>& levels, double t) {
  const auto L = static_cast<Eigen::Index>(levels.size());
  const auto it = std::lower_bound(levels.begin(), levels.end(), t);
  const auto k = static_cast<Eigen::Index>(it - levels.begin());
  if (k < L && levels[static_cast<std::size_t>(k)] == t) return Q.col(k);
  if (k == 0 || k == L) {
    // Linear in the normal score through the two outermost levels on this side.
    const Eigen::Index a = k == 0 ? 0 : L - 2, b = a + 1;
    const double za = normal_score(levels[static_cast<std::size_t>(a)]);
    const double zb = normal_score(levels[static_cast<std::size_t>(b)]);
    const double w = (normal_score(t) - za) / (zb - za);
    return Q.col(a) + w * (Q.col(b) - Q.col(a));
  }
  const double la = levels[static_cast<std::size_t>(k - 1)],
               lb = levels[static_cast<std::size_t>(k)];
  const double w = (t - la) / (lb - la);
  return Q.col(k - 1) + w * (Q.col(k) - Q.col(k - 1));
}

}  // namespace

void ConformalQuantileRegression::fit(const Dataset& data, std::uint64_t seed) {
  const char* who = "ConformalQuantileRegression::fit";
  const Eigen::Index n_all = data.X.rows();
  if (n_all < 1 || data.X.cols() < 1) {
    throw InvalidArgument(std::string(who) + ": data.X is " + std::to_string(n_all) + " x " +
                          std::to_string(data.X.cols()) +
                          ", expected at least 1 observation of dimension >= 1");
  }
  if (data.y.size() != n_all) {
    throw InvalidArgument(std::string(who) + ": data.y has " + std::to_string(data.y.size()) +
                          " values, expected one per row of data.X (" + std::to_string(n_all) +
                          ")");
  }
  detail::check_unit_cube(data.X, "data.X");
  detail::check_finite_vector(data.y, "data.y");

  Matrix X = data.X;
  Vector y = data.y;
  if (options_.max_fit_samples > 0 && n_all > options_.max_fit_samples) {
    Rng rng(derive_seed(seed, 0));
    const auto subset = random_split(n_all, options_.max_fit_samples, rng).first;
    X = rows_of(data.X, subset);
    y = entries_of(data.y, subset);
  }
  const Eigen::Index n = X.rows();
  const bool conformalize = n > options_.min_samples_to_conformalize;
  Matrix X_train, X_cal;
  Vector y_train, y_cal;
  if (conformalize) {
    const auto n_cal = std::clamp<Eigen::Index>(
        static_cast<Eigen::Index>(std::ceil(options_.valid_fraction * static_cast<double>(n))), 1,
        n - 1);
    Rng rng(derive_seed(seed, 1));
    const auto [cal, train] = random_split(n, n_cal, rng);
    X_cal = rows_of(X, cal);
    y_cal = entries_of(y, cal);
    X_train = rows_of(X, train);
    y_train = entries_of(y, train);
  } else {
    X_train = std::move(X);
    y_train = std::move(y);
  }

  const auto L = static_cast<int>(options_.levels.size());
  std::vector<QuantileBoosting> models;
  models.reserve(static_cast<std::size_t>(L));
  for (double level : options_.levels) models.emplace_back(level, options_.boosting);
  std::vector<std::string> errors(static_cast<std::size_t>(L));
  const int threads = options_.threads > 0 ? options_.threads : omp_get_max_threads();
#pragma omp parallel for schedule(static, 1) num_threads(threads)
  for (int k = 0; k < L; ++k) {
    try {
      models[static_cast<std::size_t>(k)].fit(X_train, y_train,
                                              derive_seed(seed, 2 + static_cast<std::uint64_t>(k)));
    } catch (const std::exception& e) {
      errors[static_cast<std::size_t>(k)] = e.what();
    }
  }
  for (const auto& e : errors) {
    if (!e.empty()) throw InvalidArgument(std::string(who) + ": " + e);
  }

  std::vector<double> corrections(static_cast<std::size_t>(L / 2), 0.0);
  if (conformalize) {
    const auto n_cal = static_cast<double>(y_cal.size());
    std::vector<double> scores(static_cast<std::size_t>(y_cal.size()));
    for (int p = 0; p < L / 2; ++p) {
      const auto lo_k = static_cast<std::size_t>(p), hi_k = static_cast<std::size_t>(L - 1 - p);
      const Vector q_lo = models[lo_k].predict(X_cal);
      const Vector q_hi = models[hi_k].predict(X_cal);
      for (Eigen::Index i = 0; i < y_cal.size(); ++i) {
        scores[static_cast<std::size_t>(i)] = std::max(q_lo(i) - y_cal(i), y_cal(i) - q_hi(i));
      }
      // As Syne Tune: 1 - alpha = 1 - 2 tau_lo.
      const double coverage = 1.0 - 2.0 * options_.levels[lo_k];
      const double level = options_.conformal_level == ConformalLevel::finite_sample
                               ? std::min(1.0, std::ceil(coverage * (n_cal + 1.0) - 1e-9) / n_cal)
                               : coverage / (1.0 + 1.0 / n_cal);
      corrections[lo_k] = linear_quantile(scores, std::min(level, 1.0));
    }
  }

  models_ = std::move(models);
  corrections_ = std::move(corrections);
  conformalized_ = conformalize;
  calibration_size_ = conformalize ? y_cal.size() : 0;
  dimension_ = data.X.cols();
  seed_ = seed;
}

void ConformalQuantileRegression::require_fitted(const char* caller, MatrixCRef X) const {
  if (!fitted()) {
    throw InvalidState(std::string("ConformalQuantileRegression::") + caller +
                       ": the model is not fitted; call fit() first");
  }
  if (X.cols() != dimension_) {
    throw InvalidArgument(std::string("ConformalQuantileRegression::") + caller + ": X has " +
                          std::to_string(X.cols()) + " columns, expected the fitted dimension " +
                          std::to_string(dimension_));
  }
  detail::check_unit_cube(X, "X");
}

Matrix ConformalQuantileRegression::level_quantiles(MatrixCRef X) const {
  require_fitted("level_quantiles", X);
  const auto L = static_cast<Eigen::Index>(models_.size());
  Matrix Q(X.rows(), L);
  for (Eigen::Index k = 0; k < L; ++k) {
    Q.col(k) = models_[static_cast<std::size_t>(k)].predict(X);
    if (k < L / 2) {
      Q.col(k).array() -= corrections_[static_cast<std::size_t>(k)];
    } else if (k >= L - L / 2) {
      Q.col(k).array() += corrections_[static_cast<std::size_t>(L - 1 - k)];
    }
  }
  if (options_.sort_quantiles) {
    std::vector<double> row(static_cast<std::size_t>(L));
    for (Eigen::Index i = 0; i < Q.rows(); ++i) {
      for (Eigen::Index k = 0; k < L; ++k) row[static_cast<std::size_t>(k)] = Q(i, k);
      std::sort(row.begin(), row.end());
      for (Eigen::Index k = 0; k < L; ++k) Q(i, k) = row[static_cast<std::size_t>(k)];
    }
  }
  return Q;
}

Matrix ConformalQuantileRegression::quantiles(MatrixCRef X, VectorCRef levels) const {
  check_quantile_levels(levels, "ConformalQuantileRegression::quantiles");
  const Matrix Q = level_quantiles(X);
  Matrix out(X.rows(), levels.size());
  for (Eigen::Index j = 0; j < levels.size(); ++j) {
    out.col(j) = at_level(Q, options_.levels, levels(j));
  }
  return out;
}

Predictive ConformalQuantileRegression::predict(MatrixCRef X) const {
  const Matrix Q = level_quantiles(X);
  Predictive p;
  p.mean = at_level(Q, options_.levels, 0.5);
  const double z = normal_score(options_.levels.back());
  const Eigen::Index L = Q.cols();
  p.variance = ((Q.col(L - 1) - Q.col(0)) / (2.0 * z)).array().square().matrix();
  p.noise_variance = Vector::Zero(X.rows());
  return p;
}

Vector ConformalQuantileRegression::state() const {
  if (!fitted()) return {};
  Vector s(2);
  s(0) = static_cast<double>(seed_ >> 32);
  s(1) = static_cast<double>(seed_ & 0xffffffffULL);
  return s;
}

void ConformalQuantileRegression::restore(const Dataset& data, VectorCRef state) {
  if (state.size() == 0) {
    fit(data, 0);
    return;
  }
  bool ok = state.size() == 2;
  for (Eigen::Index i = 0; ok && i < state.size(); ++i) {
    ok = state(i) >= 0.0 && state(i) <= 4294967295.0 && state(i) == std::floor(state(i));
  }
  if (!ok) {
    throw InvalidArgument("ConformalQuantileRegression::restore: state has " +
                          std::to_string(state.size()) +
                          " entries, expected the 2 halves of the fit's seed (integers in [0, "
                          "2^32))");
  }
  const auto hi = static_cast<std::uint64_t>(state(0));
  const auto lo = static_cast<std::uint64_t>(state(1));
  fit(data, (hi << 32) | lo);
}

}  // namespace prospect
