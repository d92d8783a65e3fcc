#include "prospect/acquisition/thompson.hpp"

#include <string>

#include "acquisition/binding_checks.hpp"
#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/surrogate.hpp"

namespace prospect::acquisition {

std::unique_ptr<Acquisition> ThompsonSampling::clone() const {
  return std::make_unique<ThompsonSampling>(*this);
}

void ThompsonSampling::prepare(const AcquisitionContext& context) {
  const Surrogate* model = detail::fitted_model(context, "ts");
  if (!model->capabilities().function_samples || model->function_count() < 1) {
    throw InvalidArgument("ts prepare(): context.model (\"" + model->name() +
                          "\") has no posterior functions to sample; Thompson sampling needs a "
                          "sample-based surrogate (surrogates::HMC, surrogates::DeepEnsemble); "
                          "with a GP use qLogNEI or LogEI");
  }
  Rng rng(context.seed);
  index_ =
      static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(model->function_count())));
  model_ = model;
}

void ThompsonSampling::evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const {
  detail::check_rows(model_, X, values.size(), "ts", "evaluate");
  values = model_->function_value(X, index_);
}

double ThompsonSampling::evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const {
  const Matrix X = x.transpose();
  detail::check_rows(model_, X, 1, "ts", "evaluate_with_gradient");
  if (grad.size() != x.size()) {
    throw InvalidArgument("ts evaluate_with_gradient(): grad has " + std::to_string(grad.size()) +
                          " entries, expected " + std::to_string(x.size()));
  }
  const double value = model_->function_value(X, index_)(0);
  Matrix bar = Matrix::Zero(model_->function_count(), 1);
  bar(index_, 0) = 1.0;
  grad = model_->function_values_gradient(X, bar).row(0).transpose();
  return value;
}

}  // namespace prospect::acquisition
