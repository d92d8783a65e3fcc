#include "prospect/surrogates/surrogate.hpp"

#include <boost/math/distributions/normal.hpp>
#include <string>

#include "prospect/errors.hpp"

namespace prospect {

std::pair<Vector, Vector> Predictive::interval(double level, bool include_noise) const {
  if (!(level > 0.0 && level < 1.0)) {
    throw InvalidArgument("interval level: got " + std::to_string(level) +
                          ", expected a probability strictly between 0 and 1");
  }
  const double z =
      boost::math::quantile(boost::math::normal_distribution<double>(), 0.5 + 0.5 * level);
  Vector var = variance.cwiseMax(0.0);
  if (include_noise && noise_variance.size() == var.size()) var += noise_variance;
  const Vector half = z * var.cwiseSqrt();
  return {mean - half, mean + half};
}

namespace {
[[noreturn]] void missing(const Surrogate& s, const char* what, const char* capability) {
  throw InvalidState("surrogate \"" + s.name() + "\" cannot give " + what + " (capability " +
                     capability +
                     " is absent); use a GaussianProcess or an acquisition "
                     "that does not need it");
}
}  // namespace

PointPrediction Surrogate::predict_with_gradient(VectorCRef) const {
  missing(*this, "input gradients", "input_gradients");
}
Matrix Surrogate::posterior_covariance(MatrixCRef) const {
  missing(*this, "a joint posterior covariance", "joint_posterior");
}
Matrix Surrogate::quantiles(MatrixCRef X, VectorCRef levels) const {
  check_quantile_levels(levels, "quantiles");
  const Predictive p = predict(X);
  Vector sd = p.variance.cwiseMax(0.0);
  if (p.noise_variance.size() == sd.size()) sd += p.noise_variance.cwiseMax(0.0);
  sd = sd.cwiseSqrt();
  const boost::math::normal_distribution<double> normal;
  Matrix Q(X.rows(), levels.size());
  for (Eigen::Index k = 0; k < levels.size(); ++k) {
    Q.col(k) = p.mean + boost::math::quantile(normal, levels(k)) * sd;
  }
  return Q;
}

void check_quantile_levels(VectorCRef levels, const char* caller) {
  if (levels.size() == 0) {
    throw InvalidArgument(std::string(caller) +
                          ": levels is empty, expected at least one level in (0, 1)");
  }
  for (Eigen::Index k = 0; k < levels.size(); ++k) {
    if (!(levels(k) > 0.0 && levels(k) < 1.0)) {
      throw InvalidArgument(std::string(caller) + ": levels[" + std::to_string(k) +
                            "] = " + std::to_string(levels(k)) +
                            ", expected a probability strictly between 0 and 1");
    }
  }
}

void Surrogate::restore(const Dataset& data, VectorCRef state) {
  set_state(state);
  fit(data, 0);
}

JointPosterior Surrogate::joint_posterior(MatrixCRef X, Eigen::Index /*coupled*/) const {
  JointPosterior out;
  out.covariance = posterior_covariance(X);
  out.mean = predict(X).mean;
  return out;
}
Matrix Surrogate::joint_posterior_gradient(MatrixCRef, VectorCRef, MatrixCRef, Eigen::Index,
                                           Eigen::Index) const {
  missing(*this, "gradients of the joint posterior", "joint_gradients");
}
Matrix Surrogate::sample(MatrixCRef, Eigen::Index, Rng&) const {
  missing(*this, "joint posterior samples", "joint_posterior");
}
Matrix Surrogate::function_values(MatrixCRef) const {
  missing(*this, "posterior function samples", "function_samples");
}
Vector Surrogate::function_value(MatrixCRef X, Eigen::Index s) const {
  const Matrix F = function_values(X);
  if (s < 0 || s >= F.rows()) {
    throw InvalidArgument("function_value: s = " + std::to_string(s) +
                          ", expected an index in [0, " + std::to_string(F.rows()) + ")");
  }
  return F.row(s).transpose();
}
Matrix Surrogate::function_values_gradient(MatrixCRef, MatrixCRef) const {
  missing(*this, "gradients of posterior function samples", "function_samples");
}
std::unique_ptr<Surrogate> Surrogate::condition_on(MatrixCRef, VectorCRef) const {
  missing(*this, "a conditioned copy for fantasies", "conditioning");
}
void Surrogate::add_observations(MatrixCRef, VectorCRef) {
  missing(*this, "incremental updates", "incremental");
}

}  // namespace prospect
