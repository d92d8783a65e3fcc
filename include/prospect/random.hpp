// prospect/random.hpp — seeded random numbers and quasi-random designs.
//
// Everything random in prospect derives from one user seed through derive_seed(),
// so results do not depend on thread count or call order across threads.
#pragma once

#include <cstdint>
#include <random>

#include "prospect/types.hpp"

namespace prospect {

/// A seeded pseudo-random generator (64-bit Mersenne twister).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  /// Uniform on [0, 1): a multiple of 2^-53 from the top 53 bits of one draw.
  /// Portable: the same seed gives the same numbers with every standard library.
  double uniform();
  /// Standard normal (Box-Muller from two uniform() draws). Portable as uniform().
  double normal();
  /// Uniform integer in [0, n), unbiased (rejection). Throws InvalidArgument if n == 0.
  std::uint64_t below(std::uint64_t n);
  /// A vector of n standard normals (n calls to normal()). Throws InvalidArgument if n < 0.
  Vector normal_vector(Eigen::Index n);
  /// The underlying engine, for std:: distributions.
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

/// A well-mixed seed for sub-stream `stream` of `seed` (SplitMix64 finalizer), so
/// that parallel work item i uses derive_seed(seed, i) whatever thread runs it.
[[nodiscard]] std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream);

/// n points of a randomly shifted Sobol sequence in [0, 1)^d, one point per row.
/// The rows are the first n points of the 32-bit Sobol sequence (Boost.Random's
/// direction numbers) INCLUDING its initial all-zero point, so every leading block
/// of 2^m rows is a (t, m, s)-net; each coordinate's 32-bit integer is XORed with a
/// random shift drawn per dimension from Rng(seed) (which keeps the net property)
/// and mapped to (k + 0.5) / 2^32, strictly inside (0, 1).
/// The same (n, d, seed) always gives the same matrix, and a longer n extends a
/// shorter one. d must be in [1, 3667] (the dimension limit of Boost's Sobol table);
/// n in [0, 2^32]. Throws InvalidArgument otherwise. Complexity O(n d).
[[nodiscard]] Matrix sobol(Eigen::Index n, Eigen::Index d, std::uint64_t seed);

}  // namespace prospect
