// Seeded pseudo-random numbers and randomly shifted Sobol designs.
//
// The draws are computed from the raw 64-bit engine output with our own formulas
// rather than std:: distributions, whose algorithms differ between standard
// libraries: a seed gives the same numbers with libstdc++, libc++ and MSVC.
#include "prospect/random.hpp"

#include <boost/random/sobol.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "prospect/errors.hpp"

namespace prospect {

double Rng::uniform() {
  // The top 53 bits give every double of the form k * 2^-53 in [0, 1) equally often.
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

double Rng::normal() {
  // Box-Muller; 1 - uniform() lies in (0, 1], so the logarithm is finite.
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::uint64_t Rng::below(std::uint64_t n) {
  if (n == 0) throw InvalidArgument("Rng::below: n = 0, expected n >= 1");
  // Reject the top partial block so that every residue is equally likely.
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
  std::uint64_t x = engine_();
  while (x >= limit) x = engine_();
  return x % n;
}

Vector Rng::normal_vector(Eigen::Index n) {
  if (n < 0)
    throw InvalidArgument("Rng::normal_vector: n = " + std::to_string(n) + ", expected n >= 0");
  Vector v(n);
  for (Eigen::Index i = 0; i < n; ++i) v(i) = normal();
  return v;
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  // SplitMix64 applied to seed offset by a golden-ratio multiple of (stream + 1):
  // distinct streams land far apart in the input and the finalizer mixes all bits.
  std::uint64_t z = seed ^ (0x9E3779B97F4A7C15ULL * (stream + 1));
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Matrix sobol(Eigen::Index n, Eigen::Index d, std::uint64_t seed) {
  constexpr auto max_d =
      static_cast<Eigen::Index>(boost::random::default_sobol_table::max_dimension);
  if (n < 0) throw InvalidArgument("sobol: n = " + std::to_string(n) + ", expected n >= 0");
  if (d < 1 || d > max_d) {
    throw InvalidArgument("sobol: d = " + std::to_string(d) + ", expected d in [1, " +
                          std::to_string(max_d) + "]");
  }
  if (static_cast<std::uint64_t>(n) > (std::uint64_t{1} << 32)) {
    throw InvalidArgument("sobol: n = " + std::to_string(n) +
                          ", expected n <= 2^32 (32-bit Sobol sequence)");
  }
  // One random digital shift per dimension, from the caller's seed.
  Rng rng(seed);
  std::vector<std::uint32_t> shift(static_cast<std::size_t>(d));
  for (auto& s : shift) s = static_cast<std::uint32_t>(rng.engine()() >> 32);

  Matrix points(n, d);
  if (n == 0) return points;
  // Boost's engine starts at the second point of the sequence (it skips the
  // all-zero point). We emit the zero point first, so the first 2^m rows are
  // exactly the first 2^m points of the sequence, a (t, m, s)-net; the XOR
  // shift preserves that property and moves the zero point off the corner.
  boost::random::sobol_engine<std::uint32_t, 32> engine(static_cast<std::size_t>(d));
  constexpr double scale = 0x1.0p-32;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < d; ++j) {
      const std::uint32_t x = (i == 0) ? 0U : engine();
      // +0.5 puts the point mid-cell: strictly inside (0, 1).
      points(i, j) = (static_cast<double>(x ^ shift[static_cast<std::size_t>(j)]) + 0.5) * scale;
    }
  }
  return points;
}

}  // namespace prospect
