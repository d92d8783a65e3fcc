#include "prospect/acquisition/analytic.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>
#include <sstream>
#include <utility>

#include "acquisition/special_functions.hpp"
#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"

namespace prospect::acquisition {

namespace {

// The formulas, indexed like AnalyticOptions.
enum class Kind { log_ei = 0, ei = 1, ucb = 2, pi = 3, log_pi = 4 };
constexpr const char* kNames[] = {"logei", "ei", "ucb", "pi", "logpi"};
constexpr const char* kTypeNames[] = {"LogEI", "EI", "UCB", "PI", "LogPI"};

std::string number(double value) {
  return detail::format_number(value);
}

// The formulas for valid input. `parameter` is the incumbent (EI, LogEI, PI, LogPI)
// or beta (UCB). Everything is written for maximization in u; minimization turns the
// sign of u (so of d/dmean) and, for UCB, of the mean term.
AnalyticValue compute(Kind kind, double mean, double sd, double parameter, Direction direction) {
  const double sign = direction == Direction::maximize ? 1.0 : -1.0;
  const bool clamped = !(sd > kMinStddev);
  if (clamped) sd = kMinStddev;
  AnalyticValue out;
  if (kind == Kind::ucb) {
    const double root_beta = std::sqrt(parameter);
    out = {root_beta * sd + sign * mean, sign, root_beta};
  } else {
    const double u = sign * (mean - parameter) / sd;
    switch (kind) {
      case Kind::ei: {
        const double phi = special::normal_pdf(u);
        const double cdf = special::normal_cdf(u);
        // Rounding in phi + u Phi can leave a tiny negative number where h underflows.
        out = {sd * std::max(phi + u * cdf, 0.0), sign * cdf, phi};
        break;
      }
      case Kind::log_ei: {
        const special::Ratios r = special::log_h_ratios(u);
        out = {special::log_h(u) + std::log(sd), sign * r.rho1 / sd, r.rho2 / sd};
        break;
      }
      case Kind::pi: {
        const double phi = special::normal_pdf(u);
        out = {special::normal_cdf(u), sign * phi / sd, -u * phi / sd};
        break;
      }
      case Kind::log_pi: {
        const double lambda = special::inverse_mills_ratio(u);
        out = {special::log_ndtr(u), sign * lambda / sd, -u * lambda / sd};
        break;
      }
      case Kind::ucb:
        break;
    }
  }
  if (clamped) out.d_sd = 0.0;
  return out;
}

void check_mean_sd(const char* function, double mean, double sd) {
  if (!std::isfinite(mean)) {
    throw InvalidArgument(std::string(function) + ": mean is " + number(mean) +
                          ", expected a finite number");
  }
  if (!(sd >= 0.0) || std::isinf(sd)) {
    throw InvalidArgument(std::string(function) + ": sd is " + number(sd) +
                          ", expected a finite standard deviation >= 0");
  }
}

AnalyticValue checked_improvement(Kind kind, const char* function, double mean, double sd,
                                  double incumbent, Direction direction) {
  check_mean_sd(function, mean, sd);
  if (!std::isfinite(incumbent)) {
    throw InvalidArgument(std::string(function) + ": incumbent is " + number(incumbent) +
                          ", expected a finite number");
  }
  return compute(kind, mean, sd, incumbent, direction);
}

void check_direction(const char* what, Direction direction) {
  if (direction != Direction::minimize && direction != Direction::maximize) {
    throw InvalidArgument(std::string(what) + ".direction is " +
                          std::to_string(static_cast<int>(direction)) +
                          ", expected Direction::minimize or Direction::maximize");
  }
}

void check_beta(const char* what, double beta) {
  if (!(beta >= 0.0) || std::isinf(beta)) {
    throw InvalidArgument(std::string(what) + " is " + number(beta) +
                          ", expected a finite variance multiplier >= 0");
  }
}

Direction direction_of(const AnalyticOptions& options) {
  return std::visit([](const auto& o) { return o.direction; }, options);
}

}  // namespace

AnalyticValue expected_improvement(double mean, double sd, double incumbent, Direction direction) {
  return checked_improvement(Kind::ei, "expected_improvement", mean, sd, incumbent, direction);
}

AnalyticValue log_expected_improvement(double mean, double sd, double incumbent,
                                       Direction direction) {
  return checked_improvement(Kind::log_ei, "log_expected_improvement", mean, sd, incumbent,
                             direction);
}

AnalyticValue probability_of_improvement(double mean, double sd, double incumbent,
                                         Direction direction) {
  return checked_improvement(Kind::pi, "probability_of_improvement", mean, sd, incumbent,
                             direction);
}

AnalyticValue log_probability_of_improvement(double mean, double sd, double incumbent,
                                             Direction direction) {
  return checked_improvement(Kind::log_pi, "log_probability_of_improvement", mean, sd, incumbent,
                             direction);
}

AnalyticValue upper_confidence_bound(double mean, double sd, double beta, Direction direction) {
  check_mean_sd("upper_confidence_bound", mean, sd);
  check_beta("upper_confidence_bound: beta", beta);
  return compute(Kind::ucb, mean, sd, beta, direction);
}

// ---------------------------------------------------------------------------------------

AnalyticAcquisition::AnalyticAcquisition(AnalyticOptions options) : options_(options) {
  check_direction(kTypeNames[options_.index()], direction_of(options_));
  if (const UCB* ucb = std::get_if<UCB>(&options_)) {
    check_beta("UCB.beta", ucb->beta);
    if (!(ucb->delta > 0.0 && ucb->delta < 1.0)) {
      throw InvalidArgument("UCB.delta is " + number(ucb->delta) +
                            ", expected a confidence parameter strictly between 0 and 1");
    }
    beta_ = ucb->beta;
  }
}

std::unique_ptr<Acquisition> AnalyticAcquisition::clone() const {
  return std::make_unique<AnalyticAcquisition>(*this);
}

std::string AnalyticAcquisition::name() const {
  return kNames[options_.index()];
}

void AnalyticAcquisition::prepare(const AcquisitionContext& context) {
  const Surrogate* model = context.model;
  if (model == nullptr) {
    throw InvalidArgument(name() +
                          " prepare(): context.model is null, expected a fitted surrogate");
  }
  if (!model->fitted()) {
    throw InvalidArgument(name() + " prepare(): context.model (\"" + model->name() +
                          "\") is not fitted, expected a fitted surrogate");
  }
  if (context.iteration < 0) {
    throw InvalidArgument(name() + " prepare(): context.iteration is " +
                          std::to_string(context.iteration) + ", expected >= 0");
  }
  double beta = beta_;
  if (const UCB* ucb = std::get_if<UCB>(&options_)) {
    if (ucb->schedule) {
      // GP-UCB (Srinivas et al. 2010, Theorem 1) with t counted from 1.
      const double d = static_cast<double>(std::max<Eigen::Index>(model->dimension(), 1));
      const double t = static_cast<double>(std::max<Eigen::Index>(context.iteration, 1));
      beta = 2.0 * std::log(d * t * t * std::numbers::pi * std::numbers::pi / (6.0 * ucb->delta));
    }
  } else if (!std::isfinite(context.incumbent)) {
    throw InvalidArgument(name() + " prepare(): context.incumbent is " + number(context.incumbent) +
                          ", expected a finite best value");
  }
  model_ = model;
  incumbent_ = context.incumbent;
  beta_ = beta;
}

void AnalyticAcquisition::require_prepared(const char* caller) const {
  if (model_ == nullptr) {
    throw InvalidState(name() + " " + caller +
                       "(): the acquisition is not prepared; call "
                       "prepare() with a fitted model first");
  }
}

AnalyticValue AnalyticAcquisition::apply(double mean, double sd) const {
  const auto kind = static_cast<Kind>(options_.index());
  return compute(kind, mean, sd, kind == Kind::ucb ? beta_ : incumbent_, direction_of(options_));
}

void AnalyticAcquisition::evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const {
  require_prepared("evaluate");
  if (X.cols() != model_->dimension()) {
    throw InvalidArgument(name() + " evaluate(): X has " + std::to_string(X.cols()) +
                          " columns, expected the model dimension " +
                          std::to_string(model_->dimension()));
  }
  if (values.size() != X.rows()) {
    throw InvalidArgument(name() + " evaluate(): values has size " + std::to_string(values.size()) +
                          ", expected one per row of X (" + std::to_string(X.rows()) + ")");
  }
  if (X.rows() == 0) return;
  const Predictive p = model_->predict(X);
  if (p.mean.size() != X.rows() || p.variance.size() != X.rows()) {
    throw InvalidState(name() + " evaluate(): surrogate \"" + model_->name() + "\" returned " +
                       std::to_string(p.mean.size()) + " means and " +
                       std::to_string(p.variance.size()) + " variances for " +
                       std::to_string(X.rows()) + " rows");
  }
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    if (!std::isfinite(p.mean[i]) || !std::isfinite(p.variance[i])) {
      throw NumericalError(name() + " evaluate(): surrogate \"" + model_->name() +
                           "\" predicted mean " + number(p.mean[i]) + " and variance " +
                           number(p.variance[i]) + " at row " + std::to_string(i) +
                           ", expected finite numbers");
    }
    values[i] = apply(p.mean[i], std::sqrt(std::max(p.variance[i], 0.0))).value;
  }
}

bool AnalyticAcquisition::has_gradient() const {
  return model_ != nullptr && model_->capabilities().input_gradients;
}

double AnalyticAcquisition::evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const {
  require_prepared("evaluate_with_gradient");
  if (!has_gradient()) return Acquisition::evaluate_with_gradient(x, grad);
  const Eigen::Index d = model_->dimension();
  if (x.size() != d || grad.size() != d) {
    throw InvalidArgument(name() + " evaluate_with_gradient(): x has size " +
                          std::to_string(x.size()) + " and grad size " +
                          std::to_string(grad.size()) + ", expected the model dimension " +
                          std::to_string(d));
  }
  const PointPrediction p = model_->predict_with_gradient(x);
  if (!std::isfinite(p.mean) || !std::isfinite(p.variance) || p.mean_gradient.size() != d ||
      p.variance_gradient.size() != d || !p.mean_gradient.allFinite() ||
      !p.variance_gradient.allFinite()) {
    throw NumericalError(
        name() + " evaluate_with_gradient(): surrogate \"" + model_->name() + "\" predicted mean " +
        number(p.mean) + " and variance " + number(p.variance) +
        ", expected finite numbers and finite gradients of size " + std::to_string(d));
  }
  const double sd = std::sqrt(std::max(p.variance, 0.0));
  const AnalyticValue a = apply(p.mean, sd);
  grad = a.d_mean * p.mean_gradient;
  // d sd/dx = d var/dx / (2 sd); below the clamp sd is constant (a.d_sd is 0 there).
  if (sd > kMinStddev) grad += (a.d_sd / (2.0 * sd)) * p.variance_gradient;
  return a.value;
}

// ---------------------------------------------------------------------------------------

std::string analytic_name(const AnalyticOptions& options) {
  return kNames[options.index()];
}

}  // namespace prospect::acquisition
