#include "prospect/surrogates/bnn/network_mixture.hpp"

#include <cmath>
#include <string>

#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "surrogates/bnn/outputs.hpp"
#include "surrogates/data_checks.hpp"

namespace prospect {

SurrogateCapabilities NetworkMixture::capabilities() const {
  SurrogateCapabilities caps;
  caps.input_gradients = true;
  caps.joint_posterior = true;
  caps.joint_gradients = true;
  caps.function_samples = true;
  return caps;
}

void NetworkMixture::check_data(const Dataset& data, const std::string& who) {
  const Eigen::Index n = data.X.rows();
  if (n < 2 || data.X.cols() == 0) {
    throw InvalidArgument(who + ": data.X is " + std::to_string(n) + " x " +
                          std::to_string(data.X.cols()) +
                          ", expected at least 2 observations of dimension >= 1");
  }
  if (data.y.size() != n) {
    throw InvalidArgument(who + ": data.y has " + std::to_string(data.y.size()) +
                          " values, expected one per row of data.X (" + std::to_string(n) + ")");
  }
  detail::check_unit_cube(data.X, "data.X");
  detail::check_finite_vector(data.y, "data.y");
}

void NetworkMixture::set_posterior(Posterior posterior, MatrixCRef X_train) {
  mlp_ = std::move(posterior.mlp);
  members_ = std::move(posterior.members);
  y_offset_ = posterior.y_offset;
  y_scale_ = posterior.y_scale;
  variance_head_ = posterior.variance_head;
  noise_standardized_ = posterior.noise_variance;
  unbiased_ = posterior.unbiased;
  dimension_ = posterior.dimension;
  seed_ = posterior.seed;
  noise_average_ = predict(X_train).noise_variance.mean();
}

void NetworkMixture::require_fitted(const char* caller, Eigen::Index columns) const {
  if (!fitted()) {
    throw InvalidState(name() + "::" + caller + ": the model is not fitted; call fit() first");
  }
  if (columns != dimension_) {
    throw InvalidArgument(name() + "::" + caller + ": X has " + std::to_string(columns) +
                          " columns, expected the fitted dimension " + std::to_string(dimension_));
  }
}

void NetworkMixture::evaluate_members(MatrixCRef X, Matrix& values, Matrix* noise) const {
  const auto S = static_cast<Eigen::Index>(members_.size());
  values.resize(S, X.rows());
  if (noise != nullptr) noise->resize(S, X.rows());
#pragma omp parallel for schedule(static)
  for (Eigen::Index s = 0; s < S; ++s) {
    bnn::MLPWorkspace ws;
    mlp_->forward(members_[static_cast<std::size_t>(s)], X, ws);
    values.row(s) = ws.pre.back().row(0);
    if (noise != nullptr) {
      noise->row(s) = ws.pre.back().row(1).unaryExpr(&detail::head_variance);
    }
  }
}

Matrix NetworkMixture::function_values(MatrixCRef X) const {
  require_fitted("function_values", X.cols());
  Matrix F;
  evaluate_members(X, F, nullptr);
  return (F * y_scale_).array() + y_offset_;
}

Vector NetworkMixture::function_value(MatrixCRef X, Eigen::Index s) const {
  require_fitted("function_value", X.cols());
  if (s < 0 || s >= function_count()) {
    throw InvalidArgument(name() + "::function_value: s = " + std::to_string(s) +
                          ", expected an index in [0, " + std::to_string(function_count()) + ")");
  }
  bnn::MLPWorkspace ws;
  mlp_->forward(members_[static_cast<std::size_t>(s)], X, ws);
  return (ws.pre.back().row(0).transpose() * y_scale_).array() + y_offset_;
}

Predictive NetworkMixture::predict(MatrixCRef X) const {
  require_fitted("predict", X.cols());
  Matrix F, N;
  evaluate_members(X, F, variance_head_ ? &N : nullptr);
  const auto S = static_cast<double>(F.rows());
  const double D = unbiased_ && F.rows() > 1 ? S - 1.0 : S;
  Predictive p;
  const Vector mean = F.colwise().mean().transpose();
  p.mean = (mean * y_scale_).array() + y_offset_;
  p.variance = (F.rowwise() - mean.transpose()).colwise().squaredNorm().transpose() *
               (y_scale_ * y_scale_ / D);
  if (variance_head_) {
    p.noise_variance = N.colwise().mean().transpose() * (y_scale_ * y_scale_);
  } else {
    p.noise_variance = Vector::Constant(X.rows(), noise_standardized_ * y_scale_ * y_scale_);
  }
  return p;
}

PointPrediction NetworkMixture::predict_with_gradient(VectorCRef x) const {
  require_fitted("predict_with_gradient", x.size());
  const auto S = static_cast<Eigen::Index>(members_.size());
  const Eigen::Index d = x.size();
  Vector f(S);
  Matrix G(S, d);
  Matrix bar = Matrix::Zero(mlp_->architecture().outputs, 1);
  bar(0, 0) = y_scale_;
#pragma omp parallel for schedule(static)
  for (Eigen::Index s = 0; s < S; ++s) {
    bnn::MLPWorkspace ws;
    const auto& theta = members_[static_cast<std::size_t>(s)];
    mlp_->forward(theta, x.transpose(), ws);
    f(s) = ws.pre.back()(0, 0) * y_scale_ + y_offset_;
    G.row(s) = mlp_->input_gradient(theta, bar, ws).row(0);
  }
  const double D = unbiased_ && S > 1 ? static_cast<double>(S - 1) : static_cast<double>(S);
  PointPrediction out;
  out.mean = f.mean();
  const Vector centred = f.array() - out.mean;
  out.variance = centred.squaredNorm() / D;
  out.mean_gradient = G.colwise().mean().transpose();
  out.variance_gradient = (2.0 / D) * (G.transpose() * centred);
  return out;
}

Matrix NetworkMixture::function_values_gradient(MatrixCRef X, MatrixCRef values_bar) const {
  require_fitted("function_values_gradient", X.cols());
  const auto S = static_cast<Eigen::Index>(members_.size());
  if (values_bar.rows() != S || values_bar.cols() != X.rows()) {
    throw InvalidArgument(name() + "::function_values_gradient: values_bar is " +
                          std::to_string(values_bar.rows()) + " x " +
                          std::to_string(values_bar.cols()) + ", expected function_count() x " +
                          "rows of X = " + std::to_string(S) + " x " + std::to_string(X.rows()));
  }
  std::vector<Matrix> per_member(static_cast<std::size_t>(S));
  const Eigen::Index outputs = mlp_->architecture().outputs;
#pragma omp parallel for schedule(static)
  for (Eigen::Index s = 0; s < S; ++s) {
    const auto k = static_cast<std::size_t>(s);
    if (values_bar.row(s).isZero(0.0)) continue;
    bnn::MLPWorkspace ws;
    mlp_->forward(members_[k], X, ws);
    Matrix bar = Matrix::Zero(outputs, X.rows());
    bar.row(0) = values_bar.row(s) * y_scale_;
    per_member[k] = mlp_->input_gradient(members_[k], bar, ws);
  }
  // Summed in member order so that the result does not depend on the thread count.
  Matrix grad = Matrix::Zero(X.rows(), X.cols());
  for (const auto& g : per_member) {
    if (g.size() > 0) grad += g;
  }
  return grad;
}

Matrix NetworkMixture::posterior_covariance(MatrixCRef X) const {
  return joint_posterior(X).covariance;
}

JointPosterior NetworkMixture::joint_posterior(MatrixCRef X, Eigen::Index /*coupled*/) const {
  const Matrix F = function_values(X);
  const auto S = F.rows();
  const double D = unbiased_ && S > 1 ? static_cast<double>(S - 1) : static_cast<double>(S);
  JointPosterior jp;
  jp.mean = F.colwise().mean().transpose();
  const Matrix centred = F.rowwise() - jp.mean.transpose();
  jp.covariance.noalias() = centred.transpose() * centred / D;
  return jp;
}

Matrix NetworkMixture::joint_posterior_gradient(MatrixCRef X, VectorCRef mean_bar,
                                                MatrixCRef covariance_bar, Eigen::Index coupled,
                                                Eigen::Index /*wanted*/) const {
  const Eigen::Index m = X.rows();
  if (mean_bar.size() != m || covariance_bar.rows() != m || covariance_bar.cols() != m) {
    throw InvalidArgument(
        name() + "::joint_posterior_gradient: mean_bar has " + std::to_string(mean_bar.size()) +
        " entries and covariance_bar is " + std::to_string(covariance_bar.rows()) + " x " +
        std::to_string(covariance_bar.cols()) + ", expected " + std::to_string(m) + " and " +
        std::to_string(m) + " x " + std::to_string(m));
  }
  const Matrix F = function_values(X);
  const auto S = F.rows();
  const double D = unbiased_ && S > 1 ? static_cast<double>(S - 1) : static_cast<double>(S);
  Matrix C_bar = covariance_bar;
  if (coupled >= 0 && coupled < m) C_bar.bottomRightCorner(m - coupled, m - coupled).setZero();
  const Vector mean = F.colwise().mean().transpose();
  const Matrix centred = F.rowwise() - mean.transpose();
  // Sigma = Fc^T Fc / D with Fc = F - 1 mean^T; the centring term of the adjoint vanishes
  // because the columns of Fc sum to zero.
  Matrix F_bar = centred * (C_bar + C_bar.transpose()) / D;
  F_bar.rowwise() += mean_bar.transpose() / static_cast<double>(S);
  return function_values_gradient(X, F_bar);
}

Matrix NetworkMixture::sample(MatrixCRef X, Eigen::Index n_samples, Rng& rng) const {
  if (n_samples < 0) {
    throw InvalidArgument(name() + "::sample: n_samples = " + std::to_string(n_samples) +
                          ", expected >= 0");
  }
  const Matrix F = function_values(X);
  Matrix out(n_samples, X.rows());
  for (Eigen::Index i = 0; i < n_samples; ++i) {
    out.row(i) = F.row(static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(F.rows()))));
  }
  return out;
}

Vector NetworkMixture::state() const {
  if (!fitted()) return {};
  Vector s(2);
  s(0) = static_cast<double>(seed_ >> 32);
  s(1) = static_cast<double>(seed_ & 0xffffffffULL);
  return s;
}

void NetworkMixture::restore(const Dataset& data, VectorCRef state) {
  if (state.size() == 0) {
    fit(data, 0);
    return;
  }
  if (state.size() != 2 || !(state.array() >= 0.0).all() ||
      !(state.array() <= 4294967295.0).all()) {
    throw InvalidArgument(name() + "::restore: state has " + std::to_string(state.size()) +
                          " entries, expected the 2 halves of the fit's seed");
  }
  const auto hi = static_cast<std::uint64_t>(state(0));
  const auto lo = static_cast<std::uint64_t>(state(1));
  fit(data, (hi << 32) | lo);
}

}  // namespace prospect
