// prospect/acquisition/acquisition.hpp — what every acquisition function gives.
//
// An acquisition is bound to a fitted surrogate by prepare() and then scores
// candidates in the unit cube, in batch; where it can it also gives the gradient
// for the inner L-BFGS. A q-batch acquisition scores rows of length q*d (the q
// points concatenated). Everything is for MAXIMIZATION of the internal objective
// (the optimizer has already turned the sign of a minimized objective).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "prospect/surrogates/surrogate.hpp"
#include "prospect/types.hpp"

namespace prospect {

/// What an acquisition requires of its surrogate.
struct AcquisitionNeeds {
  bool input_gradients = false;  ///< for gradient-based optimization
  bool joint_posterior = false;  ///< batch / Monte Carlo acquisitions
  bool conditioning = false;     ///< fantasies (knowledge gradient)
};

/// Everything an acquisition may need to know when it is bound to a model.
struct AcquisitionContext {
  const Surrogate* model = nullptr;  ///< fitted surrogate (not owned, outlives the call)
  const Dataset* data = nullptr;     ///< the data the model was fitted on
  Matrix X_pending;                  ///< asked-but-not-told points (rows), may be empty
  double incumbent = 0.0;            ///< best value so far (maximization), see incumbent rule
  Eigen::Index iteration = 0;        ///< number of completed observations (UCB schedules)
  std::uint64_t seed = 0;            ///< for Monte Carlo base samples
};

/// The runtime interface of an acquisition function.
class Acquisition {
 public:
  virtual ~Acquisition() = default;

  [[nodiscard]] virtual std::unique_ptr<Acquisition> clone() const = 0;
  [[nodiscard]] virtual std::string name() const = 0;
  [[nodiscard]] virtual AcquisitionNeeds needs() const = 0;
  /// Points scored jointly (q); rows passed to evaluate() have q*d entries.
  [[nodiscard]] virtual Eigen::Index batch_size() const { return 1; }

  /// Binds the acquisition to a model; must be called before evaluate().
  virtual void prepare(const AcquisitionContext& context) = 0;

  /// Acquisition values of the m rows of X (m x q*d) into values (size m).
  virtual void evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const = 0;

  /// True when evaluate_with_gradient() is available.
  [[nodiscard]] virtual bool has_gradient() const { return false; }
  /// Value at one row x (size q*d) and its gradient into grad (size q*d).
  /// Default: throws InvalidState.
  virtual double evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const;
};

}  // namespace prospect
