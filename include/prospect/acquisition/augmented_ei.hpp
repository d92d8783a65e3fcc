// prospect/acquisition/augmented_ei.hpp — augmented expected improvement for
// multi-fidelity studies (Huang, Allen, Notz & Miller 2006; ALGORITHMS.md §3.5(b)).
//
// For a candidate z = (x, s) (design x at fidelity s) and t = (x, target):
//   AEI(z) = EI_t(x; f**) * alpha1 * alpha2 * alpha3,
//   EI_t    expected improvement of f at the target over f** = mu_t(x**), x** the
//           observed design maximizing mu_t - c sigma_t (the "effective best solution",
//           a noise-robust incumbent);
//   alpha1  corr_n[f(z), f(t)], the posterior correlation of the fidelity with the target
//           (1 at the target);
//   alpha2  1 - sigma_noise / sqrt(sigma^2(z) + sigma_noise^2) (1 for a noiseless model);
//   alpha3  cost(t) / cost(z) (1 without a cost model).
// It is scored as log AEI (the same maximizers; like LogEI it keeps a gradient where EI
// underflows); alpha1 is clamped at 1e-12 (a fidelity uncorrelated with the target is
// worth nothing). Units: log of units of y. Inputs in the unit cube; maximization.
//
// Cost per point: one joint posterior of 2 points (GP: O(n d + n^2)); the gradient adds a
// joint_posterior_gradient of 2 points and the cost model's gradient.
#pragma once

#include <memory>
#include <string>

#include "prospect/acquisition/acquisition.hpp"

namespace prospect::acquisition {

/// Options of augmented EI ("aei").
struct AugmentedEI {
  /// c in the effective best solution x** = argmax over the observed designs of
  /// mu_t - c sigma_t (Huang et al. use 1). >= 0.
  double c = 1.0;
};

/// Augmented EI, a fidelity-aware acquisition (it chooses the fidelity with the design).
class AugmentedExpectedImprovement final : public Acquisition {
 public:
  /// Throws InvalidArgument for c < 0 or not finite.
  explicit AugmentedExpectedImprovement(AugmentedEI options = {});

  [[nodiscard]] std::unique_ptr<Acquisition> clone() const override;
  /// "aei".
  [[nodiscard]] std::string name() const override { return "aei"; }
  /// Input gradients and the joint posterior (for alpha1).
  [[nodiscard]] AcquisitionNeeds needs() const override { return {true, true, false}; }
  [[nodiscard]] bool fidelity_aware() const override { return true; }

  /// Binds to context.model (not owned); finds x** among context.data->X projected to the
  /// target; keeps context.cost (null: alpha3 = 1). Throws InvalidArgument for a null or
  /// unfitted model, a model without a joint posterior, missing data, or a
  /// context.target_fidelity that is empty or not shorter than d; unchanged on throw.
  void prepare(const AcquisitionContext& context) override;
  /// log AEI at the m rows of X (m x d). Throws InvalidState before prepare(),
  /// InvalidArgument for a wrong width or non-finite entries.
  void evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const override;
  /// True once prepared with a model that has joint_gradients.
  [[nodiscard]] bool has_gradient() const override;
  /// log AEI at x (size d) and its gradient. Throws as evaluate(), and InvalidState
  /// without joint gradients.
  double evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const override;

  /// The incumbent f** = mu_t(x**) found in prepare() (units of y).
  [[nodiscard]] double incumbent() const { return incumbent_; }

 private:
  double compute(VectorCRef z, Vector* grad) const;
  void check(VectorCRef z, const char* caller) const;

  AugmentedEI options_;
  const Surrogate* model_ = nullptr;
  Vector target_;
  std::shared_ptr<const CostModel> cost_;
  double incumbent_ = 0.0;
  double noise_ = 0.0;
};

}  // namespace prospect::acquisition
