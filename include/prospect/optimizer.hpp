// prospect/optimizer.hpp — the ask/tell loop, the centre of a user's world.
//
//   prospect::Optimizer opt(space, options);
//   prospect::Trial t = opt.ask();          // a design to evaluate (pending)
//   opt.tell(t.id, objective(t.params));     // or opt.tell_failed(t.id, "diverged")
//   opt.best();                              // the recommendation
//   opt.save("study.json");                  // atomic; Optimizer::load resumes exactly
//
// Cost of ask() after the initial design, n completed trials in d encoded dimensions:
// one surrogate fit (GP: O(R E n^3)), pending points conditioned in O(n^2) each, and
// the inner optimization (raw_samples + restarts * max_evaluations acquisition
// evaluations of O(n d + n^2) each). tell() is O(1); save() is O(n d).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "prospect/options.hpp"
#include "prospect/space.hpp"
#include "prospect/trial.hpp"

namespace prospect {

/// A study: the space, the options, every trial, and the model state.
class Optimizer {
 public:
  /// Builds a study. Throws InvalidArgument for an empty space and InvalidOptions
  /// listing every problem of `options`, including impossible combinations.
  Optimizer(Space space, Options options = {});
  Optimizer(const Optimizer& other);
  Optimizer& operator=(const Optimizer& other);
  Optimizer(Optimizer&&) noexcept;
  Optimizer& operator=(Optimizer&&) noexcept;
  ~Optimizer();

  /// The next design to evaluate: an enqueued point, else the initial design, else
  /// the acquisition's maximizer with all pending trials taken into account. Never a
  /// point within 1e-6 (unit cube, every coordinate) of one asked before, whatever its
  /// status, except an enqueued one: when the acquisition's maximizer is such a point,
  /// the best of 256 fresh Sobol points by acquisition value is asked instead.
  Trial ask();
  /// q designs at once for q parallel workers, distinct and pending-aware.
  /// Throws InvalidArgument for q < 1.
  std::vector<Trial> ask(int q);

  /// Records the objective value of a pending trial (in the user's units and sign).
  /// Throws UnknownTrial, InvalidState (not pending: told, failed or abandoned
  /// already) or InvalidArgument (NaN/inf with NonFinitePolicy::refuse). The study
  /// is unchanged on throw.
  void tell(std::uint64_t id, double value);
  /// tell() with the measured cost of the evaluation (the user's cost units, > 0): it
  /// counts in cumulative_cost() and trains a LearnedCost model. Throws InvalidArgument
  /// for a cost that is not positive and finite, and as tell(); unchanged on throw.
  void tell(std::uint64_t id, double value, double cost);
  /// Records that the evaluation of a pending trial failed; it is not used by the
  /// model, and its point is not proposed again.
  void tell_failed(std::uint64_t id, const std::string& reason);
  /// Records an intermediate value of a pending trial: its score after `step` units of
  /// resource (epochs, boosting rounds ...; the user's units and sign). Steps start at 1
  /// and increase strictly per trial. With a scheduler (Options::scheduler) the report may
  /// decide that the trial should stop (should_stop()), and the searcher learns from it
  /// at once (a running trial contributes its last report). Throws UnknownTrial,
  /// InvalidState (not pending) or InvalidArgument (a non-finite value, a step not above
  /// the previous one, a step beyond the scheduler's max_resource); unchanged on throw.
  /// O(1) without a scheduler; ASHA: O(trials at the rung reached).
  void report(std::uint64_t id, long step, double value);
  /// True when the scheduler decided, from the reports so far, that trial `id` should
  /// stop: end its training and tell() its last value. Always false without a scheduler.
  /// Throws UnknownTrial.
  [[nodiscard]] bool should_stop(std::uint64_t id) const;
  /// Withdraws a pending trial (a worker that will never answer).
  void mark_abandoned(std::uint64_t id);
  /// Puts a user's point first in line: the next ask() returns it. Throws
  /// InvalidArgument for incomplete params or params of another space.
  void enqueue(const Params& params);

  /// The recommended trial: the best observed value when the objective is
  /// noiseless, the completed trial with the best posterior mean otherwise. In a
  /// multi-fidelity study, the completed design with the best posterior mean AT THE
  /// TARGET FIDELITY (never a cheap low-fidelity value); when it ran at a lower fidelity,
  /// the trial is returned with its fidelity parameters set to the targets, `value` the
  /// model's posterior mean there and a `message` saying so. While the surrogate cannot be
  /// fitted to the results (Surrogate::can_fit), the best observed value.
  /// Throws InvalidState when no trial has completed.
  [[nodiscard]] Trial best() const;

  /// The model's optimum, evaluated or not: the point of the space maximizing the
  /// posterior mean (with the objective's sign) at the target fidelity, found by
  /// multi-start L-BFGS from the completed designs and 512 Sobol points (BoTorch's
  /// multi-fidelity recommendation). `mean` and `stddev` are the model's belief there in
  /// the user's units and sign. Throws InvalidState when no trial has completed, or the
  /// surrogate cannot be fitted to the results yet (Surrogate::can_fit). Cost: a
  /// model fit when the model is stale, then about 2500 posterior-mean evaluations.
  struct Recommendation {
    Params params;        ///< the design, fidelity parameters at their targets
    double mean = 0.0;    ///< posterior mean of the objective there (user's sign)
    double stddev = 0.0;  ///< posterior standard deviation there
  };
  [[nodiscard]] Recommendation recommend() const;

  /// The cost of every finished (complete or failed) trial so far: the measured cost
  /// where tell() was given one, the cost model's otherwise. O(trials) (plus a refit of a
  /// LearnedCost model when new costs came in).
  [[nodiscard]] double cumulative_cost() const;
  /// What the study's cost model predicts for evaluating `params`. Throws as
  /// Space::encode, and what a UserCost function throws.
  [[nodiscard]] double cost(const Params& params) const;

  /// Every trial so far, in id order.
  [[nodiscard]] const std::vector<Trial>& trials() const;
  /// One trial; throws UnknownTrial.
  [[nodiscard]] const Trial& trial(std::uint64_t id) const;
  /// Counts by status.
  [[nodiscard]] std::size_t n_complete() const;
  [[nodiscard]] std::size_t n_pending() const;

  [[nodiscard]] const Space& space() const;
  [[nodiscard]] const Options& options() const;
  /// The fitted surrogate of the last model-based ask (nullptr before one).
  [[nodiscard]] const Surrogate* model() const;
  /// Wall time of the last ask() in seconds.
  [[nodiscard]] double last_ask_seconds() const;

  /// Writes the whole study as versioned JSON, atomically (temporary file, flush,
  /// rename): a crash mid-write leaves the previous file intact. Throws IoError;
  /// the study is unchanged in any case.
  void save(const std::string& path) const;
  /// Loads a study saved by save(); its next ask equals the original's. Built-in
  /// surrogates and acquisitions are restored from the file; a study that used a
  /// user's own Surrogate or Acquisition needs them again through `options`
  /// (their other fields are then taken from the file). Throws StudyFileError for
  /// a missing, truncated, foreign or newer-version file.
  [[nodiscard]] static Optimizer load(const std::string& path);
  [[nodiscard]] static Optimizer load(const std::string& path, const Options& options);

  /// The study file format version written by save().
  static constexpr int format_version = 1;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

/// What minimize() reports after each evaluation.
struct Iteration {
  std::size_t evaluation = 0;    ///< 1-based count of finished evaluations
  std::size_t budget = 0;        ///< total evaluations asked for
  const Trial* trial = nullptr;  ///< the trial just finished
  const Trial* best = nullptr;   ///< the current recommendation (nullptr if none)
  double ask_seconds = 0.0;      ///< time of the ask that produced `trial`
  /// Cumulative cost so far (Optimizer::cumulative_cost()) in a multi-fidelity study or
  /// with a cost budget; 0 otherwise.
  double cost = 0.0;
  const Optimizer* optimizer = nullptr;
};

/// Why minimize() returned.
enum class Termination { budget_exhausted, cost_budget_exhausted, callback_stopped };
[[nodiscard]] const char* to_string(Termination termination);

/// What minimize() returns.
struct Result {
  Trial best;                 ///< the recommendation
  std::vector<Trial> trials;  ///< every trial in id order
  Termination termination = Termination::budget_exhausted;
  double seconds = 0.0;      ///< total wall time
  double ask_seconds = 0.0;  ///< time spent in ask()
  /// Cumulative cost (multi-fidelity studies and cost budgets; 0 otherwise).
  double cost = 0.0;
  /// "budget exhausted: best 0.3979 at x=3.14, y=2.27 after 50 evaluations (1.2 s, 0.4 s in ask)".
  [[nodiscard]] std::string brief_report() const;
  /// Every trial with its value, one per line, after the brief report.
  [[nodiscard]] std::string full_report() const;
};

/// What an objective with learning curves reports through (minimize()'s second form).
class Reporter {
 public:
  Reporter(Optimizer& optimizer, std::uint64_t id) : optimizer_(&optimizer), id_(id) {}
  /// Reports the objective's value after `step` units of resource (Optimizer::report).
  /// Returns false when the study's scheduler stops the trial: return the last value then.
  /// Throws as Optimizer::report().
  bool report(long step, double value);
  /// The trial being evaluated.
  [[nodiscard]] std::uint64_t trial_id() const { return id_; }

 private:
  Optimizer* optimizer_;
  std::uint64_t id_;
};

/// Return false from the callback to stop early.
using IterationCallback = std::function<bool(const Iteration&)>;

/// Optimizes `objective` over `space` with `budget` evaluations (its sign follows
/// options.direction), stopping earlier once the cumulative cost reaches
/// options.cost_budget when that is set. An exception thrown by the objective is recorded as a
/// failed trial with its message, and the loop goes on. With options.progress a progress line per
/// evaluation goes to stderr. Throws InvalidArgument for budget < 1.
Result minimize(const std::function<double(const Params&)>& objective, const Space& space,
                int budget, const Options& options = {}, const IterationCallback& callback = {});

/// minimize() for an objective with a learning curve: it trains step by step, calling
/// reporter.report(step, value) as it goes, and returns its final value early when
/// report() returns false (the study's scheduler, e.g. schedulers::ASHA, stopped it).
/// `budget` counts trials, whatever resource each used.
Result minimize(const std::function<double(const Params&, Reporter&)>& objective,
                const Space& space, int budget, const Options& options = {},
                const IterationCallback& callback = {});

}  // namespace prospect
