#include "src/cost_models.hpp"

#include <cmath>
#include <string>

#include "prospect/errors.hpp"
#include "prospect/kernels/stationary.hpp"
#include "prospect/surrogates/gaussian_process.hpp"

namespace prospect::detail {

std::shared_ptr<const acquisition::CostModel> make_affine_cost(const acquisition::AffineCost& cost,
                                                               const Space& space) {
  const auto m = static_cast<std::size_t>(space.fidelity_dimension());
  if (!cost.weights.empty() && cost.weights.size() != m) {
    throw InvalidArgument("AffineCost.weights: got " + std::to_string(cost.weights.size()) +
                          " weights, expected one per fidelity parameter (" + std::to_string(m) +
                          ") or none (all 1)");
  }
  std::vector<acquisition::AffineTerm> terms;
  std::size_t k = 0;
  for (const auto& p : space.parameters()) {
    if (!p.fidelity) continue;
    terms.push_back({p.column, p.lower, p.upper,
                     p.type == ParameterType::real && p.scale == Scale::log,
                     cost.weights.empty() ? 1.0 : cost.weights[k]});
    ++k;
  }
  return std::make_shared<acquisition::AffineCostModel>(space.dimension(), cost.fixed,
                                                        std::move(terms));
}

std::shared_ptr<const acquisition::CostModel> make_cost_model(const acquisition::CostChoice& choice,
                                                              const Space& space,
                                                              const std::vector<Trial>& trials,
                                                              std::uint64_t seed) {
  if (const auto* affine = std::get_if<acquisition::AffineCost>(&choice)) {
    return make_affine_cost(*affine, space);
  }
  if (const auto* user = std::get_if<acquisition::UserCost>(&choice)) {
    auto f = user->cost;
    return std::make_shared<acquisition::FunctionCostModel>(
        space.dimension(), [space, f](VectorCRef u) { return f(space.decode(u)); });
  }
  const auto& learned = std::get<acquisition::LearnedCost>(choice);
  std::vector<const Trial*> costed;
  for (const auto& t : trials) {
    if (t.cost) costed.push_back(&t);
  }
  if (costed.size() < static_cast<std::size_t>(learned.min_observations)) {
    return make_affine_cost(learned.fallback, space);
  }
  Dataset data;
  data.X.resize(static_cast<Eigen::Index>(costed.size()), space.dimension());
  data.y.resize(static_cast<Eigen::Index>(costed.size()));
  for (std::size_t i = 0; i < costed.size(); ++i) {
    data.X.row(static_cast<Eigen::Index>(i)) = space.encode(costed[i]->params).transpose();
    data.y(static_cast<Eigen::Index>(i)) = std::log(*costed[i]->cost);
  }
  auto gp = std::make_shared<GaussianProcess>(kernels::Matern52{});
  gp->fit(data, seed);
  return std::make_shared<acquisition::LearnedCostModel>(std::move(gp));
}

}  // namespace prospect::detail
