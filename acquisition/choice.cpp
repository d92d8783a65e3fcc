#include "prospect/acquisition/choice.hpp"

#include <algorithm>
#include <cctype>

#include "prospect/errors.hpp"

namespace prospect::acquisition {

namespace {

template <class T, class Variant>
constexpr bool holds_one_of = false;
template <class T, class... Alternatives>
constexpr bool holds_one_of<T, std::variant<Alternatives...>> = (std::is_same_v<T, Alternatives> ||
                                                                 ...);

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

[[noreturn]] void null_pointer(const char* caller) {
  throw InvalidArgument(std::string(caller) +
                        ": the acquisition pointer is null, expected an Acquisition or one of "
                        "the built-in options (LogEI, qLogNEI, KG, ...)");
}

}  // namespace

std::unique_ptr<Acquisition> make_acquisition(const AcquisitionChoice& choice) {
  return std::visit(
      [](const auto& option) -> std::unique_ptr<Acquisition> {
        using T = std::decay_t<decltype(option)>;
        if constexpr (std::is_same_v<T, std::shared_ptr<const Acquisition>>) {
          if (!option) null_pointer("make_acquisition");
          return option->clone();
        } else if constexpr (holds_one_of<T, AnalyticOptions>) {
          return std::make_unique<AnalyticAcquisition>(AnalyticOptions(option));
        } else if constexpr (holds_one_of<T, MonteCarloOptions>) {
          return make_monte_carlo(MonteCarloOptions(option));
        } else if constexpr (std::is_same_v<T, AugmentedEI>) {
          return std::make_unique<AugmentedExpectedImprovement>(option);
        } else if constexpr (std::is_same_v<T, Thompson>) {
          return std::make_unique<ThompsonSampling>();
        } else if constexpr (std::is_same_v<T, QuantileThompson>) {
          return std::make_unique<QuantileThompsonSampling>(option);
        } else if constexpr (std::is_same_v<T, Quantile>) {
          return std::make_unique<QuantileAcquisition>(option);
        } else {
          return make_knowledge_gradient(KnowledgeGradientChoice(option));
        }
      },
      choice);
}

std::string to_string(const AcquisitionChoice& choice) {
  return std::visit(
      [](const auto& option) -> std::string {
        using T = std::decay_t<decltype(option)>;
        if constexpr (std::is_same_v<T, std::shared_ptr<const Acquisition>>) {
          if (!option) null_pointer("to_string");
          return option->name();
        } else if constexpr (holds_one_of<T, AnalyticOptions>) {
          return analytic_name(AnalyticOptions(option));
        } else if constexpr (holds_one_of<T, MonteCarloOptions>) {
          return monte_carlo_name(MonteCarloOptions(option));
        } else if constexpr (std::is_same_v<T, AugmentedEI>) {
          return "aei";
        } else if constexpr (std::is_same_v<T, Thompson>) {
          return "ts";
        } else if constexpr (std::is_same_v<T, QuantileThompson>) {
          return "quantile_ts";
        } else if constexpr (std::is_same_v<T, Quantile>) {
          return "quantile";
        } else {
          return to_string(KnowledgeGradientChoice(option));
        }
      },
      choice);
}

const std::vector<std::string>& acquisition_names() {
  static const std::vector<std::string> names = {
      "logei", "ei",        "ucb", "pi",   "logpi", "qei", "qlogei",      "qucb",    "qlognei",
      "kg",    "finite_kg", "nei", "mfkg", "aei",   "ts",  "quantile_ts", "quantile"};
  return names;
}

AcquisitionChoice acquisition_from_string(const std::string& name) {
  const std::string n = lower(name);
  if (n == "logei") return LogEI{};
  if (n == "ei") return EI{};
  if (n == "ucb") return UCB{};
  if (n == "pi") return PI{};
  if (n == "logpi") return LogPI{};
  if (n == "qei") return qEI{};
  if (n == "qlogei") return qLogEI{};
  if (n == "qucb") return qUCB{};
  if (n == "qlognei") return qLogNEI{};
  if (n == "kg") return KG{};
  if (n == "finite_kg") return FiniteKG{};
  if (n == "mfkg") return MFKG{};
  if (n == "aei") return AugmentedEI{};
  if (n == "ts") return Thompson{};
  if (n == "quantile_ts") return QuantileThompson{};
  if (n == "quantile") return Quantile{};
  if (n == "nei") {
    FiniteKG nei;
    nei.noisy_ei = true;
    return nei;
  }
  std::string valid;
  for (const auto& v : acquisition_names()) valid += (valid.empty() ? "" : ", ") + v;
  throw InvalidArgument("acquisition name \"" + name + "\" is unknown, expected one of: " + valid);
}

}  // namespace prospect::acquisition
