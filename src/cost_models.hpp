// Builds a study's cost model (Options::cost) for its space and trials.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "prospect/acquisition/cost_model.hpp"
#include "prospect/space.hpp"
#include "prospect/trial.hpp"

namespace prospect::detail {

/// AffineCost in encoded coordinates. Throws InvalidArgument when the weights do not
/// match the space's fidelity parameters or the cost is not positive everywhere.
std::shared_ptr<const acquisition::CostModel> make_affine_cost(const acquisition::AffineCost& cost,
                                                               const Space& space);

/// The cost model of `choice` for `space`: affine, the user's function through the
/// space's decoding, or a GP on log cost fitted (seed `seed`) on the trials that carry
/// a measured cost (the fallback until there are min_observations of them).
/// O(1) except the learned model's fit, O(R E n^3) on n costed trials.
std::shared_ptr<const acquisition::CostModel> make_cost_model(const acquisition::CostChoice& choice,
                                                              const Space& space,
                                                              const std::vector<Trial>& trials,
                                                              std::uint64_t seed);

}  // namespace prospect::detail
