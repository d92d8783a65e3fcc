// surrogates/data_checks.hpp — input checks shared by the surrogates' fit() and predict():
// each throws InvalidArgument naming the matrix, the entry, its value and what was expected.
#pragma once

#include "prospect/types.hpp"

namespace prospect::detail {

/// How far outside [0, 1] a coordinate may be (rounding of the space's encoding).
inline constexpr double kUnitCubeTolerance = 1e-9;

/// Every entry of X finite.
void check_finite_matrix(MatrixCRef X, const char* name);
/// Every entry of X finite and in [0, 1] (within kUnitCubeTolerance).
void check_unit_cube(MatrixCRef X, const char* name);
/// Every entry of v finite.
void check_finite_vector(VectorCRef v, const char* name);

}  // namespace prospect::detail
