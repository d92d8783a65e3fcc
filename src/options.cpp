#include "prospect/options.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"

namespace prospect {

std::string to_string(const SurrogateChoice& choice) {
  return std::visit(
      [](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, surrogates::GP>) {
          return std::string("gp(") +
                 (c.custom_kernel ? c.custom_kernel->name() : kernels::to_string(c.kernel)) + ")";
        } else if constexpr (std::is_same_v<T, surrogates::CoKriging>) {
          return std::string("cokriging_ar1(") + kernels::to_string(c.base) + ")";
        } else if constexpr (std::is_same_v<T, surrogates::NARGP>) {
          return "nargp";
        } else if constexpr (std::is_same_v<T, surrogates::NNGP>) {
          return "gp(nngp)";
        } else if constexpr (std::is_same_v<T, surrogates::HMC>) {
          return "hmc_bnn";
        } else if constexpr (std::is_same_v<T, surrogates::DeepEnsemble>) {
          return "deep_ensemble";
        } else if constexpr (std::is_same_v<T, surrogates::RandomSearch>) {
          return "random";
        } else if constexpr (std::is_same_v<T, surrogates::CQR>) {
          return "cqr";
        } else {
          return c ? c->name() : std::string("(null surrogate)");
        }
      },
      choice);
}

const char* to_string(Noise noise) {
  return noise == Noise::learned ? "learned" : "none";
}

Noise noise_from_string(const std::string& name) {
  if (name == "learned") return Noise::learned;
  if (name == "none") return Noise::none;
  throw InvalidArgument("noise: got \"" + name + "\", expected \"learned\" or \"none\"");
}

const char* to_string(PendingStrategy strategy) {
  switch (strategy) {
    case PendingStrategy::kriging_believer:
      return "kriging_believer";
    case PendingStrategy::constant_liar_min:
      return "constant_liar_min";
    case PendingStrategy::constant_liar_mean:
      return "constant_liar_mean";
    case PendingStrategy::constant_liar_max:
      return "constant_liar_max";
  }
  return "?";
}

PendingStrategy pending_strategy_from_string(const std::string& name) {
  for (auto s : {PendingStrategy::kriging_believer, PendingStrategy::constant_liar_min,
                 PendingStrategy::constant_liar_mean, PendingStrategy::constant_liar_max}) {
    if (name == to_string(s)) return s;
  }
  throw InvalidArgument("pending strategy: got \"" + name +
                        "\", expected kriging_believer, constant_liar_min, constant_liar_mean "
                        "or constant_liar_max");
}

const char* to_string(BatchSelection selection) {
  return selection == BatchSelection::joint ? "joint" : "sequential";
}

BatchSelection batch_selection_from_string(const std::string& name) {
  if (name == "joint") return BatchSelection::joint;
  if (name == "sequential") return BatchSelection::sequential;
  throw InvalidArgument("batch selection: got \"" + name + "\", expected joint or sequential");
}

const char* to_string(NonFinitePolicy policy) {
  return policy == NonFinitePolicy::refuse ? "refuse" : "record_failed";
}

std::vector<std::string> Options::validate() const {
  std::vector<std::string> problems;
  if (n_initial < 0) {
    problems.push_back("n_initial: got " + std::to_string(n_initial) +
                       ", expected 0 (automatic) or a positive count");
  }
  if (refit_every < 1) {
    problems.push_back("refit_every: got " + std::to_string(refit_every) + ", expected >= 1");
  }
  if (threads < 0) {
    problems.push_back("threads: got " + std::to_string(threads) + ", expected >= 0 (0: default)");
  }
  for (const auto& p : device.validate()) problems.push_back(p);
  if (device.device == Device::cuda) {
    const DeviceInfo info = cuda_device_info(device.device_id);
    if (!info.available) {
      problems.push_back("device: got \"cuda\", but " + info.brief_report() +
                         "; use Device::automatic (the GPU when present) or Device::cpu");
    }
  }
  for (const auto& p : inner.validate()) problems.push_back("inner." + p);
  if (const auto* gp = std::get_if<surrogates::GP>(&surrogate)) {
    for (const auto& p : gp->gp.validate()) problems.push_back("surrogate.gp." + p);
    for (std::size_t i = 0; i < gp->rival_kernels.size(); ++i) {
      const kernels::Profile rival = gp->rival_kernels[i];
      const bool repeated =
          rival == gp->kernel ||
          std::find(gp->rival_kernels.begin(), gp->rival_kernels.begin() + static_cast<long>(i),
                    rival) != gp->rival_kernels.begin() + static_cast<long>(i);
      if (repeated) {
        problems.push_back("surrogate.rival_kernels[" + std::to_string(i) + "]: got \"" +
                           kernels::to_string(rival) +
                           "\" twice (or as surrogate.kernel too), expected distinct profiles");
      }
    }
    if (gp->custom_kernel && !gp->rival_kernels.empty()) {
      problems.push_back("surrogate.rival_kernels: got " +
                         std::to_string(gp->rival_kernels.size()) +
                         " profiles with a custom_kernel, expected none (rivals are "
                         "profiles of the built-in kernel)");
    }
  } else if (const auto* ck = std::get_if<surrogates::CoKriging>(&surrogate)) {
    for (const auto& p : ck->gp.validate()) problems.push_back("surrogate.gp." + p);
  } else if (const auto* nargp = std::get_if<surrogates::NARGP>(&surrogate)) {
    for (const auto& p : nargp->options.validate()) problems.push_back("surrogate.options." + p);
  } else if (const auto* nngp = std::get_if<surrogates::NNGP>(&surrogate)) {
    for (const auto& p : nngp->gp.validate()) problems.push_back("surrogate.gp." + p);
    try {
      nngp->kernel.validate();
    } catch (const InvalidArgument& e) {
      problems.push_back(std::string("surrogate.kernel: ") + e.what());
    }
  } else if (const auto* hmc = std::get_if<surrogates::HMC>(&surrogate)) {
    for (const auto& p : hmc->options.validate()) problems.push_back("surrogate.options." + p);
  } else if (const auto* ens = std::get_if<surrogates::DeepEnsemble>(&surrogate)) {
    for (const auto& p : ens->options.validate()) problems.push_back("surrogate.options." + p);
  } else if (const auto* cqr = std::get_if<surrogates::CQR>(&surrogate)) {
    for (const auto& p : cqr->options.validate()) problems.push_back("surrogate.options." + p);
  } else if (std::holds_alternative<surrogates::RandomSearch>(surrogate)) {
    // nothing to check
  } else if (!std::get<std::shared_ptr<const Surrogate>>(surrogate)) {
    problems.push_back(
        "surrogate: got a null Surrogate pointer, expected a model or surrogates::GP{}");
  }
  if (const auto* user = std::get_if<std::shared_ptr<const Acquisition>>(&acquisition);
      user && !*user) {
    problems.push_back(
        "acquisition: got a null Acquisition pointer, expected an acquisition or "
        "acquisition::LogEI{}");
  }
  if (const auto* ucb = std::get_if<acquisition::UCB>(&acquisition); ucb && !(ucb->beta > 0.0)) {
    problems.push_back("acquisition.beta: got " + std::to_string(ucb->beta) + ", expected > 0");
  }
  if (const auto* asha = std::get_if<schedulers::ASHA>(&scheduler)) {
    for (const auto& p : asha->validate()) problems.push_back(p);
  }
  if (!(std::isfinite(cost_budget) && cost_budget >= 0.0)) {
    problems.push_back("cost_budget: got " + detail::format_number(cost_budget) +
                       ", expected 0 (no cost budget) or a positive finite cost");
  }
  const auto check_affine = [&](const acquisition::AffineCost& a, const std::string& where) {
    if (!std::isfinite(a.fixed)) {
      problems.push_back(where + ".fixed: got " + detail::format_number(a.fixed) +
                         ", expected a finite cost");
    }
    for (const double w : a.weights) {
      if (!std::isfinite(w)) {
        problems.push_back(where + ".weights: got " + detail::format_number(w) +
                           ", expected finite weights");
      }
    }
  };
  if (const auto* affine = std::get_if<acquisition::AffineCost>(&cost)) {
    check_affine(*affine, "cost");
  } else if (const auto* learned = std::get_if<acquisition::LearnedCost>(&cost)) {
    if (learned->min_observations < 2) {
      problems.push_back("cost.min_observations: got " + std::to_string(learned->min_observations) +
                         ", expected >= 2");
    }
    check_affine(learned->fallback, "cost.fallback");
  } else if (!std::get<acquisition::UserCost>(cost).cost) {
    problems.push_back("cost: got a UserCost with an empty function, expected a callable");
  }
  return problems;
}

}  // namespace prospect
