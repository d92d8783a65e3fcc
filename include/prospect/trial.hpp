// prospect/trial.hpp — one evaluation of the objective: its parameters and outcome.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "prospect/params.hpp"

namespace prospect {

/// Where a trial stands: asked and not yet told (pending), told a value
/// (complete), told a failure (failed), or given up by its worker (abandoned).
enum class TrialStatus { pending, complete, failed, abandoned };

/// "pending" / "complete" / "failed" / "abandoned".
[[nodiscard]] const char* to_string(TrialStatus status);
/// Parses the names to_string gives; throws InvalidArgument otherwise.
[[nodiscard]] TrialStatus trial_status_from_string(const std::string& name);

/// One evaluation of the objective.
struct Trial {
  /// Unique within a study, assigned in ask order starting at 0.
  std::uint64_t id = 0;
  /// The point evaluated, in the user's units.
  Params params;
  TrialStatus status = TrialStatus::pending;
  /// The objective value, in the user's units (not negated for minimization);
  /// set when status is complete.
  std::optional<double> value;
  /// The cost of the evaluation as measured and passed to tell(id, value, cost); empty
  /// when the study's cost model gives it (Optimizer::cost() says what it counts).
  std::optional<double> cost;
  /// Why the trial failed or was abandoned; empty otherwise.
  std::string message;
  /// Intermediate (step, value) reports, in report order, in the user's units.
  std::vector<std::pair<long, double>> intermediate;

  bool operator==(const Trial&) const = default;
};

}  // namespace prospect
