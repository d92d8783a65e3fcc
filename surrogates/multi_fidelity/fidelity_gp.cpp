// surrogates/multi_fidelity/fidelity_gp.cpp — GaussianProcess with a multi-fidelity kernel.
#include "prospect/surrogates/multi_fidelity/fidelity_gp.hpp"

#include <vector>

#include "prospect/errors.hpp"
#include "prospect/kernels/fidelity.hpp"

namespace prospect {

namespace {

kernels::FidelityProduct product_kernel(Eigen::Index m, FidelityKernelChoice choice) {
  std::vector<kernels::FidelityKind> kinds(static_cast<std::size_t>(m),
                                           kernels::FidelityKind::downsampling);
  if (choice == FidelityKernelChoice::exponential_decay)
    kinds.front() = kernels::FidelityKind::exponential_decay;
  return kernels::FidelityProduct(std::move(kinds));
}

/// The kernel for the choice; throws InvalidArgument for an unusable m.
std::unique_ptr<kernels::Kernel> make_kernel(Eigen::Index m, FidelityKernelChoice choice) {
  if (m < 1) {
    throw InvalidArgument("FidelityGP: fidelity_columns = " + std::to_string(m) +
                          "; expected at least 1");
  }
  if (choice == FidelityKernelChoice::linear_truncated)
    return std::make_unique<kernels::LinearTruncatedFidelity>(m);
  return product_kernel(m, choice).clone();
}

}  // namespace

const char* to_string(FidelityKernelChoice choice) {
  switch (choice) {
    case FidelityKernelChoice::linear_truncated:
      return "linear_truncated";
    case FidelityKernelChoice::downsampling:
      return "downsampling";
    case FidelityKernelChoice::exponential_decay:
      return "exponential_decay";
  }
  return "unknown";
}

FidelityKernelChoice fidelity_kernel_from_string(const std::string& name) {
  for (const auto c : {FidelityKernelChoice::linear_truncated, FidelityKernelChoice::downsampling,
                       FidelityKernelChoice::exponential_decay}) {
    if (name == to_string(c)) return c;
  }
  throw InvalidArgument("fidelity kernel: got \"" + name +
                        "\", expected linear_truncated, downsampling or exponential_decay");
}

FidelityGP::FidelityGP(Eigen::Index fidelity_columns, FidelityKernelChoice kernel,
                       GaussianProcessOptions options)
    : GaussianProcess(*make_kernel(fidelity_columns, kernel), options),
      m_(fidelity_columns),
      choice_(kernel) {}

std::unique_ptr<Surrogate> FidelityGP::clone() const {
  return std::make_unique<FidelityGP>(*this);
}

std::string FidelityGP::name() const {
  return std::string("fidelity_gp(") + to_string(choice_) + ")";
}

}  // namespace prospect
