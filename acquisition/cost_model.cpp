// Cost models: affine in the fidelity, a user's function, a GP on log cost.
#include "prospect/acquisition/cost_model.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"

namespace prospect::acquisition {

namespace {

using detail::format_number;

void check_point(VectorCRef x, Eigen::Index d, const char* who) {
  if (x.size() != d) {
    throw InvalidArgument(std::string(who) + ": x has " + std::to_string(x.size()) +
                          " entries, expected the dimension " + std::to_string(d));
  }
}

// The user's value of an affine term at the encoded coordinate u, and dv/du.
std::pair<double, double> term_value(const AffineTerm& t, double u) {
  if (t.log_scale) {
    const double span = std::log(t.upper) - std::log(t.lower);
    const double v = std::exp(std::log(t.lower) + u * span);
    return {v, v * span};
  }
  return {t.lower + u * (t.upper - t.lower), t.upper - t.lower};
}

}  // namespace

const char* to_string(const CostChoice& choice) {
  if (std::holds_alternative<AffineCost>(choice)) return "affine";
  if (std::holds_alternative<LearnedCost>(choice)) return "learned";
  return "user";
}

AffineCostModel::AffineCostModel(Eigen::Index dimension, double fixed,
                                 std::vector<AffineTerm> terms)
    : dimension_(dimension), fixed_(fixed), terms_(std::move(terms)) {
  if (!std::isfinite(fixed)) {
    throw InvalidArgument("AffineCost.fixed: got " + format_number(fixed) +
                          ", expected a finite number");
  }
  for (const auto& t : terms_) {
    if (t.column < 0 || t.column >= dimension) {
      throw InvalidArgument("affine cost: column " + std::to_string(t.column) + " is outside [0, " +
                            std::to_string(dimension) + ")");
    }
    if (!std::isfinite(t.weight)) {
      throw InvalidArgument("AffineCost.weights: got " + format_number(t.weight) +
                            ", expected finite weights");
    }
  }
  const double low = minimum();
  if (!(low > 0.0)) {
    throw InvalidArgument("AffineCost: the cost reaches " + format_number(low) +
                          " at the cheapest fidelity, expected a positive cost everywhere "
                          "(raise AffineCost::fixed)");
  }
}

double AffineCostModel::minimum() const {
  double low = fixed_;
  for (const auto& t : terms_) low += std::min(t.weight * t.lower, t.weight * t.upper);
  return low;
}

double AffineCostModel::cost(VectorCRef x, Vector* grad) const {
  check_point(x, dimension_, "affine cost");
  double c = fixed_;
  if (grad != nullptr) grad->setZero(dimension_);
  for (const auto& t : terms_) {
    const auto [v, dv] = term_value(t, x[t.column]);
    c += t.weight * v;
    if (grad != nullptr) (*grad)[t.column] += t.weight * dv;
  }
  return c;
}

FunctionCostModel::FunctionCostModel(Eigen::Index dimension,
                                     std::function<double(VectorCRef)> function)
    : dimension_(dimension), function_(std::move(function)) {
  if (dimension < 1) {
    throw InvalidArgument("function cost: dimension " + std::to_string(dimension) +
                          ", expected >= 1");
  }
  if (!function_) throw InvalidArgument("UserCost.cost: got an empty function, expected one");
}

double FunctionCostModel::cost(VectorCRef x, Vector* grad) const {
  check_point(x, dimension_, "function cost");
  const auto call = [&](VectorCRef u) {
    const double c = function_(u);
    if (!(std::isfinite(c) && c > 0.0)) {
      throw InvalidArgument("UserCost.cost: returned " + format_number(c) +
                            ", expected a positive finite cost");
    }
    return c;
  };
  const double c = call(x);
  if (grad == nullptr) return c;
  constexpr double h = 1e-4;
  grad->resize(dimension_);
  Vector u = x;
  for (Eigen::Index j = 0; j < dimension_; ++j) {
    const double lo = std::max(0.0, x[j] - h);
    const double hi = std::min(1.0, x[j] + h);
    u[j] = hi;
    const double c_hi = call(u);
    u[j] = lo;
    const double c_lo = call(u);
    u[j] = x[j];
    (*grad)[j] = (c_hi - c_lo) / (hi - lo);
  }
  return c;
}

LearnedCostModel::LearnedCostModel(std::shared_ptr<const Surrogate> log_cost)
    : log_cost_(std::move(log_cost)) {
  if (!log_cost_ || !log_cost_->fitted()) {
    throw InvalidArgument("learned cost: got a null or unfitted model of log cost");
  }
}

double LearnedCostModel::cost(VectorCRef x, Vector* grad) const {
  check_point(x, log_cost_->dimension(), "learned cost");
  if (grad == nullptr) {
    Matrix X(1, x.size());
    X.row(0) = x.transpose();
    return std::exp(log_cost_->predict(X).mean(0));
  }
  const PointPrediction p = log_cost_->predict_with_gradient(x);
  const double c = std::exp(p.mean);
  *grad = c * p.mean_gradient;
  return c;
}

}  // namespace prospect::acquisition
