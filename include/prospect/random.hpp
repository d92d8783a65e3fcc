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
  /// Uniform on [0, 1).
  double uniform();
  /// Standard normal.
  double normal();
  /// Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n);
  /// A vector of n standard normals.
  Vector normal_vector(Eigen::Index n);
  /// The underlying engine, for std:: distributions.
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

/// A well-mixed seed for sub-stream `stream` of `seed` (SplitMix64 finalizer), so
/// that parallel work item i uses derive_seed(seed, i) whatever thread runs it.
[[nodiscard]] std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream);

/// n points of a randomly shifted Sobol sequence in [0, 1)^d (Boost.Random's Sobol
/// generator, a random digital XOR shift drawn from `seed`; the shift keeps the
/// (t, m, s)-net property of every 2^m block). d must be in [1, 1111].
/// Throws InvalidArgument otherwise. Complexity O(n d).
[[nodiscard]] Matrix sobol(Eigen::Index n, Eigen::Index d, std::uint64_t seed);

}  // namespace prospect
