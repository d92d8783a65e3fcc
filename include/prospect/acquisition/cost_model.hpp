// prospect/acquisition/cost_model.hpp — what an evaluation costs, for cost-aware
// (multi-fidelity) acquisitions and cost budgets.
//
// A study's cost model is chosen by a value type in Options::cost:
//   AffineCost{fixed, weights}  c = fixed + sum_k weights_k * v_k over the fidelity
//                               parameters v_k in the user's units (BoTorch's
//                               AffineFidelityCostModel, which works on the encoded
//                               fidelity; the MF-KG tutorial's 5 + s is {5, {1}});
//                               the default {1, {}} costs 1 per evaluation without
//                               fidelities and 1 + sum_k v_k with them;
//   LearnedCost{}               a GP on log cost learned from the costs passed to
//                               Optimizer::tell(id, value, cost);
//   UserCost{f}                 the user's function of the parameters.
// Costs are in the user's units (seconds, core hours, currency); a cost model must
// give positive values. The CostModel objects below are what acquisitions see: a cost
// (and its gradient) at an encoded point of the unit cube.
//
// Complexity: AffineCostModel O(m) per point (m fidelity columns); FunctionCostModel
// one call of the function, 2 d + 1 with the gradient (central differences);
// LearnedCostModel one GP prediction with gradient, O(n d + n^2).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "prospect/params.hpp"
#include "prospect/surrogates/surrogate.hpp"
#include "prospect/types.hpp"

namespace prospect::acquisition {

/// c = fixed + sum_k weights[k] * v_k, v_k the k-th fidelity parameter (declaration
/// order) in the user's units. Empty weights: 1 for every fidelity parameter.
struct AffineCost {
  /// The cost of any evaluation (set-up, the part that does not depend on fidelity).
  double fixed = 1.0;
  /// One weight per fidelity parameter, or empty (all 1).
  std::vector<double> weights;
};

/// A Gaussian process on log cost over the encoded point (design and fidelity), fitted
/// on the trials told with a cost; exp(posterior mean) is the predicted cost.
struct LearnedCost {
  /// Until this many trials have a measured cost, `fallback` is used (>= 2).
  int min_observations = 5;
  /// The cost model used before then.
  AffineCost fallback{};
};

/// The user's own cost of evaluating a point (must return a positive finite number).
/// Not saved with a study: pass it again through the options of Optimizer::load.
struct UserCost {
  std::function<double(const Params&)> cost;
};

/// A study's cost model.
using CostChoice = std::variant<AffineCost, LearnedCost, UserCost>;
/// "affine", "learned" or "user".
[[nodiscard]] const char* to_string(const CostChoice& choice);

/// The cost of evaluating an encoded point: what cost-aware acquisitions divide by.
class CostModel {
 public:
  virtual ~CostModel() = default;
  /// "affine", "function", "learned".
  [[nodiscard]] virtual std::string name() const = 0;
  /// Cost at the encoded point x (size d, unit cube), positive; with grad non-null also
  /// d cost / dx into *grad (resized to d). Throws InvalidArgument for a wrong size.
  [[nodiscard]] virtual double cost(VectorCRef x, Vector* grad = nullptr) const = 0;
};

/// One fidelity column of an affine cost: its encoded column, the bounds and scale of
/// the fidelity parameter (to map u in [0, 1] back to the user's value) and its weight.
struct AffineTerm {
  Eigen::Index column = 0;
  double lower = 0.0;
  double upper = 1.0;
  bool log_scale = false;
  double weight = 1.0;
};

/// fixed + sum_k weight_k v_k(u_k): AffineCost in encoded coordinates.
class AffineCostModel final : public CostModel {
 public:
  /// Throws InvalidArgument when the cost is not positive everywhere on the box (its
  /// minimum, at a corner, is reported), or for non-finite numbers.
  AffineCostModel(Eigen::Index dimension, double fixed, std::vector<AffineTerm> terms);
  [[nodiscard]] std::string name() const override { return "affine"; }
  [[nodiscard]] double cost(VectorCRef x, Vector* grad = nullptr) const override;
  /// The smallest cost over the box.
  [[nodiscard]] double minimum() const;

 private:
  Eigen::Index dimension_;
  double fixed_;
  std::vector<AffineTerm> terms_;
};

/// A function of the encoded point (e.g. the user's cost through the space's decoding);
/// the gradient by central differences of step 1e-4 (one-sided at the cube's faces).
class FunctionCostModel final : public CostModel {
 public:
  /// Throws InvalidArgument for an empty function or dimension < 1.
  FunctionCostModel(Eigen::Index dimension, std::function<double(VectorCRef)> function);
  [[nodiscard]] std::string name() const override { return "function"; }
  /// Throws InvalidArgument when the function returns a non-positive or non-finite cost.
  [[nodiscard]] double cost(VectorCRef x, Vector* grad = nullptr) const override;

 private:
  Eigen::Index dimension_;
  std::function<double(VectorCRef)> function_;
};

/// exp(mu(x)) for a surrogate fitted on log costs (the median of a log-normal
/// predictive); gradient exp(mu) grad mu (the surrogate needs input gradients).
class LearnedCostModel final : public CostModel {
 public:
  /// Throws InvalidArgument for a null or unfitted model.
  explicit LearnedCostModel(std::shared_ptr<const Surrogate> log_cost);
  [[nodiscard]] std::string name() const override { return "learned"; }
  [[nodiscard]] double cost(VectorCRef x, Vector* grad = nullptr) const override;
  /// The fitted model of log cost.
  [[nodiscard]] const Surrogate& model() const { return *log_cost_; }

 private:
  std::shared_ptr<const Surrogate> log_cost_;
};

}  // namespace prospect::acquisition
