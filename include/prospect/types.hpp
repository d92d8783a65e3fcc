// prospect/types.hpp — small vocabulary shared by every part.
#pragma once

#include <Eigen/Core>
#include <string>

namespace prospect {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
using MatrixCRef = Eigen::Ref<const Eigen::MatrixXd>;
using VectorCRef = Eigen::Ref<const Eigen::VectorXd>;

/// Whether the objective is to be minimized or maximized. Internally every model
/// and acquisition MAXIMIZES; a minimized objective is negated at tell() and the
/// sign is restored in every number shown to the user.
enum class Direction { minimize, maximize };

/// "minimize" / "maximize".
[[nodiscard]] const char* to_string(Direction direction);
/// Parses "minimize"/"min"/"maximize"/"max"; throws InvalidArgument otherwise.
[[nodiscard]] Direction direction_from_string(const std::string& name);

}  // namespace prospect
