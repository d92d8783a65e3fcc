// kernels/cuda/device_kernels.cu — the FP64 device kernels declared in launch.hpp.
//
// Each kernel body calls the host-and-device element functions of
// kernels/stationary_math.hpp; only the thread-to-element mapping and the reductions
// live here. Reductions use a fixed grid and a fixed tree, so repeated calls on the same
// data give the same bits.
#include <cuda_runtime.h>

#include "kernels/cuda/launch.hpp"
#include "kernels/stationary_math.hpp"

namespace prospect::gpu::launch {

namespace {

using kernels::Profile;
namespace km = kernels::detail;

constexpr int kThreads = 256;
/// Side of the square tiles of point pairs the contraction hands to one block.
constexpr int kTile = 32;
constexpr int kWarps = kThreads / 32;

std::int64_t blocks_for(std::int64_t work, std::int64_t per_block) {
  return (work + per_block - 1) / per_block;
}

/// Grid x is limited to 2^31 - 1 blocks; callers split larger work in loops.
constexpr std::int64_t kMaxGridX = 2147483647LL;

__global__ void scale_points_kernel(const double* X, const double* inv_l, double* Z, std::int64_t n,
                                    int d, std::int64_t stride_x, std::int64_t stride_l,
                                    std::int64_t stride_z) {
  const std::int64_t b = blockIdx.y;
  const std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (e >= n * d) return;
  const int k = static_cast<int>(e % d);
  Z[b * stride_z + e] = X[b * stride_x + e] * inv_l[b * stride_l + k];
}

template <Profile P>
__global__ void kernel_matrix_kernel(const double* Z1, std::int64_t n1, const double* Z2,
                                     std::int64_t n2, int d, double outputscale, const double* s,
                                     double* K, std::int64_t ld, std::int64_t stride_z1,
                                     std::int64_t stride_z2, std::int64_t stride_k) {
  // x: rows (i), y: columns (j) in 2-D blocks of 32 x 8, z: the batch.
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const std::int64_t j = static_cast<std::int64_t>(blockIdx.y) * blockDim.y + threadIdx.y;
  const std::int64_t b = blockIdx.z;
  if (i >= n1 || j >= n2) return;
  const double sb = s ? s[b] : outputscale;
  K[b * stride_k + i + j * ld] =
      km::kernel_entry<P>(Z1 + b * stride_z1 + i * d, Z2 + b * stride_z2 + j * d, d, sb);
}

__global__ void add_to_diagonal_kernel(double* K, std::int64_t n, std::int64_t ld,
                                       const double* diag, double constant) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  K[i + i * ld] += (diag ? diag[i] : 0.0) + constant;
}

__global__ void zero_strict_upper_kernel(double* A, std::int64_t n, std::int64_t ld) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const std::int64_t j = static_cast<std::int64_t>(blockIdx.y) * blockDim.y + threadIdx.y;
  if (i < j && j < n) A[i + j * ld] = 0.0;
}

__device__ inline double warp_sum(double v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(0xffffffffu, v, offset);
  return v;
}

/// The sum of v over the block (kThreads threads), valid in thread 0: warp sums, then
/// thread 0 adds the kWarps partials in order. Every thread must call it.
__device__ inline double block_sum(double v) {
  __shared__ double warp_totals[kWarps];
  v = warp_sum(v);
  if (threadIdx.x % 32 == 0) warp_totals[threadIdx.x / 32] = v;
  __syncthreads();
  double total = 0.0;
  if (threadIdx.x == 0)
    for (int w = 0; w < kWarps; ++w) total += warp_totals[w];
  return total;
}

/// Tile t of the lower triangle of tiles (row tile >= column tile), row-major order.
__device__ inline void tile_of(std::int64_t t, std::int64_t& ti, std::int64_t& tj) {
  std::int64_t r =
      static_cast<std::int64_t>((sqrt(8.0 * static_cast<double>(t) + 1.0) - 1.0) / 2.0);
  while (r * (r + 1) / 2 > t) --r;
  while ((r + 1) * (r + 2) / 2 <= t) ++r;
  ti = r;
  tj = t - r * (r + 1) / 2;
}

/// One block per tile of kTile x kTile pairs; per-block partial sums of the d + 2
/// totals go to partial[block * (d + 2) + k].
template <Profile P>
__global__ void contraction_kernel(const double* Z, std::int64_t n, int d, const double* alpha,
                                   const double* Kinv, std::int64_t ld, std::int64_t tile_offset,
                                   double* partial) {
  __shared__ double warp_totals[kWarps][kMaxDimension + 2];
  const std::int64_t t = tile_offset + blockIdx.x;
  std::int64_t ti;
  std::int64_t tj;
  tile_of(t, ti, tj);
  double acc[kMaxDimension + 2];
  for (int k = 0; k < d + 2; ++k) acc[k] = 0.0;
  const double g0 = km::ProfileMath<P>::value(0.0);
  for (int e = threadIdx.x; e < kTile * kTile; e += kThreads) {
    const std::int64_t row = ti * kTile + e % kTile;
    const std::int64_t col = tj * kTile + e / kTile;
    if (row >= n || col >= n || row < col) continue;
    const double w_half = alpha[row] * alpha[col] - Kinv[row + col * ld];
    if (row == col) {
      acc[d] += w_half * g0;
      acc[d + 1] += w_half;
    } else {
      // W(row, col) + W(col, row) of the symmetric W.
      km::accumulate_pair<P>(Z + row * d, Z + col * d, d, 2.0 * w_half, acc);
    }
  }
  const int warp = threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  for (int k = 0; k < d + 2; ++k) {
    const double v = warp_sum(acc[k]);
    if (lane == 0) warp_totals[warp][k] = v;
  }
  __syncthreads();
  if (threadIdx.x < d + 2) {
    double total = 0.0;
    for (int w = 0; w < kWarps; ++w) total += warp_totals[w][threadIdx.x];
    partial[static_cast<std::int64_t>(blockIdx.x + tile_offset) * (d + 2) + threadIdx.x] = total;
  }
}

/// out[k] = sum over blocks of partial[block * width + k]: one block per component,
/// a fixed stride and a fixed tree.
__global__ void reduce_partials_kernel(const double* partial, std::int64_t blocks, int width,
                                       double* out) {
  const int k = blockIdx.x;
  double acc = 0.0;
  for (std::int64_t b = threadIdx.x; b < blocks; b += kThreads) acc += partial[b * width + k];
  const double total = block_sum(acc);
  if (threadIdx.x == 0) out[k] = total;
}

__global__ void log_determinants_kernel(const double* L, std::int64_t n, std::int64_t ld,
                                        std::int64_t stride, double* out) {
  const std::int64_t b = blockIdx.x;
  double acc = 0.0;
  for (std::int64_t i = threadIdx.x; i < n; i += kThreads) acc += log(L[b * stride + i + i * ld]);
  const double total = block_sum(acc);
  if (threadIdx.x == 0) out[b] = 2.0 * total;
}

/// One warp per column.
__global__ void posterior_variances_kernel(const double* V, std::int64_t n, std::int64_t m,
                                           std::int64_t ld, double prior, double min_variance,
                                           double* var) {
  const std::int64_t j = (static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (j >= m) return;
  double acc = 0.0;
  for (std::int64_t i = lane; i < n; i += 32) {
    const double v = V[i + j * ld];
    acc += v * v;
  }
  acc = warp_sum(acc);
  if (lane == 0) var[j] = km::posterior_variance(prior, acc, min_variance);
}

__global__ void pointer_array_kernel(double* base, std::int64_t stride, std::int64_t batch,
                                     double** ptrs) {
  const std::int64_t b = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (b < batch) ptrs[b] = base + b * stride;
}

/// Runs Launch<P>::run(args...) for the runtime profile (C++17: nvcc's dialect here).
template <template <Profile> class Launch, class... Args>
cudaError_t with_profile(Profile profile, Args... args) {
  switch (profile) {
    case Profile::squared_exponential:
      Launch<Profile::squared_exponential>::run(args...);
      break;
    case Profile::matern12:
      Launch<Profile::matern12>::run(args...);
      break;
    case Profile::matern32:
      Launch<Profile::matern32>::run(args...);
      break;
    case Profile::matern52:
      Launch<Profile::matern52>::run(args...);
      break;
  }
  return cudaGetLastError();
}

template <Profile P>
struct KernelMatrixLaunch {
  static void run(dim3 grid, dim3 block, cudaStream_t stream, const double* Z1, std::int64_t n1,
                  const double* Z2, std::int64_t n2, int d, double outputscale, const double* s,
                  double* K, std::int64_t ld, std::int64_t stride_z1, std::int64_t stride_z2,
                  std::int64_t stride_k) {
    kernel_matrix_kernel<P><<<grid, block, 0, stream>>>(Z1, n1, Z2, n2, d, outputscale, s, K, ld,
                                                        stride_z1, stride_z2, stride_k);
  }
};

template <Profile P>
struct ContractionLaunch {
  static void run(std::int64_t pairs, cudaStream_t stream, const double* Z, std::int64_t n, int d,
                  const double* alpha, const double* Kinv, std::int64_t ld, double* workspace) {
    for (std::int64_t offset = 0; offset < pairs; offset += kMaxGridX) {
      const std::int64_t count = pairs - offset < kMaxGridX ? pairs - offset : kMaxGridX;
      contraction_kernel<P><<<static_cast<unsigned>(count), kThreads, 0, stream>>>(
          Z, n, d, alpha, Kinv, ld, offset, workspace);
    }
  }
};

}  // namespace

cudaError_t scale_points(const double* X, const double* inv_l, double* Z, std::int64_t n, int d,
                         std::int64_t batch, std::int64_t stride_x, std::int64_t stride_l,
                         std::int64_t stride_z, cudaStream_t stream) {
  if (n <= 0 || batch <= 0) return cudaSuccess;
  const dim3 grid(static_cast<unsigned>(blocks_for(n * d, kThreads)), static_cast<unsigned>(batch));
  scale_points_kernel<<<grid, kThreads, 0, stream>>>(X, inv_l, Z, n, d, stride_x, stride_l,
                                                     stride_z);
  return cudaGetLastError();
}

cudaError_t kernel_matrix(Profile profile, const double* Z1, std::int64_t n1, const double* Z2,
                          std::int64_t n2, int d, double outputscale, const double* s, double* K,
                          std::int64_t ld, std::int64_t batch, std::int64_t stride_z1,
                          std::int64_t stride_z2, std::int64_t stride_k, cudaStream_t stream) {
  if (n1 <= 0 || n2 <= 0 || batch <= 0) return cudaSuccess;
  if (d < 1 || d > kMaxDimension) return cudaErrorInvalidValue;
  const dim3 block(32, 8);
  const dim3 grid(static_cast<unsigned>(blocks_for(n1, 32)),
                  static_cast<unsigned>(blocks_for(n2, 8)), static_cast<unsigned>(batch));
  if (grid.y > 65535u || grid.z > 65535u) return cudaErrorInvalidConfiguration;
  return with_profile<KernelMatrixLaunch>(profile, grid, block, stream, Z1, n1, Z2, n2, d,
                                          outputscale, s, K, ld, stride_z1, stride_z2, stride_k);
}

cudaError_t add_to_diagonal(double* K, std::int64_t n, std::int64_t ld, const double* diag,
                            double constant, cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  add_to_diagonal_kernel<<<static_cast<unsigned>(blocks_for(n, kThreads)), kThreads, 0, stream>>>(
      K, n, ld, diag, constant);
  return cudaGetLastError();
}

cudaError_t zero_strict_upper(double* A, std::int64_t n, std::int64_t ld, cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  const dim3 block(32, 8);
  const dim3 grid(static_cast<unsigned>(blocks_for(n, 32)),
                  static_cast<unsigned>(blocks_for(n, 8)));
  if (grid.y > 65535u) return cudaErrorInvalidConfiguration;
  zero_strict_upper_kernel<<<grid, block, 0, stream>>>(A, n, ld);
  return cudaGetLastError();
}

std::size_t contraction_workspace(std::int64_t n, int d) {
  const std::int64_t tiles = blocks_for(n, kTile);
  return static_cast<std::size_t>(tiles * (tiles + 1) / 2 * (d + 2));
}

cudaError_t contract_gradient(Profile profile, const double* Z, std::int64_t n, int d,
                              const double* alpha, const double* Kinv, std::int64_t ld,
                              double* workspace, double* out, cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  if (d < 1 || d > kMaxDimension) return cudaErrorInvalidValue;
  const std::int64_t tiles = blocks_for(n, kTile);
  const std::int64_t pairs = tiles * (tiles + 1) / 2;
  const cudaError_t launched =
      with_profile<ContractionLaunch>(profile, pairs, stream, Z, n, d, alpha, Kinv, ld, workspace);
  if (launched != cudaSuccess) return launched;
  reduce_partials_kernel<<<d + 2, kThreads, 0, stream>>>(workspace, pairs, d + 2, out);
  return cudaGetLastError();
}

cudaError_t log_determinants(const double* L, std::int64_t n, std::int64_t ld, std::int64_t batch,
                             std::int64_t stride, double* out, cudaStream_t stream) {
  if (n <= 0 || batch <= 0) return cudaSuccess;
  log_determinants_kernel<<<static_cast<unsigned>(batch), kThreads, 0, stream>>>(L, n, ld, stride,
                                                                                 out);
  return cudaGetLastError();
}

cudaError_t posterior_variances(const double* V, std::int64_t n, std::int64_t m, std::int64_t ld,
                                double prior, double min_variance, double* var,
                                cudaStream_t stream) {
  if (m <= 0) return cudaSuccess;
  posterior_variances_kernel<<<static_cast<unsigned>(blocks_for(m * 32, kThreads)), kThreads, 0,
                               stream>>>(V, n, m, ld, prior, min_variance, var);
  return cudaGetLastError();
}

cudaError_t pointer_array(double* base, std::int64_t stride, std::int64_t batch, double** ptrs,
                          cudaStream_t stream) {
  if (batch <= 0) return cudaSuccess;
  pointer_array_kernel<<<static_cast<unsigned>(blocks_for(batch, kThreads)), kThreads, 0, stream>>>(
      base, stride, batch, ptrs);
  return cudaGetLastError();
}

}  // namespace prospect::gpu::launch
