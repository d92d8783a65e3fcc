#include "prospect/acquisition/quantile.hpp"

#include <boost/math/distributions/normal.hpp>
#include <cstring>
#include <string>

#include "acquisition/binding_checks.hpp"
#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/surrogate.hpp"

namespace prospect::acquisition {

using detail::check_rows;
using detail::fitted_model;

namespace {

// SplitMix64's finalizer: a well-mixed 64-bit hash step.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

QuantileThompsonSampling::QuantileThompsonSampling(QuantileThompson options)
    : options_(std::move(options)) {
  if (options_.candidates < 1) {
    throw InvalidArgument("quantile_ts candidates: got " + std::to_string(options_.candidates) +
                          ", expected at least 1 candidate per ask");
  }
  levels_ = Eigen::Map<const Vector>(options_.levels.data(),
                                     static_cast<Eigen::Index>(options_.levels.size()));
  check_quantile_levels(levels_, "quantile_ts levels");
}

std::unique_ptr<Acquisition> QuantileThompsonSampling::clone() const {
  return std::make_unique<QuantileThompsonSampling>(*this);
}

void QuantileThompsonSampling::prepare(const AcquisitionContext& context) {
  model_ = fitted_model(context, "quantile_ts");
  seed_ = context.seed;
}

Eigen::Index QuantileThompsonSampling::level_index(VectorCRef x) const {
  std::uint64_t h = mix(seed_ ^ 0x5851f42d4c957f2dULL);
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    std::uint64_t bits = 0;
    const double v = x(j) + 0.0;  // -0.0 and 0.0 hash alike
    std::memcpy(&bits, &v, sizeof bits);
    h = mix(h ^ bits);
  }
  return static_cast<Eigen::Index>(h % static_cast<std::uint64_t>(levels_.size()));
}

void QuantileThompsonSampling::evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const {
  check_rows(model_, X, values.size(), "quantile_ts", "evaluate");
  const Matrix Q = model_->quantiles(X, levels_);
  for (Eigen::Index i = 0; i < X.rows(); ++i) values(i) = Q(i, level_index(X.row(i).transpose()));
}

QuantileAcquisition::QuantileAcquisition(Quantile options) : options_(options) {
  if (!(options_.level > 0.0 && options_.level < 1.0)) {
    throw InvalidArgument("quantile level: got " + std::to_string(options_.level) +
                          ", expected a probability strictly between 0 and 1");
  }
  z_ = boost::math::quantile(boost::math::normal_distribution<double>(), options_.level);
}

std::unique_ptr<Acquisition> QuantileAcquisition::clone() const {
  return std::make_unique<QuantileAcquisition>(*this);
}

void QuantileAcquisition::prepare(const AcquisitionContext& context) {
  model_ = fitted_model(context, "quantile");
}

void QuantileAcquisition::evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const {
  check_rows(model_, X, values.size(), "quantile", "evaluate");
  if (model_->capabilities().quantiles) {
    Vector level(1);
    level(0) = options_.level;
    values = model_->quantiles(X, level).col(0);
    return;
  }
  const Predictive p = model_->predict(X);
  values = p.mean + z_ * p.variance.cwiseMax(0.0).cwiseSqrt();
}

bool QuantileAcquisition::has_gradient() const {
  if (model_ == nullptr) return false;
  const SurrogateCapabilities caps = model_->capabilities();
  return caps.input_gradients && !caps.quantiles;
}

double QuantileAcquisition::evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const {
  if (!has_gradient()) return Acquisition::evaluate_with_gradient(x, grad);
  const Matrix X = x.transpose();
  check_rows(model_, X, 1, "quantile", "evaluate_with_gradient");
  if (grad.size() != x.size()) {
    throw InvalidArgument("quantile evaluate_with_gradient(): grad has " +
                          std::to_string(grad.size()) + " entries, expected " +
                          std::to_string(x.size()));
  }
  const PointPrediction p = model_->predict_with_gradient(x);
  const double variance = std::max(p.variance, 0.0);
  const double sd = std::sqrt(variance);
  grad = p.mean_gradient;
  // d sd = d variance / (2 sd); where the variance is 0 its gradient is taken as 0.
  if (sd > 0.0) grad += (z_ / (2.0 * sd)) * p.variance_gradient;
  return p.mean + z_ * sd;
}

}  // namespace prospect::acquisition
