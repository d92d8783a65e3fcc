#include "prospect/surrogates/bnn/adam.hpp"

#include <cmath>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"

namespace prospect::bnn {

using detail::format_number;

std::vector<std::string> AdamOptions::validate() const {
  std::vector<std::string> problems;
  if (!(std::isfinite(learning_rate) && learning_rate > 0.0)) {
    problems.push_back("learning_rate: got " + format_number(learning_rate) +
                       ", expected a finite value > 0");
  }
  if (!(beta1 >= 0.0 && beta1 < 1.0)) {
    problems.push_back("beta1: got " + format_number(beta1) + ", expected a value in [0, 1)");
  }
  if (!(beta2 >= 0.0 && beta2 < 1.0)) {
    problems.push_back("beta2: got " + format_number(beta2) + ", expected a value in [0, 1)");
  }
  if (!(std::isfinite(epsilon) && epsilon > 0.0)) {
    problems.push_back("epsilon: got " + format_number(epsilon) + ", expected a finite value > 0");
  }
  return problems;
}

Adam::Adam(Eigen::Index parameters, AdamOptions options) : options_(options) {
  auto problems = options_.validate();
  if (parameters < 0) {
    problems.push_back("parameters: got " + std::to_string(parameters) + ", expected >= 0");
  }
  if (!problems.empty()) {
    std::string message = "Adam:";
    for (const auto& p : problems) message.append(" ").append(p).append(";");
    throw InvalidArgument(message);
  }
  m_ = Vector::Zero(parameters);
  v_ = Vector::Zero(parameters);
}

void Adam::step(Eigen::Ref<Vector> theta, VectorCRef grad) {
  if (theta.size() != m_.size() || grad.size() != m_.size()) {
    throw InvalidArgument("Adam::step: theta has " + std::to_string(theta.size()) + " and grad " +
                          std::to_string(grad.size()) + " entries, expected " +
                          std::to_string(m_.size()) + " each");
  }
  const double b1 = options_.beta1, b2 = options_.beta2;
  ++t_;
  beta1_power_ *= b1;
  beta2_power_ *= b2;
  m_ = b1 * m_ + (1.0 - b1) * grad;
  v_ = b2 * v_ + (1.0 - b2) * grad.cwiseAbs2();
  // Folding both bias corrections into the step size saves two vector passes.
  const double step = options_.learning_rate / (1.0 - beta1_power_);
  const double v_scale = 1.0 / (1.0 - beta2_power_);
  theta.array() -= step * m_.array() / ((v_.array() * v_scale).sqrt() + options_.epsilon);
}

}  // namespace prospect::bnn
