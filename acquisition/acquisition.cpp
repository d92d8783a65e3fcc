#include "prospect/acquisition/acquisition.hpp"

#include "prospect/errors.hpp"

namespace prospect {

double Acquisition::evaluate_with_gradient(VectorCRef, Eigen::Ref<Vector>) const {
  throw InvalidState("acquisition \"" + name() +
                     "\" has no gradient; the optimizer must use a derivative-free method");
}

}  // namespace prospect
