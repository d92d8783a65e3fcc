// prospect/scheduler.hpp — early stopping of trials from their learning curves.
//
// A trial that reports intermediate values (Optimizer::report(id, step, value): a
// validation score after `step` epochs, boosting rounds, mesh refinements ...) can be
// stopped early by a scheduler, so that the budget goes to promising configurations.
// The scheduler only decides continue/stop; which configuration to try next is the
// searcher's (the study's surrogate and acquisition, or random search), so every
// searcher runs under every scheduler.
//
// Asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel
// Hyperparameter Tuning", MLSys 2020), in its stopping form (Ray Tune's ASHAScheduler,
// Syne Tune's type="stopping"): rungs sit at the resources r_k = grace_period * eta^k
// below max_resource. The first time a trial reports a step >= r_k its value is recorded
// at rung k, and it continues only if that value ranks among the best ceil(n / eta) of
// the n values recorded at rung k so far (its own included; ties count in its favour).
// So the first trial at a rung always continues, and over time about 1/eta of the trials
// reaching a rung go on to the next. Decisions are final and need no pausing: a stopped
// trial is simply told its last value. (The promotion form of ASHA pauses trials and
// resumes them later; it needs checkpointing workers, which an ask/tell loop cannot
// assume.) A report that jumps over several rungs is recorded, and judged, at each.
//
// Units: steps are the user's resource units (epochs ...), integers >= 1; values are in
// the user's units and sign (Direction decides what "best" means).
// Cost: report() is O(n_k) for the n_k values at the rung it reaches (a rank count);
// memory O(total rung entries).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "prospect/types.hpp"

namespace prospect {

namespace schedulers {

/// No scheduler: every trial runs to the end (the default). Intermediate reports are
/// recorded on the trial and nothing else.
struct None {};

/// Asynchronous successive halving (stopping form; see the header comment).
struct ASHA {
  /// eta > 1: about 1/eta of the trials reaching a rung continue past it.
  double reduction_factor = 3.0;
  /// The first rung (r_0 >= 1, in steps): no trial is stopped before it.
  long grace_period = 1;
  /// The resource at which a trial is complete (steps); rungs lie below it, and reports
  /// beyond it are refused.
  long max_resource = 81;

  /// Every problem with these options, empty when valid. Never throws.
  [[nodiscard]] std::vector<std::string> validate() const;
};

}  // namespace schedulers

/// Which scheduler a study uses (Options::scheduler).
using SchedulerChoice = std::variant<schedulers::None, schedulers::ASHA>;
/// "none" or "asha".
[[nodiscard]] std::string to_string(const SchedulerChoice& choice);

/// The ASHA decision rule as a value type, usable with any searcher (the Optimizer holds
/// one when Options::scheduler is ASHA; a user with a searcher of their own can drive
/// one directly).
class AsyncSuccessiveHalving {
 public:
  /// One recorded value at a rung.
  struct Entry {
    std::uint64_t id = 0;
    double value = 0.0;
    bool operator==(const Entry&) const = default;
  };

  /// Throws InvalidOptions listing every problem of `options`.
  explicit AsyncSuccessiveHalving(schedulers::ASHA options = {},
                                  Direction direction = Direction::minimize);

  /// Records a report of trial `id` and returns true when it may continue, false when it
  /// should stop (and stays stopped: later reports of it change nothing). Throws
  /// InvalidArgument (unchanged on throw) for a non-finite value, a step < 1 or beyond
  /// max_resource, or a step not above the trial's previous one.
  bool report(std::uint64_t id, long step, double value);
  /// True once a report of `id` was judged a stop.
  [[nodiscard]] bool stopped(std::uint64_t id) const;
  /// The rung resources r_0 < r_1 < ... < max_resource.
  [[nodiscard]] const std::vector<long>& rungs() const { return rungs_; }
  /// The values recorded at rung k, in arrival order. Throws InvalidArgument for k outside
  /// [0, rungs().size()).
  [[nodiscard]] const std::vector<Entry>& entries(std::size_t k) const;
  [[nodiscard]] const schedulers::ASHA& options() const { return options_; }
  [[nodiscard]] Direction direction() const { return direction_; }

  /// Rebuilds the decisions of a saved study: replays the reports (id, step, value) in
  /// their original order. Equivalent to report() on each; throws as report().
  void replay(const std::vector<std::tuple<std::uint64_t, long, double>>& reports);

 private:
  // Does `value` rank among the best ceil(n / eta) of the n entries (itself included)?
  [[nodiscard]] bool continues(const std::vector<Entry>& rung, double value) const;

  schedulers::ASHA options_;
  Direction direction_;
  std::vector<long> rungs_;
  std::vector<std::vector<Entry>> entries_;
  std::map<std::uint64_t, long> last_step_;  // per trial: the last step reported
  std::map<std::uint64_t, bool> stopped_;
};

}  // namespace prospect
