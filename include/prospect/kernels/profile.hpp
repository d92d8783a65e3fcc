// prospect/kernels/profile.hpp — the radial profiles of the stationary kernels.
//
// Kept free of Eigen and the standard library so that the host-and-device element
// functions (kernels/stationary_math.hpp), which nvcc compiles too, can name them.
#pragma once

namespace prospect::kernels {

/// The radial profile g(r) of a stationary kernel k(x, x') = s g(r).
enum class Profile { squared_exponential, matern12, matern32, matern52 };

}  // namespace prospect::kernels
