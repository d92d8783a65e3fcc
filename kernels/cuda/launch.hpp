// kernels/cuda/launch.hpp — the device kernels of prospect_cuda (private header).
//
// CUB-style boundary: raw device pointers, sizes and a stream in, a cudaError_t out
// (cudaSuccess, or the launch error). Nothing here allocates or synchronizes; callers
// (kernels/cuda/gp_device.cpp) own the buffers, query workspace sizes once and reuse
// them. Matrices are column-major with a leading dimension; point sets are "points by
// column" (d x n, the d coordinates of a point contiguous), as on the CPU side.
//
// The per-element math is kernels/stationary_math.hpp, the same host-and-device
// functions the CPU kernels call, so the CPU tests check the formulas these run.
// Units: coordinates in the unit cube; Z = X / l (scaled by the inverse lengthscales).
// Every launch is FP64.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "prospect/kernels/profile.hpp"

namespace prospect::gpu::launch {

/// The largest input dimension the device kernels accept (their per-thread
/// accumulators live in registers); larger problems stay on the CPU.
inline constexpr int kMaxDimension = 32;

/// Z[:, i] = X[:, i] .* inv_l for the n points of each of `batch` sets (X, Z: d x n,
/// point contiguous; set b at X + b stride_x, Z + b stride_z; inv_l + b stride_l, a
/// stride_l of 0 sharing one inv_l). O(batch n d).
cudaError_t scale_points(const double* X, const double* inv_l, double* Z, std::int64_t n, int d,
                         std::int64_t batch, std::int64_t stride_x, std::int64_t stride_l,
                         std::int64_t stride_z, cudaStream_t stream);

/// K_b(i, j) = s_b g(|Z1_b[:, i] - Z2_b[:, j]|^2) for i < n1, j < n2 and each of
/// `batch` sets (K_b = K + b stride_k, leading dimension ld; s_b = s[b] when `s` is
/// non-null, else outputscale). O(batch n1 n2 d).
cudaError_t kernel_matrix(kernels::Profile profile, const double* Z1, std::int64_t n1,
                          const double* Z2, std::int64_t n2, int d, double outputscale,
                          const double* s, double* K, std::int64_t ld, std::int64_t batch,
                          std::int64_t stride_z1, std::int64_t stride_z2, std::int64_t stride_k,
                          cudaStream_t stream);

/// K(i, i) += diag[i] (when diag is non-null) + constant, for i < n. O(n).
cudaError_t add_to_diagonal(double* K, std::int64_t n, std::int64_t ld, const double* diag,
                            double constant, cudaStream_t stream);

/// Zeroes the strict upper triangle of the n x n matrix A. O(n^2).
cudaError_t zero_strict_upper(double* A, std::int64_t n, std::int64_t ld, cudaStream_t stream);

/// Doubles of workspace contract_gradient needs for n points in dimension d.
std::size_t contraction_workspace(std::int64_t n, int d);

/// The hyperparameter-gradient contraction of W = alpha alpha^T - Kinv over all pairs
/// (Kinv's lower triangle is read), in a fixed summation order (results do not depend
/// on timing): out[k] for k < d, out[d] as accumulate_pair defines them, and
/// out[d + 1] = tr(W). `g0` is g(0) of the profile. O(n^2 d).
cudaError_t contract_gradient(kernels::Profile profile, const double* Z, std::int64_t n, int d,
                              const double* alpha, const double* Kinv, std::int64_t ld,
                              double* workspace, double* out, cudaStream_t stream);

/// out[b] = 2 sum_i log L_b(i, i) (the log-determinant of L_b L_b^T) for each of
/// `batch` n x n factors at L + b stride. O(batch n).
cudaError_t log_determinants(const double* L, std::int64_t n, std::int64_t ld, std::int64_t batch,
                             std::int64_t stride, double* out, cudaStream_t stream);

/// var[j] = posterior_variance(prior, sum_i V(i, j)^2, min_variance) for the m columns
/// of the n x m matrix V = L^{-1} K(X, x_j). O(n m).
cudaError_t posterior_variances(const double* V, std::int64_t n, std::int64_t m, std::int64_t ld,
                                double prior, double min_variance, double* var,
                                cudaStream_t stream);

/// ptrs[b] = base + b stride for b < batch (the pointer arrays of the batched routines).
cudaError_t pointer_array(double* base, std::int64_t stride, std::int64_t batch, double** ptrs,
                          cudaStream_t stream);

}  // namespace prospect::gpu::launch
