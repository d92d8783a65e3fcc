// prospect/acquisition/acquisition.hpp — what every acquisition function gives.
//
// An acquisition is bound to a fitted surrogate by prepare() and then scores
// candidates in the unit cube, in batch; where it can it also gives the gradient
// for the inner L-BFGS. A q-batch acquisition scores rows of length q*d (the q
// points concatenated), followed by auxiliary_size() coordinates it optimizes
// jointly with them (the one-shot knowledge gradient's fantasy maximizers); a row is
// therefore q*d + auxiliary_size() long, every coordinate in [0, 1]. Everything is
// for MAXIMIZATION of the internal objective (the optimizer has already turned the
// sign of a minimized objective).
//
// Two ways to ask for q points: an acquisition with joint_batch() (Monte Carlo batch
// acquisitions, the knowledge gradient) is given q by set_batch_size() and scores the
// q points together, pending points entering as context.X_pending; any other is
// maximized q times greedily, each chosen point believed by a fantasy model (Kriging
// believer or constant liar) before the next.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "prospect/acquisition/cost_model.hpp"
#include "prospect/surrogates/surrogate.hpp"
#include "prospect/types.hpp"

namespace prospect {

/// What an acquisition requires of its surrogate.
struct AcquisitionNeeds {
  bool input_gradients = false;   ///< for gradient-based optimization
  bool joint_posterior = false;   ///< batch / Monte Carlo acquisitions
  bool conditioning = false;      ///< fantasies (knowledge gradient)
  bool function_samples = false;  ///< a finite set of posterior functions (Thompson sampling)
};

/// Everything an acquisition may need to know when it is bound to a model.
struct AcquisitionContext {
  const Surrogate* model = nullptr;  ///< fitted surrogate (not owned, outlives the call)
  const Dataset* data = nullptr;     ///< the data the model was fitted on
  Matrix X_pending;                  ///< asked-but-not-told points (rows), may be empty
  double incumbent = 0.0;            ///< best value so far (maximization), see incumbent rule
  Eigen::Index iteration = 0;        ///< number of completed observations (UCB schedules)
  std::uint64_t seed = 0;            ///< for Monte Carlo base samples
  /// Multi-fidelity studies: the encoded targets of the fidelity columns, which are the
  /// last target_fidelity.size() columns of every point; empty without fidelities.
  Vector target_fidelity;
  /// What evaluating a point costs (cost-aware acquisitions); null means unit cost.
  std::shared_ptr<const acquisition::CostModel> cost;
};

/// The runtime interface of an acquisition function.
class Acquisition {
 public:
  virtual ~Acquisition() = default;

  [[nodiscard]] virtual std::unique_ptr<Acquisition> clone() const = 0;
  [[nodiscard]] virtual std::string name() const = 0;
  [[nodiscard]] virtual AcquisitionNeeds needs() const = 0;
  /// Points scored jointly (q); rows passed to evaluate() have q*d + auxiliary_size()
  /// entries.
  [[nodiscard]] virtual Eigen::Index batch_size() const { return 1; }
  /// True when the acquisition can score any number q of points jointly
  /// (set_batch_size()); false for single-point acquisitions.
  [[nodiscard]] virtual bool joint_batch() const { return false; }
  /// Sets q before prepare(). Default: throws InvalidState (not a joint acquisition);
  /// implementations throw InvalidArgument for q < 1.
  virtual void set_batch_size(Eigen::Index q);
  /// Extra coordinates after the q*d candidate coordinates, optimized jointly with
  /// them and then discarded (one-shot KG: n_fantasies * d). 0 for most acquisitions.
  /// Valid after prepare().
  [[nodiscard]] virtual Eigen::Index auxiliary_size() const { return 0; }
  /// Fills the auxiliary coordinates of `row` (size q*d + auxiliary_size()) with a good
  /// start for the candidates in its first q*d entries; the optimizer calls it on every
  /// raw sample before scoring it. Default: nothing to do.
  virtual void complete_auxiliary(Eigen::Ref<Vector> /*row*/) const {}

  /// When positive, the acquisition is maximized over that many fresh random candidates
  /// only, each scored once, with no local search: for acquisitions whose value at a
  /// point is a random draw rather than a smooth function (the CQR searcher's random
  /// quantile). 0 (the default): raw samples, then local searches.
  [[nodiscard]] virtual Eigen::Index candidate_set() const { return 0; }

  /// True when the acquisition chooses the fidelity columns itself (the multi-fidelity
  /// knowledge gradient); for any other the optimizer holds them at the target fidelity.
  [[nodiscard]] virtual bool fidelity_aware() const { return false; }

  /// Binds the acquisition to a model; must be called before evaluate().
  virtual void prepare(const AcquisitionContext& context) = 0;

  /// Acquisition values of the m rows of X (m x q*d) into values (size m). A row's value
  /// depends on that row alone (except for a candidate-set acquisition, whose rows share
  /// one random draw): the inner optimizer splits the rows across threads.
  virtual void evaluate(MatrixCRef X, Eigen::Ref<Vector> values) const = 0;

  /// True when evaluate_with_gradient() is available.
  [[nodiscard]] virtual bool has_gradient() const { return false; }
  /// Value at one row x (size q*d) and its gradient into grad (size q*d).
  /// Default: throws InvalidState.
  virtual double evaluate_with_gradient(VectorCRef x, Eigen::Ref<Vector> grad) const;
};

}  // namespace prospect
