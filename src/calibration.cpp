#include "prospect/metrics/calibration.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"
#include "prospect/surrogates/surrogate.hpp"

namespace prospect::metrics {

namespace {

using detail::format_number;
using Eigen::Index;

const boost::math::normal_distribution<double> kStdNormal{};

double norm_cdf(double z) {
  return boost::math::cdf(kStdNormal, z);
}
double norm_pdf(double z) {
  return boost::math::pdf(kStdNormal, z);
}
// Upper quantile Phi^-1(1 - q) as -Phi^-1(q): q = (1 - level) / 2 stays representable
// for levels so close to 1 that 0.5 + level / 2 would round to 1.
double upper_z(double level) {
  return -boost::math::quantile(kStdNormal, 0.5 * (1.0 - level));
}

[[noreturn]] void fail(const char* fn, const std::string& what, const std::string& expected) {
  throw InvalidArgument(std::string(fn) + ": " + what + "; expected " + expected);
}

void check_nonempty(const char* fn, const char* name, Index n) {
  if (n < 1) fail(fn, std::string(name) + " is empty", "at least one point");
}

void check_size(const char* fn, const char* name, Index got, Index want, const char* of) {
  if (got != want) {
    fail(fn, std::string(name) + " has size " + std::to_string(got),
         "size " + std::to_string(want) + " (that of " + of + ")");
  }
}

void check_shape(const char* fn, const char* name, MatrixCRef a, Index rows, Index cols,
                 const char* of) {
  if (a.rows() != rows || a.cols() != cols) {
    fail(fn,
         std::string(name) + " is " + std::to_string(a.rows()) + " x " + std::to_string(a.cols()),
         std::to_string(rows) + " x " + std::to_string(cols) + " (" + of + ")");
  }
}

enum class Need { finite, positive, nonnegative, probability };

const char* describe(Need need) {
  switch (need) {
    case Need::finite:
      return "a finite value";
    case Need::positive:
      return "a finite value > 0";
    case Need::nonnegative:
      return "a finite value >= 0";
    case Need::probability:
      return "a value in [0, 1]";
  }
  return "";
}

bool satisfies(double v, Need need) {
  switch (need) {
    case Need::finite:
      return std::isfinite(v);
    case Need::positive:
      return std::isfinite(v) && v > 0.0;
    case Need::nonnegative:
      return std::isfinite(v) && v >= 0.0;
    case Need::probability:
      return v >= 0.0 && v <= 1.0;
  }
  return false;
}

void check_values(const char* fn, const char* name, VectorCRef v, Need need) {
  for (Index i = 0; i < v.size(); ++i) {
    if (!satisfies(v[i], need)) {
      fail(fn, std::string(name) + "[" + std::to_string(i) + "] = " + format_number(v[i]),
           describe(need));
    }
  }
}

void check_matrix_values(const char* fn, const char* name, MatrixCRef a, Need need) {
  for (Index j = 0; j < a.cols(); ++j) {
    for (Index i = 0; i < a.rows(); ++i) {
      if (!satisfies(a(i, j), need)) {
        fail(fn,
             std::string(name) + "(" + std::to_string(i) + ", " + std::to_string(j) +
                 ") = " + format_number(a(i, j)),
             describe(need));
      }
    }
  }
}

void check_probability_open(const char* fn, const char* name, double p) {
  if (!(p > 0.0 && p < 1.0)) {
    fail(fn, std::string(name) + " = " + format_number(p), "a probability strictly in (0, 1)");
  }
}

void check_levels(const char* fn, const char* name, const std::vector<double>& levels) {
  for (std::size_t k = 0; k < levels.size(); ++k) {
    if (!(levels[k] > 0.0 && levels[k] < 1.0)) {
      fail(fn, std::string(name) + "[" + std::to_string(k) + "] = " + format_number(levels[k]),
           "a probability strictly in (0, 1)");
    }
  }
}

void check_gaussian(const char* fn, VectorCRef y, VectorCRef mean, VectorCRef variance) {
  check_nonempty(fn, "y", y.size());
  check_size(fn, "mean", mean.size(), y.size(), "y");
  check_size(fn, "variance", variance.size(), y.size(), "y");
  check_values(fn, "y", y, Need::finite);
  check_values(fn, "mean", mean, Need::finite);
  check_values(fn, "variance", variance, Need::positive);
}

void check_mixture_params(const char* fn, MatrixCRef means, MatrixCRef variances) {
  check_nonempty(fn, "means (rows)", means.rows());
  if (means.cols() < 1) fail(fn, "means has 0 columns", "at least one mixture component");
  check_shape(fn, "variances", variances, means.rows(), means.cols(), "the shape of means");
  check_matrix_values(fn, "means", means, Need::finite);
  check_matrix_values(fn, "variances", variances, Need::positive);
}

void check_mixture(const char* fn, VectorCRef y, MatrixCRef means, MatrixCRef variances) {
  check_nonempty(fn, "y", y.size());
  check_values(fn, "y", y, Need::finite);
  if (means.rows() != y.size()) {
    fail(fn, "means has " + std::to_string(means.rows()) + " rows",
         std::to_string(y.size()) + " (the size of y)");
  }
  check_mixture_params(fn, means, variances);
}

void check_interval(const char* fn, VectorCRef y, VectorCRef lower, VectorCRef upper) {
  check_nonempty(fn, "y", y.size());
  check_size(fn, "lower", lower.size(), y.size(), "y");
  check_size(fn, "upper", upper.size(), y.size(), "y");
  check_values(fn, "y", y, Need::finite);
  check_values(fn, "lower", lower, Need::finite);
  check_values(fn, "upper", upper, Need::finite);
  for (Index i = 0; i < y.size(); ++i) {
    if (lower[i] > upper[i]) {
      fail(fn,
           "lower[" + std::to_string(i) + "] = " + format_number(lower[i]) + " > upper[" +
               std::to_string(i) + "] = " + format_number(upper[i]),
           "lower <= upper");
    }
  }
}

void check_pit(const char* fn, VectorCRef pit) {
  check_nonempty(fn, "pit", pit.size());
  check_values(fn, "pit", pit, Need::probability);
}

void check_n_levels(const char* fn, int n_levels) {
  if (n_levels < 1) fail(fn, "n_levels = " + std::to_string(n_levels), "at least 1");
}

void check_quantiles(const char* fn, VectorCRef y, MatrixCRef quantiles,
                     const std::vector<double>& levels) {
  check_nonempty(fn, "y", y.size());
  check_nonempty(fn, "levels", static_cast<Index>(levels.size()));
  check_shape(fn, "quantiles", quantiles, y.size(), static_cast<Index>(levels.size()),
              "size of y x number of levels");
  check_values(fn, "y", y, Need::finite);
  check_matrix_values(fn, "quantiles", quantiles, Need::finite);
  check_levels(fn, "levels", levels);
}

// ---- unchecked kernels ------------------------------------------------------------

double gaussian_crps_one(double y, double mean, double variance) {
  const double sd = std::sqrt(variance);
  const double z = (y - mean) / sd;
  return sd *
         (z * (2.0 * norm_cdf(z) - 1.0) + 2.0 * norm_pdf(z) - 1.0 / std::sqrt(std::numbers::pi));
}

// E|X - d| for X ~ N(0, v): the building block of the mixture CRPS.
double crps_a(double d, double v) {
  const double s = std::sqrt(v + kMixtureCrpsEps);
  const double r = d / s;
  return d * (2.0 * norm_cdf(r) - 1.0) + 2.0 * s * norm_pdf(r);
}

// Mixture CDF from component means and standard deviations (not variances).
template <class Row>
double mixture_cdf_sd(double t, const Row& means, const std::vector<double>& sds) {
  double sum = 0.0;
  for (Index m = 0; m < means.size(); ++m) {
    sum += norm_cdf((t - means[m]) / sds[static_cast<std::size_t>(m)]);
  }
  return sum / static_cast<double>(means.size());
}

template <class Row>
std::vector<double> stddevs(const Row& variances) {
  std::vector<double> sds(static_cast<std::size_t>(variances.size()));
  for (Index m = 0; m < variances.size(); ++m) {
    sds[static_cast<std::size_t>(m)] = std::sqrt(variances[m]);
  }
  return sds;
}

template <class Row>
double mixture_cdf_unchecked(double t, const Row& means, const Row& variances) {
  return mixture_cdf_sd(t, means, stddevs(variances));
}

template <class Row>
double mixture_quantile_unchecked(double p, const Row& means, const Row& variances) {
  const std::vector<double> sds = stddevs(variances);
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  for (Index m = 0; m < means.size(); ++m) {
    lo = std::min(lo, means[m] - 10.0 * sds[static_cast<std::size_t>(m)]);
    hi = std::max(hi, means[m] + 10.0 * sds[static_cast<std::size_t>(m)]);
  }
  for (int it = 0; it < 60; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (mixture_cdf_sd(mid, means, sds) < p) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

// Empirical CDF of the sorted PIT values at alpha_j = (j - 1/2) / M, minus alpha_j.
std::vector<double> pit_deviations(VectorCRef pit, int n_levels) {
  std::vector<double> z(pit.data(), pit.data() + pit.size());
  std::sort(z.begin(), z.end());
  const double n = static_cast<double>(z.size());
  std::vector<double> dev(static_cast<std::size_t>(n_levels));
  for (int j = 0; j < n_levels; ++j) {
    const double alpha = (j + 0.5) / n_levels;
    const auto count = std::upper_bound(z.begin(), z.end(), alpha) - z.begin();
    dev[static_cast<std::size_t>(j)] = static_cast<double>(count) / n - alpha;
  }
  return dev;
}

std::string fmt(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

std::string percent_label(double level) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", 100.0 * level);
  return buffer;
}

}  // namespace

// ---- Gaussian -----------------------------------------------------------------------

Vector gaussian_nll_pointwise(VectorCRef y, VectorCRef mean, VectorCRef variance) {
  check_gaussian("gaussian_nll", y, mean, variance);
  Vector out(y.size());
  for (Index i = 0; i < y.size(); ++i) {
    const double r = y[i] - mean[i];
    out[i] = 0.5 * std::log(2.0 * std::numbers::pi * variance[i]) + r * r / (2.0 * variance[i]);
  }
  return out;
}

double gaussian_nll(VectorCRef y, VectorCRef mean, VectorCRef variance) {
  return gaussian_nll_pointwise(y, mean, variance).mean();
}

Vector gaussian_crps_pointwise(VectorCRef y, VectorCRef mean, VectorCRef variance) {
  check_gaussian("gaussian_crps", y, mean, variance);
  Vector out(y.size());
  for (Index i = 0; i < y.size(); ++i) out[i] = gaussian_crps_one(y[i], mean[i], variance[i]);
  return out;
}

double gaussian_crps(VectorCRef y, VectorCRef mean, VectorCRef variance) {
  return gaussian_crps_pointwise(y, mean, variance).mean();
}

Vector gaussian_pit(VectorCRef y, VectorCRef mean, VectorCRef variance) {
  check_gaussian("gaussian_pit", y, mean, variance);
  Vector out(y.size());
  for (Index i = 0; i < y.size(); ++i) out[i] = norm_cdf((y[i] - mean[i]) / std::sqrt(variance[i]));
  return out;
}

std::pair<Vector, Vector> gaussian_interval(double level, VectorCRef mean, VectorCRef variance) {
  const char* fn = "gaussian_interval";
  check_probability_open(fn, "level", level);
  check_nonempty(fn, "mean", mean.size());
  check_size(fn, "variance", variance.size(), mean.size(), "mean");
  check_values(fn, "mean", mean, Need::finite);
  check_values(fn, "variance", variance, Need::positive);
  const Vector half = upper_z(level) * variance.cwiseSqrt();
  return {mean - half, mean + half};
}

// ---- mixtures -----------------------------------------------------------------------

Vector mixture_nll_pointwise(VectorCRef y, MatrixCRef means, MatrixCRef variances) {
  check_mixture("mixture_nll", y, means, variances);
  const Index n = y.size(), m_count = means.cols();
  const double log_m = std::log(static_cast<double>(m_count));
  Vector out(n);
  std::vector<double> terms(static_cast<std::size_t>(m_count));
  for (Index i = 0; i < n; ++i) {
    double top = -std::numeric_limits<double>::infinity();
    for (Index m = 0; m < m_count; ++m) {
      const double r = y[i] - means(i, m), v = variances(i, m);
      const double t = -0.5 * std::log(2.0 * std::numbers::pi * v) - r * r / (2.0 * v);
      terms[static_cast<std::size_t>(m)] = t;
      top = std::max(top, t);
    }
    double sum = 0.0;
    for (double t : terms) sum += std::exp(t - top);
    out[i] = -(top + std::log(sum) - log_m);
  }
  return out;
}

double mixture_nll(VectorCRef y, MatrixCRef means, MatrixCRef variances) {
  return mixture_nll_pointwise(y, means, variances).mean();
}

Vector mixture_crps_pointwise(VectorCRef y, MatrixCRef means, MatrixCRef variances) {
  check_mixture("mixture_crps", y, means, variances);
  const Index n = y.size(), m_count = means.cols();
  const double w = 1.0 / static_cast<double>(m_count);
  Vector out(n);
  for (Index i = 0; i < n; ++i) {
    double fit = 0.0;
    for (Index m = 0; m < m_count; ++m) fit += crps_a(y[i] - means(i, m), variances(i, m));
    // Spread term: the (m, m') sum is symmetric, so the diagonal plus twice the upper part.
    double spread = 0.0;
    for (Index m = 0; m < m_count; ++m) {
      spread += crps_a(0.0, 2.0 * variances(i, m));
      for (Index k = m + 1; k < m_count; ++k) {
        spread += 2.0 * crps_a(means(i, m) - means(i, k), variances(i, m) + variances(i, k));
      }
    }
    out[i] = w * fit - 0.5 * w * w * spread;
  }
  return out;
}

double mixture_crps(VectorCRef y, MatrixCRef means, MatrixCRef variances) {
  return mixture_crps_pointwise(y, means, variances).mean();
}

double mixture_cdf(double t, VectorCRef means, VectorCRef variances) {
  const char* fn = "mixture_cdf";
  if (!std::isfinite(t)) fail(fn, "t = " + format_number(t), "a finite value");
  check_nonempty(fn, "means", means.size());
  check_size(fn, "variances", variances.size(), means.size(), "means");
  check_values(fn, "means", means, Need::finite);
  check_values(fn, "variances", variances, Need::positive);
  return mixture_cdf_unchecked(t, means, variances);
}

double mixture_quantile(double p, VectorCRef means, VectorCRef variances) {
  const char* fn = "mixture_quantile";
  check_probability_open(fn, "p", p);
  check_nonempty(fn, "means", means.size());
  check_size(fn, "variances", variances.size(), means.size(), "means");
  check_values(fn, "means", means, Need::finite);
  check_values(fn, "variances", variances, Need::positive);
  return mixture_quantile_unchecked(p, means, variances);
}

Vector mixture_pit(VectorCRef y, MatrixCRef means, MatrixCRef variances) {
  check_mixture("mixture_pit", y, means, variances);
  Vector out(y.size());
  for (Index i = 0; i < y.size(); ++i) {
    out[i] = mixture_cdf_unchecked(y[i], means.row(i), variances.row(i));
  }
  return out;
}

std::pair<Vector, Vector> mixture_interval(double level, MatrixCRef means, MatrixCRef variances) {
  const char* fn = "mixture_interval";
  check_probability_open(fn, "level", level);
  check_mixture_params(fn, means, variances);
  const double tail = 0.5 * (1.0 - level);
  Vector lower(means.rows()), upper(means.rows());
  for (Index i = 0; i < means.rows(); ++i) {
    lower[i] = mixture_quantile_unchecked(tail, means.row(i), variances.row(i));
    upper[i] = mixture_quantile_unchecked(1.0 - tail, means.row(i), variances.row(i));
  }
  return {lower, upper};
}

Vector mixture_mean(MatrixCRef means) {
  const char* fn = "mixture_mean";
  check_nonempty(fn, "means (rows)", means.rows());
  if (means.cols() < 1) fail(fn, "means has 0 columns", "at least one mixture component");
  check_matrix_values(fn, "means", means, Need::finite);
  return means.rowwise().mean();
}

Vector mixture_variance(MatrixCRef means, MatrixCRef variances) {
  check_mixture_params("mixture_variance", means, variances);
  const Vector mu = means.rowwise().mean();
  const Vector spread = (means.colwise() - mu).array().square().matrix().rowwise().mean();
  return variances.rowwise().mean() + spread;
}

// ---- samples ------------------------------------------------------------------------

Vector sample_crps_pointwise(VectorCRef y, MatrixCRef samples) {
  const char* fn = "sample_crps";
  check_nonempty(fn, "y", y.size());
  check_values(fn, "y", y, Need::finite);
  if (samples.rows() != y.size()) {
    fail(fn, "samples has " + std::to_string(samples.rows()) + " rows",
         std::to_string(y.size()) + " (the size of y)");
  }
  if (samples.cols() < 1) fail(fn, "samples has 0 columns", "at least one draw per point");
  check_matrix_values(fn, "samples", samples, Need::finite);
  const Index s_count = samples.cols();
  const double s = static_cast<double>(s_count);
  Vector out(y.size());
  std::vector<double> d(static_cast<std::size_t>(s_count));
  for (Index i = 0; i < y.size(); ++i) {
    // Centre on y: both terms are shift-invariant, and small numbers cancel less.
    for (Index k = 0; k < s_count; ++k) d[static_cast<std::size_t>(k)] = samples(i, k) - y[i];
    std::sort(d.begin(), d.end());
    double fit = 0.0, spread = 0.0;
    for (Index k = 0; k < s_count; ++k) {
      const double v = d[static_cast<std::size_t>(k)];
      fit += std::abs(v);
      spread += (2.0 * static_cast<double>(k + 1) - s - 1.0) * v;
    }
    out[i] = fit / s - spread / (s * s);
  }
  return out;
}

double sample_crps(VectorCRef y, MatrixCRef samples) {
  return sample_crps_pointwise(y, samples).mean();
}

// ---- quantiles ----------------------------------------------------------------------

std::vector<double> default_quantile_levels() {
  std::vector<double> levels;
  for (int k = 1; k <= 19; ++k) levels.push_back(0.05 * k);
  return levels;
}

double pinball_loss(VectorCRef y, VectorCRef quantile, double tau) {
  const char* fn = "pinball_loss";
  check_probability_open(fn, "tau", tau);
  check_nonempty(fn, "y", y.size());
  check_size(fn, "quantile", quantile.size(), y.size(), "y");
  check_values(fn, "y", y, Need::finite);
  check_values(fn, "quantile", quantile, Need::finite);
  double sum = 0.0;
  for (Index i = 0; i < y.size(); ++i) {
    const double u = y[i] - quantile[i];
    sum += std::max(tau * u, (tau - 1.0) * u);
  }
  return sum / static_cast<double>(y.size());
}

Vector quantile_frequencies(VectorCRef y, MatrixCRef quantiles, const std::vector<double>& levels) {
  check_quantiles("quantile_frequencies", y, quantiles, levels);
  Vector out(quantiles.cols());
  for (Index k = 0; k < quantiles.cols(); ++k) {
    Index count = 0;
    for (Index i = 0; i < y.size(); ++i) count += y[i] <= quantiles(i, k) ? 1 : 0;
    out[k] = static_cast<double>(count) / static_cast<double>(y.size());
  }
  return out;
}

double quantile_calibration_error(VectorCRef y, MatrixCRef quantiles,
                                  const std::vector<double>& levels) {
  check_quantiles("quantile_calibration_error", y, quantiles, levels);
  const Vector p = quantile_frequencies(y, quantiles, levels);
  double sum = 0.0;
  for (Index k = 0; k < p.size(); ++k) sum += std::abs(p[k] - levels[static_cast<std::size_t>(k)]);
  return sum / static_cast<double>(p.size());
}

double quantile_crps(VectorCRef y, MatrixCRef quantiles, const std::vector<double>& levels) {
  check_quantiles("quantile_crps", y, quantiles, levels);
  double sum = 0.0;
  for (Index k = 0; k < quantiles.cols(); ++k) {
    sum += pinball_loss(y, quantiles.col(k), levels[static_cast<std::size_t>(k)]);
  }
  return 2.0 * sum / static_cast<double>(quantiles.cols());
}

// ---- PIT-based calibration ----------------------------------------------------------

double pce(VectorCRef pit, int n_levels) {
  check_pit("pce", pit);
  check_n_levels("pce", n_levels);
  double sum = 0.0;
  for (double d : pit_deviations(pit, n_levels)) sum += std::abs(d);
  return sum / n_levels;
}

double pce_sorted(VectorCRef pit) {
  check_pit("pce_sorted", pit);
  std::vector<double> z(pit.data(), pit.data() + pit.size());
  std::sort(z.begin(), z.end());
  const double n = static_cast<double>(z.size());
  double sum = 0.0;
  for (std::size_t i = 0; i < z.size(); ++i) {
    sum += std::abs(z[i] - static_cast<double>(i + 1) / (n + 1.0));
  }
  return sum / n;
}

double pce_l2(VectorCRef pit, int n_levels) {
  check_pit("pce_l2", pit);
  check_n_levels("pce_l2", n_levels);
  double sum = 0.0;
  for (double d : pit_deviations(pit, n_levels)) sum += d * d;
  return sum / n_levels;
}

// ---- intervals, point errors, sharpness ---------------------------------------------

double central_coverage(VectorCRef y, VectorCRef lower, VectorCRef upper) {
  check_interval("central_coverage", y, lower, upper);
  Index inside = 0;
  for (Index i = 0; i < y.size(); ++i) inside += (lower[i] <= y[i] && y[i] <= upper[i]) ? 1 : 0;
  return static_cast<double>(inside) / static_cast<double>(y.size());
}

double interval_score(double alpha, VectorCRef y, VectorCRef lower, VectorCRef upper) {
  check_probability_open("interval_score", "alpha", alpha);
  check_interval("interval_score", y, lower, upper);
  double sum = 0.0;
  for (Index i = 0; i < y.size(); ++i) {
    double s = upper[i] - lower[i];
    if (y[i] < lower[i]) s += 2.0 / alpha * (lower[i] - y[i]);
    if (y[i] > upper[i]) s += 2.0 / alpha * (y[i] - upper[i]);
    sum += s;
  }
  return sum / static_cast<double>(y.size());
}

double mean_width(VectorCRef lower, VectorCRef upper) {
  const char* fn = "mean_width";
  check_nonempty(fn, "lower", lower.size());
  check_size(fn, "upper", upper.size(), lower.size(), "lower");
  check_values(fn, "lower", lower, Need::finite);
  check_values(fn, "upper", upper, Need::finite);
  for (Index i = 0; i < lower.size(); ++i) {
    if (lower[i] > upper[i]) {
      fail(fn,
           "lower[" + std::to_string(i) + "] = " + format_number(lower[i]) + " > upper[" +
               std::to_string(i) + "] = " + format_number(upper[i]),
           "lower <= upper");
    }
  }
  return (upper - lower).mean();
}

double mean_stddev(VectorCRef variance) {
  check_nonempty("mean_stddev", "variance", variance.size());
  check_values("mean_stddev", "variance", variance, Need::positive);
  return variance.cwiseSqrt().mean();
}

double rmse(VectorCRef y, VectorCRef prediction) {
  check_nonempty("rmse", "y", y.size());
  check_size("rmse", "prediction", prediction.size(), y.size(), "y");
  check_values("rmse", "y", y, Need::finite);
  check_values("rmse", "prediction", prediction, Need::finite);
  return std::sqrt((y - prediction).squaredNorm() / static_cast<double>(y.size()));
}

double mae(VectorCRef y, VectorCRef prediction) {
  check_nonempty("mae", "y", y.size());
  check_size("mae", "prediction", prediction.size(), y.size(), "y");
  check_values("mae", "y", y, Need::finite);
  check_values("mae", "prediction", prediction, Need::finite);
  return (y - prediction).cwiseAbs().mean();
}

// ---- report -------------------------------------------------------------------------

std::string CalibrationReport::summary() const {
  std::string s = "n=" + std::to_string(n) + " nll=" + fmt(nll) + " crps=" + fmt(crps) +
                  " pce=" + fmt(pce) + " rmse=" + fmt(rmse) + " mean_std=" + fmt(mean_std);
  for (const auto& c : coverage) s += " cov" + percent_label(c.nominal) + "=" + fmt(c.empirical);
  return s;
}

std::string CalibrationReport::full_report() const {
  std::string s;
  s += "points            " + std::to_string(n) + "\n";
  s += "NLL (nats/point)  " + fmt(nll) + "\n";
  s += "CRPS              " + fmt(crps) + "\n";
  s += "PCE (L1, 100 lv)  " + fmt(pce) + "\n";
  s += "PCE (sorted)      " + fmt(pce_sorted) + "\n";
  s += "PCE (L2, ECE)     " + fmt(pce_l2) + "\n";
  s += "RMSE              " + fmt(rmse) + "\n";
  s += "MAE               " + fmt(mae) + "\n";
  s += "mean std          " + fmt(mean_std) + "\n";
  if (!coverage.empty()) {
    s += "level  coverage  mean width  interval score\n";
    for (const auto& c : coverage) {
      char line[128];
      std::snprintf(line, sizeof line, "%5s%%  %8.4f  %10.4g  %14.4g\n",
                    percent_label(c.nominal).c_str(), c.empirical, c.mean_width, c.interval_score);
      s += line;
    }
  }
  return s;
}

CalibrationReport evaluate_calibration(const Predictive& predictive, VectorCRef y,
                                       bool include_noise, std::vector<double> levels) {
  const char* fn = "evaluate_calibration";
  check_nonempty(fn, "y", y.size());
  check_size(fn, "predictive.mean", predictive.mean.size(), y.size(), "y");
  check_size(fn, "predictive.variance", predictive.variance.size(), y.size(), "y");
  check_values(fn, "y", y, Need::finite);
  check_values(fn, "predictive.mean", predictive.mean, Need::finite);
  check_levels(fn, "levels", levels);
  Vector variance = predictive.variance;
  if (include_noise && predictive.noise_variance.size() != 0) {
    check_size(fn, "predictive.noise_variance", predictive.noise_variance.size(), y.size(),
               "y; or empty");
    check_values(fn, "predictive.noise_variance", predictive.noise_variance, Need::nonnegative);
    variance += predictive.noise_variance;
    check_values(fn, "predictive.variance + predictive.noise_variance", variance, Need::positive);
  } else {
    check_values(fn, "predictive.variance", variance, Need::positive);
  }
  const Vector& mean = predictive.mean;

  CalibrationReport r;
  r.n = static_cast<std::size_t>(y.size());
  r.nll = gaussian_nll(y, mean, variance);
  r.crps = gaussian_crps(y, mean, variance);
  const Vector pit = gaussian_pit(y, mean, variance);
  r.pce = metrics::pce(pit);
  r.pce_sorted = metrics::pce_sorted(pit);
  r.pce_l2 = metrics::pce_l2(pit);
  r.rmse = metrics::rmse(y, mean);
  r.mae = metrics::mae(y, mean);
  r.mean_std = mean_stddev(variance);
  for (double level : levels) {
    const auto [lower, upper] = gaussian_interval(level, mean, variance);
    r.coverage.push_back({level, central_coverage(y, lower, upper), mean_width(lower, upper),
                          interval_score(1.0 - level, y, lower, upper)});
  }
  return r;
}

CalibrationReport evaluate_calibration(MatrixCRef means, MatrixCRef variances, VectorCRef y,
                                       std::vector<double> levels) {
  const char* fn = "evaluate_calibration";
  check_mixture(fn, y, means, variances);
  check_levels(fn, "levels", levels);
  CalibrationReport r;
  r.n = static_cast<std::size_t>(y.size());
  r.nll = mixture_nll(y, means, variances);
  r.crps = mixture_crps(y, means, variances);
  const Vector pit = mixture_pit(y, means, variances);
  r.pce = metrics::pce(pit);
  r.pce_sorted = metrics::pce_sorted(pit);
  r.pce_l2 = metrics::pce_l2(pit);
  const Vector mean = mixture_mean(means);
  r.rmse = metrics::rmse(y, mean);
  r.mae = metrics::mae(y, mean);
  r.mean_std = mean_stddev(mixture_variance(means, variances));
  for (double level : levels) {
    const auto [lower, upper] = mixture_interval(level, means, variances);
    r.coverage.push_back({level, central_coverage(y, lower, upper), mean_width(lower, upper),
                          interval_score(1.0 - level, y, lower, upper)});
  }
  return r;
}

}  // namespace prospect::metrics
