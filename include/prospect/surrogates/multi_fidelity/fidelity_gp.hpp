// prospect/surrogates/multi_fidelity/fidelity_gp.hpp — BoTorch's SingleTaskMultiFidelityGP.
//
// An exact GP (gaussian_process.hpp: fitting, prediction, joint posteriors, gradients,
// fantasies) whose kernel is one of BoTorch's multi-fidelity kernels
// (kernels/fidelity.hpp). Inputs are rows of [0,1]^d whose LAST m columns are fidelity
// coordinates (1 = the target fidelity); predicting at the target means setting them to 1.
// Complexity: as GaussianProcess.
#pragma once

#include <string>

#include "prospect/surrogates/gaussian_process.hpp"

namespace prospect {

/// Which multi-fidelity kernel a FidelityGP uses.
enum class FidelityKernelChoice {
  /// LinearTruncatedFidelity with Matern 5/2 (BoTorch's default; m = 1 or 2).
  linear_truncated,
  /// FidelityProduct with a downsampling factor on every fidelity column (data fidelities).
  downsampling,
  /// FidelityProduct whose FIRST fidelity column is an iteration fidelity (exponential
  /// decay) and any further ones data fidelities (downsampling), as BoTorch's
  /// iteration_fidelity + data_fidelities.
  exponential_decay
};
/// "linear_truncated", "downsampling", "exponential_decay".
[[nodiscard]] const char* to_string(FidelityKernelChoice choice);
/// Parses the names above; throws InvalidArgument naming the value otherwise.
[[nodiscard]] FidelityKernelChoice fidelity_kernel_from_string(const std::string& name);

/// A GP over design x fidelity with one of BoTorch's multi-fidelity kernels.
class FidelityGP : public GaussianProcess {
 public:
  /// fidelity_columns m >= 1 (1 or 2 for linear_truncated); InvalidArgument otherwise,
  /// InvalidOptions for bad options. The data must have more than m columns (checked by fit).
  explicit FidelityGP(Eigen::Index fidelity_columns,
                      FidelityKernelChoice kernel = FidelityKernelChoice::linear_truncated,
                      GaussianProcessOptions options = {});

  /// A FidelityGP.
  [[nodiscard]] std::unique_ptr<Surrogate> clone() const override;
  /// "fidelity_gp(<choice>)", e.g. "fidelity_gp(linear_truncated)".
  [[nodiscard]] std::string name() const override;

  [[nodiscard]] Eigen::Index fidelity_columns() const { return m_; }
  [[nodiscard]] FidelityKernelChoice kernel_choice() const { return choice_; }

 private:
  Eigen::Index m_;
  FidelityKernelChoice choice_;
};

}  // namespace prospect
