#include "prospect/scheduler.hpp"

#include <cmath>
#include <limits>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"

namespace prospect {

std::vector<std::string> schedulers::ASHA::validate() const {
  std::vector<std::string> problems;
  if (!(std::isfinite(reduction_factor) && reduction_factor > 1.0)) {
    problems.push_back("scheduler.reduction_factor: got " +
                       detail::format_number(reduction_factor) + ", expected a number > 1");
  }
  if (grace_period < 1) {
    problems.push_back("scheduler.grace_period: got " + std::to_string(grace_period) +
                       ", expected at least 1 step");
  }
  if (max_resource <= grace_period) {
    problems.push_back("scheduler.max_resource: got " + std::to_string(max_resource) +
                       ", expected more steps than grace_period (" + std::to_string(grace_period) +
                       ")");
  }
  return problems;
}

std::string to_string(const SchedulerChoice& choice) {
  return std::holds_alternative<schedulers::ASHA>(choice) ? "asha" : "none";
}

AsyncSuccessiveHalving::AsyncSuccessiveHalving(schedulers::ASHA options, Direction direction)
    : options_(options), direction_(direction) {
  if (const auto problems = options_.validate(); !problems.empty()) {
    std::string message = "invalid ASHA options: ";
    for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    throw InvalidOptions(message);
  }
  // r_k = grace * eta^k, rounded to whole steps; a rung that rounds onto the previous one
  // (eta close to 1) is skipped.
  for (double r = static_cast<double>(options_.grace_period);
       r < static_cast<double>(options_.max_resource); r *= options_.reduction_factor) {
    const auto step = static_cast<long>(std::llround(r));
    if (step >= options_.max_resource) break;
    if (rungs_.empty() || step > rungs_.back()) rungs_.push_back(step);
  }
  entries_.resize(rungs_.size());
}

bool AsyncSuccessiveHalving::continues(const std::vector<Entry>& rung, double value) const {
  const bool minimize = direction_ == Direction::minimize;
  std::size_t better = 0;
  for (const Entry& e : rung) {
    if (minimize ? e.value < value : e.value > value) ++better;
  }
  const std::size_t n = rung.size() + 1;  // the new value included
  const auto keep =
      static_cast<std::size_t>(std::ceil(static_cast<double>(n) / options_.reduction_factor));
  return better < keep;
}

bool AsyncSuccessiveHalving::report(std::uint64_t id, long step, double value) {
  if (!std::isfinite(value)) {
    throw InvalidArgument("report value: got " + detail::format_number(value) + " for trial " +
                          std::to_string(id) + ", expected a finite number");
  }
  if (step < 1 || step > options_.max_resource) {
    throw InvalidArgument(
        "report step: got " + std::to_string(step) + " for trial " + std::to_string(id) +
        ", expected a step in [1, max_resource = " + std::to_string(options_.max_resource) + "]");
  }
  const auto last = last_step_.find(id);
  if (last != last_step_.end() && step <= last->second) {
    throw InvalidArgument("report step: got " + std::to_string(step) + " for trial " +
                          std::to_string(id) + ", expected a step above its previous report (" +
                          std::to_string(last->second) + ")");
  }
  const long previous = last == last_step_.end() ? 0 : last->second;
  last_step_[id] = step;
  if (stopped(id)) return false;
  bool go_on = true;
  for (std::size_t k = 0; k < rungs_.size(); ++k) {
    if (rungs_[k] <= previous || rungs_[k] > step) continue;
    go_on = go_on && continues(entries_[k], value);
    entries_[k].push_back({id, value});
  }
  if (!go_on) stopped_[id] = true;
  return go_on;
}

bool AsyncSuccessiveHalving::stopped(std::uint64_t id) const {
  return stopped_.count(id) > 0;
}

const std::vector<AsyncSuccessiveHalving::Entry>& AsyncSuccessiveHalving::entries(
    std::size_t k) const {
  if (k >= entries_.size()) {
    throw InvalidArgument("rung: got " + std::to_string(k) + ", expected one of the " +
                          std::to_string(entries_.size()) + " rungs");
  }
  return entries_[k];
}

void AsyncSuccessiveHalving::replay(
    const std::vector<std::tuple<std::uint64_t, long, double>>& reports) {
  for (const auto& [id, step, value] : reports) report(id, step, value);
}

}  // namespace prospect
