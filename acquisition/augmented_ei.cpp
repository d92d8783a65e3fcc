#include "prospect/acquisition/augmented_ei.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "acquisition/special_functions.hpp"
#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"

namespace prospect::acquisition {

namespace {

constexpr double kMinVariance = 1e-12;  // BoTorch's min_var, as the analytic acquisitions
constexpr double kMinCorrelation = 1e-12;

std::string count(Eigen::Index v) {
  return std::to_string(v);
}

}  // namespace

AugmentedExpectedImprovement::AugmentedExpectedImprovement(AugmentedEI options)
    : options_(options) {
  if (!(std::isfinite(options.c) && options.c >= 0.0)) {
    throw InvalidArgument("AugmentedEI.c: got " + detail::format_number(options.c) +
                          ", expected a finite number >= 0");
  }
}

std::unique_ptr<Acquisition> AugmentedExpectedImprovement::clone() const {
  return std::make_unique<AugmentedExpectedImprovement>(*this);
}

void AugmentedExpectedImprovement::prepare(const AcquisitionContext& context) {
  const Surrogate* model = context.model;
  if (model == nullptr || !model->fitted()) {
    throw InvalidArgument("aei prepare: context.model is null or not fitted");
  }
  if (!model->capabilities().joint_posterior) {
    throw InvalidArgument("aei prepare: the model (\"" + model->name() +
                          "\") has no joint posterior; AEI needs the correlation between "
                          "fidelities");
  }
  const Eigen::Index d = model->dimension();
  const Vector& target = context.target_fidelity;
  if (target.size() < 1 || target.size() >= d || !target.allFinite()) {
    throw InvalidArgument("aei prepare: context.target_fidelity has " + count(target.size()) +
                          " entries, expected the targets of 1 to d - 1 = " + count(d - 1) +
                          " fidelity columns (a space with add_fidelity)");
  }
  if (context.data == nullptr || context.data->X.rows() < 1 || context.data->X.cols() != d) {
    throw InvalidArgument("aei prepare: context.data is missing, empty or not " + count(d) +
                          " columns wide; AEI needs the observed designs");
  }
  Matrix T = context.data->X;
  const Eigen::Index m = target.size();
  for (Eigen::Index k = 0; k < m; ++k) T.col(d - m + k).setConstant(target[k]);
  const Predictive p = model->predict(T);
  Eigen::Index best = 0;
  double best_score = -std::numeric_limits<double>::infinity();
  for (Eigen::Index i = 0; i < T.rows(); ++i) {
    const double score = p.mean[i] - options_.c * std::sqrt(std::max(p.variance[i], 0.0));
    if (score > best_score) {
      best_score = score;
      best = i;
    }
  }
  const double noise = model->noise_variance();
  if (!(std::isfinite(noise) && noise >= 0.0)) {
    throw InvalidArgument("aei prepare: the model's noise variance is " +
                          detail::format_number(noise) + ", expected finite and >= 0");
  }
  model_ = model;
  target_ = target;
  cost_ = context.cost;
  incumbent_ = p.mean[best];
  noise_ = noise;
}

bool AugmentedExpectedImprovement::has_gradient() const {
  return model_ != nullptr && model_->capabilities().joint_gradients;
}

void AugmentedExpectedImprovement::check(VectorCRef z, const char* caller) const {
  if (model_ == nullptr) {
    throw InvalidState(std::string("aei ") + caller + ": call prepare() first");
  }
  if (z.size() != model_->dimension()) {
    throw InvalidArgument(std::string("aei ") + caller + ": a point has " + count(z.size()) +
                          " entries, expected " + count(model_->dimension()));
  }
  if (!z.allFinite()) {
    throw InvalidArgument(std::string("aei ") + caller + ": a point holds non-finite entries");
  }
}

double AugmentedExpectedImprovement::compute(VectorCRef z, Vector* grad) const {
  const Eigen::Index d = z.size();
  const Eigen::Index m = target_.size();
  Matrix R(2, d);
  R.row(0) = z.transpose();
  R.row(0).tail(m) = target_.transpose();  // t = (x, target)
  R.row(1) = z.transpose();
  const JointPosterior jp = model_->joint_posterior(R);
  const double v_t = std::max(jp.covariance(0, 0), kMinVariance);
  const double v_z = std::max(jp.covariance(1, 1), kMinVariance);
  const double c_tz = 0.5 * (jp.covariance(0, 1) + jp.covariance(1, 0));
  const double sd_t = std::sqrt(v_t);
  const double u = (jp.mean[0] - incumbent_) / sd_t;
  const double root = std::sqrt(v_t * v_z);
  const double corr = std::max(c_tz / root, kMinCorrelation);
  const double noise_sd = std::sqrt(noise_);
  const double alpha2 = 1.0 - noise_sd / std::sqrt(v_z + noise_);
  double cost_t = 1.0, cost_z = 1.0;
  Vector grad_t, grad_z;
  if (cost_) {
    cost_t = cost_->cost(R.row(0).transpose(), grad ? &grad_t : nullptr);
    cost_z = cost_->cost(z, grad ? &grad_z : nullptr);
  }
  const double value = special::log_h(u) + std::log(sd_t) + std::log(corr) +
                       std::log(std::max(alpha2, std::numeric_limits<double>::min())) +
                       std::log(cost_t) - std::log(cost_z);
  if (grad == nullptr) return value;

  const special::Ratios r = special::log_h_ratios(u);
  Vector mean_bar = Vector::Zero(2);
  Matrix cov_bar = Matrix::Zero(2, 2);
  mean_bar[0] = r.rho1 / sd_t;
  // d log(sigma h(u)) / d v_t = rho2 / (2 v_t); 0 where a variance is clamped.
  if (jp.covariance(0, 0) > kMinVariance) cov_bar(0, 0) = r.rho2 / (2.0 * v_t);
  if (c_tz / root > kMinCorrelation) {
    if (jp.covariance(0, 0) > kMinVariance) cov_bar(0, 0) -= 0.5 / v_t;
    if (jp.covariance(1, 1) > kMinVariance) cov_bar(1, 1) -= 0.5 / v_z;
    cov_bar(0, 1) = cov_bar(1, 0) = 0.5 / c_tz;  // both triangles count
  }
  if (noise_sd > 0.0 && jp.covariance(1, 1) > kMinVariance) {
    cov_bar(1, 1) += 0.5 * noise_sd * std::pow(v_z + noise_, -1.5) / alpha2;
  }
  const Matrix G = model_->joint_posterior_gradient(R, mean_bar, cov_bar);
  *grad = G.row(1).transpose();
  grad->head(d - m) += G.row(0).head(d - m).transpose();  // t moves with the design only
  if (cost_) {
    grad->head(d - m) += grad_t.head(d - m) / cost_t;
    *grad -= grad_z / cost_z;
  }
  return value;
}

void AugmentedExpectedImprovement::evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const {
  if (values.size() != X.rows()) {
    throw InvalidArgument("aei evaluate: values has " + count(values.size()) +
                          " entries, expected one per row of X (" + count(X.rows()) + ")");
  }
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const Vector z = X.row(i).transpose();
    check(z, "evaluate");
    values[i] = compute(z, nullptr);
  }
}

double AugmentedExpectedImprovement::evaluate_with_gradient(VectorCRef x,
                                                            Eigen::Ref<Vector> grad) const {
  check(x, "evaluate_with_gradient");
  if (!has_gradient()) {
    throw InvalidState("aei evaluate_with_gradient: the model (\"" + model_->name() +
                       "\") has no joint_posterior_gradient");
  }
  if (grad.size() != x.size()) {
    throw InvalidArgument("aei evaluate_with_gradient: grad has " + count(grad.size()) +
                          " entries, expected " + count(x.size()));
  }
  Vector g;
  const double v = compute(x, &g);
  grad = g;
  return v;
}

}  // namespace prospect::acquisition
