// prospect/acquisition/qmc.hpp — quasi-Monte Carlo building blocks of the Monte Carlo
// acquisitions: fixed normal base samples and reverse-mode differentiation through a
// Cholesky factor.
//
// Base samples are drawn once per prepared acquisition (sample-average approximation,
// ALGORITHMS.md §2.4): the acquisition is then a deterministic, smooth function of the
// candidates that L-BFGS can trust, and the same seed gives the same suggestions.
#pragma once

#include <cstdint>

#include "prospect/types.hpp"

namespace prospect::acquisition {

/// n x dim standard normal base samples: randomly shifted Sobol points (sobol(), so
/// every leading block of 2^m rows is a net) mapped through the normal quantile
/// (Boost.Math), uniforms clamped to [1e-10, 1 - 1e-10]. Deterministic in
/// (n, dim, seed). Throws InvalidArgument for n < 1 or dim outside [1, 3667].
/// Cost O(n dim) quantile evaluations.
[[nodiscard]] Matrix normal_base_samples(Eigen::Index n, Eigen::Index dim, std::uint64_t seed);

/// Reverse mode through the Cholesky factorization Sigma = L L^T: given the lower
/// factor L (m x m) and the adjoint L_bar = da/dL of a scalar a (only the lower
/// triangle is read), returns the symmetric Sigma_bar = da/dSigma such that
/// da = sum(Sigma_bar .* dSigma) for any symmetric perturbation dSigma (Murray 2016):
/// Sigma_bar = L^{-T} sym(Phi(L^T L_bar)) L^{-1}, Phi = lower triangle with the diagonal
/// halved, sym(A) = (A + A^T) / 2. Throws InvalidArgument for non-square or mismatched
/// sizes. Cost O(m^3).
[[nodiscard]] Matrix cholesky_adjoint(MatrixCRef L, MatrixCRef L_bar);

}  // namespace prospect::acquisition
