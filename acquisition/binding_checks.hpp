// acquisition/binding_checks.hpp — the checks every single-point acquisition makes when it is
// bound to a model and when it scores rows (private to acquisition/).
#pragma once

#include <string>

#include "prospect/acquisition/acquisition.hpp"
#include "prospect/errors.hpp"

namespace prospect::acquisition::detail {

/// context.model, or InvalidArgument naming the acquisition when it is null or not fitted.
inline const Surrogate* fitted_model(const AcquisitionContext& context, const char* name) {
  const Surrogate* model = context.model;
  if (model == nullptr || !model->fitted()) {
    throw InvalidArgument(std::string(name) + " prepare(): context.model is " +
                          (model == nullptr ? "null" : "not fitted") +
                          ", expected a fitted surrogate");
  }
  return model;
}

/// InvalidState before prepare() (model null); InvalidArgument when X's width is not the
/// model's dimension, X has non-finite entries, or `values` (the output size) is not X.rows().
inline void check_rows(const Surrogate* model, MatrixCRef X, Eigen::Index values, const char* name,
                       const char* caller) {
  if (model == nullptr) {
    throw InvalidState(std::string(name) + " " + caller +
                       "(): the acquisition is not prepared; call prepare() first");
  }
  if (X.cols() != model->dimension() || !X.allFinite()) {
    throw InvalidArgument(
        std::string(name) + " " + caller + "(): X has " + std::to_string(X.cols()) + " columns" +
        (X.allFinite() ? "" : " and non-finite entries") +
        ", expected finite rows of the model dimension " + std::to_string(model->dimension()));
  }
  if (values != X.rows()) {
    throw InvalidArgument(std::string(name) + " " + caller + "(): values has " +
                          std::to_string(values) + " entries, expected one per row of X (" +
                          std::to_string(X.rows()) + ")");
  }
}

}  // namespace prospect::acquisition::detail
