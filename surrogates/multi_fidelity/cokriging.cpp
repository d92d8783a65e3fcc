// surrogates/multi_fidelity/cokriging.cpp — GaussianProcess with the AR1 kernel.
#include "prospect/surrogates/multi_fidelity/cokriging.hpp"

#include "prospect/errors.hpp"
#include "prospect/kernels/autoregressive.hpp"

namespace prospect {

LinearCoKriging::LinearCoKriging(Eigen::Index levels, kernels::Profile base,
                                 GaussianProcessOptions options)
    : GaussianProcess(kernels::Autoregressive(levels, base), options), levels_(levels) {}

std::unique_ptr<Surrogate> LinearCoKriging::clone() const {
  return std::make_unique<LinearCoKriging>(*this);
}

std::string LinearCoKriging::name() const {
  return "cokriging_ar1";
}

Vector LinearCoKriging::rho() const {
  if (!fitted()) {
    throw InvalidState("LinearCoKriging::rho: the model is not fitted; call fit() first");
  }
  const auto& k = static_cast<const kernels::Autoregressive&>(kernel());
  return parameters().segment(k.rho_offset(dimension()), levels_ - 1);
}

double LinearCoKriging::encode_level(Eigen::Index level) const {
  return static_cast<const kernels::Autoregressive&>(kernel()).encode(level);
}

}  // namespace prospect
