// Trial status names.
#include "prospect/trial.hpp"

#include "prospect/errors.hpp"

namespace prospect {

const char* to_string(TrialStatus status) {
  switch (status) {
    case TrialStatus::pending:
      return "pending";
    case TrialStatus::complete:
      return "complete";
    case TrialStatus::failed:
      return "failed";
    case TrialStatus::abandoned:
      return "abandoned";
  }
  return "unknown";
}

TrialStatus trial_status_from_string(const std::string& name) {
  for (auto status :
       {TrialStatus::pending, TrialStatus::complete, TrialStatus::failed, TrialStatus::abandoned}) {
    if (name == to_string(status)) return status;
  }
  throw InvalidArgument("trial status: got \"" + name +
                        "\", expected \"pending\", \"complete\", \"failed\" or \"abandoned\"");
}

}  // namespace prospect
