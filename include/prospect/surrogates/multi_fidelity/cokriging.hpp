// prospect/surrogates/multi_fidelity/cokriging.hpp — linear autoregressive co-kriging
// (Kennedy & O'Hagan 2000; Emukit's GPyLinearMultiFidelityModel).
//
// An exact GP on the stacked data of all levels with the AR1 kernel
// (kernels/autoregressive.hpp); GaussianProcess does the fitting (jointly, with the
// options' restarts), predictions, joint posteriors, gradients and fantasies. Inputs:
// the LAST column is the level l in 0..L-1 encoded as l / (L - 1) (level L-1 is the
// target); predicting the target means setting that column to 1.
//
// Noise: one homoscedastic noise for all levels (NoiseModel::learned), per-point known
// variances (fixed), or a nugget for exact simulators (none, Emukit's tutorial setting).
//
// rho units: the GP standardizes y jointly over all levels, (y - mean) / std; a scale
// factor between two levels is invariant to that, so rho() is directly the factor in
// user units (the shift by the mean goes into the deltas and the constant mean).
// Complexity: as GaussianProcess with p = L d + L - 1 kernel hyperparameters.
#pragma once

#include "prospect/kernels/stationary.hpp"
#include "prospect/surrogates/gaussian_process.hpp"

namespace prospect {

/// AR1 co-kriging over L fidelity levels.
class LinearCoKriging : public GaussianProcess {
 public:
  /// levels L >= 2 (InvalidArgument otherwise); `base` is the profile of every level's
  /// kernel. InvalidOptions for bad options.
  explicit LinearCoKriging(Eigen::Index levels,
                           kernels::Profile base = kernels::Profile::squared_exponential,
                           GaussianProcessOptions options = {});

  /// A LinearCoKriging.
  [[nodiscard]] std::unique_ptr<Surrogate> clone() const override;
  /// "cokriging_ar1".
  [[nodiscard]] std::string name() const override;

  /// The fitted scale factors rho_0..rho_{L-2} (f_{l+1} = rho_l f_l + delta_{l+1}),
  /// unit-free. Throws InvalidState before a fit.
  [[nodiscard]] Vector rho() const;

  [[nodiscard]] Eigen::Index levels() const { return levels_; }
  /// The input encoding of level l: l / (L - 1). InvalidArgument outside 0..L-1.
  [[nodiscard]] double encode_level(Eigen::Index level) const;

 private:
  Eigen::Index levels_;
};

}  // namespace prospect
