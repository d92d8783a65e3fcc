#include "prospect/acquisition/acquisition.hpp"

#include <string>

#include "prospect/errors.hpp"

namespace prospect {

double Acquisition::evaluate_with_gradient(VectorCRef, Eigen::Ref<Vector>) const {
  throw InvalidState("acquisition \"" + name() +
                     "\" has no gradient; the optimizer must use a derivative-free method");
}

void Acquisition::set_batch_size(Eigen::Index q) {
  throw InvalidState("acquisition \"" + name() +
                     "\" scores one point at a time (asked for q = " + std::to_string(q) +
                     "); the optimizer asks for q points greedily with it instead");
}

}  // namespace prospect
