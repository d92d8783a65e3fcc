#include "prospect/acquisition/thompson.hpp"

#include <string>

#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/surrogate.hpp"

namespace prospect::acquisition {

std::unique_ptr<Acquisition> ThompsonSampling::clone() const {
  return std::make_unique<ThompsonSampling>(*this);
}

void ThompsonSampling::prepare(const AcquisitionContext& context) {
  const Surrogate* model = context.model;
  if (model == nullptr || !model->fitted()) {
    throw InvalidArgument(std::string("ts prepare(): context.model is ") +
                          (model == nullptr ? "null" : "not fitted") +
                          ", expected a fitted surrogate");
  }
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

void ThompsonSampling::check(MatrixCRef X, const char* caller) const {
  if (model_ == nullptr) {
    throw InvalidState(std::string("ts ") + caller +
                       "(): the acquisition is not prepared; call prepare() first");
  }
  if (X.cols() != model_->dimension() || !X.allFinite()) {
    throw InvalidArgument(std::string("ts ") + caller + "(): X has " + std::to_string(X.cols()) +
                          " columns" + (X.allFinite() ? "" : " and non-finite entries") +
                          ", expected finite rows of the model dimension " +
                          std::to_string(model_->dimension()));
  }
}

void ThompsonSampling::evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const {
  check(X, "evaluate");
  if (values.size() != X.rows()) {
    throw InvalidArgument("ts evaluate(): values has " + std::to_string(values.size()) +
                          " entries, expected one per row of X (" + std::to_string(X.rows()) + ")");
  }
  values = model_->function_value(X, index_);
}

double ThompsonSampling::evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const {
  const Matrix X = x.transpose();
  check(X, "evaluate_with_gradient");
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
