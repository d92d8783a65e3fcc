// prospect/acquisition/thompson.hpp — Thompson sampling on a sample-based surrogate
// (HMC networks, deep ensembles: Surrogate::capabilities().function_samples).
//
// prepare() draws one of the model's S posterior functions f_s, uniformly with the
// context's seed (a new ask has a new seed, so a new function); the acquisition is f_s
// itself, maximized with its input gradient. Each point of ask(q) is prepared with its
// own seed: q different functions, the parallel Thompson sampling of Kandasamy et al.
// (2018). Units: those of y (maximization).
//
// A GP has no finite set of functions (its draws would have to be consistent across every
// evaluation of the inner optimizer); use it with qLogNEI or LogEI instead.
//
// Cost per evaluation at m points: the model's function_value() of the drawn function
// (networks: one forward pass, O(m P)); the gradient one function_values_gradient() with
// one non-zero row (networks: O(m P)).
#pragma once

#include <memory>
#include <string>

#include "prospect/acquisition/acquisition.hpp"

namespace prospect::acquisition {

/// Options of Thompson sampling ("ts"): none today.
struct Thompson {};

/// Thompson sampling: the acquisition is one posterior function of the model.
class ThompsonSampling final : public Acquisition {
 public:
  ThompsonSampling() = default;

  [[nodiscard]] std::unique_ptr<Acquisition> clone() const override;
  /// "ts".
  [[nodiscard]] std::string name() const override { return "ts"; }
  /// Input gradients and posterior functions.
  [[nodiscard]] AcquisitionNeeds needs() const override {
    return {.input_gradients = true, .function_samples = true};
  }

  /// Binds to context.model (not owned), which must be fitted and give function samples,
  /// and draws the function index from context.seed. Throws InvalidArgument otherwise
  /// (unchanged on throw).
  void prepare(const AcquisitionContext& context) override;
  /// f_s at the m rows of X (m x d). Throws InvalidState before prepare(),
  /// InvalidArgument for a wrong width or non-finite entries.
  void evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const override;
  /// True once prepared.
  [[nodiscard]] bool has_gradient() const override { return model_ != nullptr; }
  /// f_s(x) and its input gradient. Throws as evaluate().
  double evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const override;

  /// The index of the drawn function after prepare().
  [[nodiscard]] Eigen::Index function_index() const { return index_; }

 private:
  const Surrogate* model_ = nullptr;
  Eigen::Index index_ = 0;
};

}  // namespace prospect::acquisition
