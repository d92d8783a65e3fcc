// kernels/cuda/gp_device.cpp — the host side of the CUDA part: uploads, cuBLAS/cuSOLVER
// calls, jitter escalation and downloads behind kernels/cuda/gpu.hpp.
//
// Large factorizations use cuSOLVER's 64-bit API (cusolverDnXpotrf/Xpotrs), so n is not
// limited by 32-bit leading dimensions. K^{-1} comes from cusolverDnDpotri while n^2 fits
// a 32-bit int (n <= 46340), and beyond that from cusolverDnXtrtri (L^{-1}) and a 64-bit
// syrk (L^{-T} L^{-1}), which costs about 40 % more flops.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <vector>

#include "kernels/cuda/context.hpp"
#include "kernels/cuda/gpu.hpp"
#include "kernels/cuda/launch.hpp"
#include "prospect/errors.hpp"

namespace prospect::gpu {

namespace {

using Index = Eigen::Index;

/// Device bytes of one chunk's cross covariance in stationary_predict.
constexpr Index kPredictChunkDoubles = Index(1) << 27;  // 1 GiB
/// Columns per chunk at most (the kernel-matrix grid's y limit is 65535 blocks of 8).
constexpr Index kPredictChunkMax = 262144;

void upload(void* device, const void* host, std::size_t bytes, cudaStream_t stream) {
  check(cudaMemcpyAsync(device, host, bytes, cudaMemcpyHostToDevice, stream),
        "cudaMemcpy (upload)");
}
void download(void* host, const void* device, std::size_t bytes, cudaStream_t stream) {
  check(cudaMemcpyAsync(host, device, bytes, cudaMemcpyDeviceToHost, stream),
        "cudaMemcpy (download)");
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
}

std::size_t doubles(Index count) {
  return static_cast<std::size_t>(count) * sizeof(double);
}

void require_dimension(Index d, const char* where) {
  if (d < 1 || d > launch::kMaxDimension) {
    throw InvalidArgument(std::string(where) + ": input dimension d = " + std::to_string(d) +
                          "; the device kernels take 1 <= d <= " +
                          std::to_string(launch::kMaxDimension) + " (use Device::cpu)");
  }
}

/// Points by column (d x n) of the rows of X, uploaded raw into `raw`, scaled into `Z`.
void upload_scaled_points(Context& ctx, MatrixCRef X, const Vector& inv_l, double* raw, double* Z,
                          double* scales) {
  const Matrix Xt = X.transpose();
  upload(raw, Xt.data(), doubles(Xt.size()), ctx.stream);
  upload(scales, inv_l.data(), doubles(inv_l.size()), ctx.stream);
  check(launch::scale_points(raw, scales, Z, X.rows(), static_cast<int>(X.cols()), 1, 0, 0, 0,
                             ctx.stream),
        "scale_points");
}

/// Keys of Context::workspace_sizes.
enum Routine : int { kPotrf, kPotri, kTrtri };

/// cusolverDnXpotrf of the n x n matrix at A (lower) with cached workspaces; returns info.
int factor_in_place(Context& ctx, double* A, Index n) {
  const auto [device_bytes, host_bytes] = ctx.workspace_sizes(kPotrf, n, [&] {
    Context::WorkspaceSizes sizes{0, 0};
    check(cusolverDnXpotrf_bufferSize(ctx.solver, ctx.params, CUBLAS_FILL_MODE_LOWER, n, CUDA_R_64F,
                                      A, n, CUDA_R_64F, &sizes.first, &sizes.second),
          "cusolverDnXpotrf_bufferSize");
    return sizes;
  });
  void* work = ctx.buffer(Slot::workspace, device_bytes);
  void* host_work = ctx.host_workspace(host_bytes);
  int* info = ctx.typed<int>(Slot::info, 1);
  check(cusolverDnXpotrf(ctx.solver, ctx.params, CUBLAS_FILL_MODE_LOWER, n, CUDA_R_64F, A, n,
                         CUDA_R_64F, work, device_bytes, host_work, host_bytes, info),
        "cusolverDnXpotrf");
  int h_info = 0;
  download(&h_info, info, sizeof(int), ctx.stream);
  return h_info;
}

/// K^{-1} (lower triangle) from the factor L at A: in place (potri) or into `other`.
double* inverse_from_factor(Context& ctx, double* A, Index n, Index potri_max) {
  int* info = ctx.typed<int>(Slot::info, 1);
  if (n <= potri_max) {
    const int lwork = static_cast<int>(
        ctx.workspace_sizes(kPotri, n,
                            [&] {
                              int count = 0;
                              check(cusolverDnDpotri_bufferSize(ctx.solver, CUBLAS_FILL_MODE_LOWER,
                                                                static_cast<int>(n), A,
                                                                static_cast<int>(n), &count),
                                    "cusolverDnDpotri_bufferSize");
                              return Context::WorkspaceSizes{static_cast<std::size_t>(count), 0};
                            })
            .first);
    auto* work = ctx.typed<double>(Slot::workspace, static_cast<std::size_t>(std::max(lwork, 1)));
    check(cusolverDnDpotri(ctx.solver, CUBLAS_FILL_MODE_LOWER, static_cast<int>(n), A,
                           static_cast<int>(n), work, lwork, info),
          "cusolverDnDpotri");
    return A;
  }
  const auto [device_bytes, host_bytes] = ctx.workspace_sizes(kTrtri, n, [&] {
    Context::WorkspaceSizes sizes{0, 0};
    check(cusolverDnXtrtri_bufferSize(ctx.solver, CUBLAS_FILL_MODE_LOWER, CUBLAS_DIAG_NON_UNIT, n,
                                      CUDA_R_64F, A, n, &sizes.first, &sizes.second),
          "cusolverDnXtrtri_bufferSize");
    return sizes;
  });
  void* work = ctx.buffer(Slot::workspace, device_bytes);
  void* host_work = ctx.host_workspace(host_bytes);
  check(cusolverDnXtrtri(ctx.solver, CUBLAS_FILL_MODE_LOWER, CUBLAS_DIAG_NON_UNIT, n, CUDA_R_64F, A,
                         n, work, device_bytes, host_work, host_bytes, info),
        "cusolverDnXtrtri");
  check(launch::zero_strict_upper(A, n, n, ctx.stream), "zero_strict_upper");
  auto* C = ctx.typed<double>(Slot::matrix_other, static_cast<std::size_t>(n) * n);
  const double one = 1.0;
  const double zero = 0.0;
  check(
      cublasDsyrk_64(ctx.blas, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_T, n, n, &one, A, n, &zero, C, n),
      "cublasDsyrk_64");
  return C;
}

/// One call's hold on a device: its context, locked and current on this thread.
struct Session {
  Context& ctx;
  std::lock_guard<std::mutex> lock;
  explicit Session(int device_id) : ctx(Context::get(device_id)), lock(ctx.mutex) {
    ctx.activate();
  }
};

std::string describe_jitter(Index n, double jitter, int info) {
  std::ostringstream msg;
  msg << "GPU Cholesky: the " << n << " x " << n
      << " kernel matrix is not positive definite (cuSOLVER info " << info
      << ") even with a diagonal jitter of " << jitter
      << "; check for duplicate inputs with zero noise, or raise the noise floor";
  return msg.str();
}

}  // namespace

bool built() {
  return true;
}

int max_dimension() {
  return launch::kMaxDimension;
}

DeviceInfo query(int device_id) {
  DeviceInfo info;
  info.built = true;
  info.device_id = device_id;
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    (void)cudaGetLastError();
    info.reason = std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status);
    return info;
  }
  info.device_count = count;
  if (device_id < 0 || device_id >= count) {
    info.reason =
        "device " + std::to_string(device_id) + " requested, " + std::to_string(count) + " present";
    return info;
  }
  cudaDeviceProp prop{};
  const cudaError_t props = cudaGetDeviceProperties(&prop, device_id);
  if (props != cudaSuccess) {
    (void)cudaGetLastError();
    info.reason = std::string("cudaGetDeviceProperties: ") + cudaGetErrorString(props);
    return info;
  }
  info.name = prop.name;
  info.compute_capability = prop.major * 10 + prop.minor;
  info.memory_gib = static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0);
  info.available = true;
  return info;
}

StationaryObjectiveOutput stationary_objective(int device_id, const StationaryObjectiveInput& in) {
  const Matrix& X = *in.X;
  const Index n = X.rows();
  const Index d = X.cols();
  require_dimension(d, "gpu::stationary_objective");
  const Session session(device_id);
  Context& ctx = session.ctx;
  StationaryObjectiveOutput out;
  Timings& t = out.timings;
  PhaseTimer timer(ctx.stream);

  auto* raw = ctx.typed<double>(Slot::points_other, static_cast<std::size_t>(n * d));
  auto* Z = ctx.typed<double>(Slot::points, static_cast<std::size_t>(n * d));
  auto* scales = ctx.typed<double>(Slot::scales, static_cast<std::size_t>(d));
  auto* noise = ctx.typed<double>(Slot::vector_b, static_cast<std::size_t>(n));
  auto* alpha = ctx.typed<double>(Slot::vector_a, static_cast<std::size_t>(n));
  auto* small = ctx.typed<double>(Slot::vector_c, static_cast<std::size_t>(d + 2));
  auto* K = ctx.typed<double>(Slot::matrix, static_cast<std::size_t>(n) * n);
  upload_scaled_points(ctx, X, in.inverse_lengthscales, raw, Z, scales);
  upload(noise, in.noise->data(), doubles(n), ctx.stream);
  upload(alpha, in.residual->data(), doubles(n), ctx.stream);
  timer.lap(&t.upload);

  const auto p = in.profile;
  auto build = [&](double jitter) {
    check(launch::kernel_matrix(p, Z, n, Z, n, static_cast<int>(d), in.outputscale, nullptr, K, n,
                                1, 0, 0, 0, ctx.stream),
          "kernel_matrix");
    check(launch::add_to_diagonal(K, n, n, noise, jitter, ctx.stream), "add_to_diagonal");
  };
  build(0.0);
  timer.lap(&t.kernel);

  // Jitter escalation exactly as RobustCholesky: base * 10^i (times the mean diagonal
  // when relative), added to the original matrix.
  int info = factor_in_place(ctx, K, n);
  if (info != 0) {
    const double scale =
        in.cholesky.relative ? std::max(in.outputscale + in.noise->mean(), 0.0) : 1.0;
    for (int i = 0; i < in.cholesky.max_tries && info != 0; ++i) {
      out.jitter = in.cholesky.base_jitter * std::pow(10.0, i) * (scale > 0.0 ? scale : 1.0);
      build(out.jitter);
      info = factor_in_place(ctx, K, n);
    }
    if (info != 0) throw NumericalError(describe_jitter(n, out.jitter, info));
  }
  timer.lap(&t.factor);

  int* dinfo = ctx.typed<int>(Slot::info, 1);
  check(cusolverDnXpotrs(ctx.solver, ctx.params, CUBLAS_FILL_MODE_LOWER, n, 1, CUDA_R_64F, K, n,
                         CUDA_R_64F, alpha, n, dinfo),
        "cusolverDnXpotrs");
  check(launch::log_determinants(K, n, n, 1, 0, small, ctx.stream), "log_determinants");
  timer.lap(&t.solve);
  out.alpha.resize(n);
  download(out.alpha.data(), alpha, doubles(n), ctx.stream);
  download(&out.log_determinant, small, sizeof(double), ctx.stream);
  timer.lap(&t.download);
  if (!std::isfinite(out.log_determinant) || !out.alpha.allFinite()) {
    throw NumericalError(describe_jitter(n, out.jitter, -1) + " (non-finite factor)");
  }
  out.quadratic = in.residual->dot(out.alpha);
  if (!in.gradient) return out;

  const double* Kinv = inverse_from_factor(ctx, K, n, std::min<Index>(in.potri_max, 46340));
  timer.lap(&t.inverse);
  auto* partial =
      ctx.typed<double>(Slot::workspace, launch::contraction_workspace(n, static_cast<int>(d)));
  check(launch::contract_gradient(p, Z, n, static_cast<int>(d), alpha, Kinv, n, partial, small,
                                  ctx.stream),
        "contract_gradient");
  timer.lap(&t.contraction);
  Vector totals(d + 2);
  download(totals.data(), small, doubles(d + 2), ctx.stream);
  timer.lap(&t.download);
  out.totals = totals.head(d + 1);
  out.trace_W = totals(d + 1);
  return out;
}

Timings stationary_predict(int device_id, const StationaryPredictionInput& in,
                           MatrixCRef candidates, Eigen::Ref<Vector> mean,
                           Eigen::Ref<Vector> variance) {
  const Matrix& X = *in.X;
  const Index n = X.rows();
  const Index d = X.cols();
  const Index m = candidates.rows();
  require_dimension(d, "gpu::stationary_predict");
  const Session session(device_id);
  Context& ctx = session.ctx;
  Timings t;
  PhaseTimer timer(ctx.stream);

  const Index chunk = std::clamp<Index>(kPredictChunkDoubles / std::max<Index>(n, 1), 1,
                                        std::min<Index>(kPredictChunkMax, std::max<Index>(m, 1)));
  auto* Z = ctx.typed<double>(Slot::points, static_cast<std::size_t>(n * d));
  auto* raw =
      ctx.typed<double>(Slot::points_other, static_cast<std::size_t>(std::max(n, chunk) * d));
  auto* Zc = ctx.typed<double>(Slot::vector_b, static_cast<std::size_t>(chunk * d));
  auto* scales = ctx.typed<double>(Slot::scales, static_cast<std::size_t>(d));
  auto* L = ctx.typed<double>(Slot::matrix, static_cast<std::size_t>(n) * n);
  auto* alpha = ctx.typed<double>(Slot::vector_a, static_cast<std::size_t>(n));
  auto* Kc = ctx.typed<double>(Slot::matrix_other, static_cast<std::size_t>(n) * chunk);
  auto* mean_d = ctx.typed<double>(Slot::vector_c, static_cast<std::size_t>(chunk));
  auto* var_d = ctx.typed<double>(Slot::workspace, static_cast<std::size_t>(chunk));
  upload_scaled_points(ctx, X, in.inverse_lengthscales, raw, Z, scales);
  upload(L, in.L->data(), doubles(n * n), ctx.stream);
  upload(alpha, in.alpha->data(), doubles(n), ctx.stream);
  timer.lap(&t.upload);

  const double one = 1.0;
  const double zero = 0.0;
  for (Index start = 0; start < m; start += chunk) {
    const Index mc = std::min(chunk, m - start);
    const Matrix Ct = candidates.middleRows(start, mc).transpose();
    upload(raw, Ct.data(), doubles(Ct.size()), ctx.stream);
    check(launch::scale_points(raw, scales, Zc, mc, static_cast<int>(d), 1, 0, 0, 0, ctx.stream),
          "scale_points");
    timer.lap(&t.upload);
    check(launch::kernel_matrix(in.profile, Z, n, Zc, mc, static_cast<int>(d), in.outputscale,
                                nullptr, Kc, n, 1, 0, 0, 0, ctx.stream),
          "kernel_matrix");
    timer.lap(&t.kernel);
    check(cublasDgemv_64(ctx.blas, CUBLAS_OP_T, n, mc, &one, Kc, n, alpha, 1, &zero, mean_d, 1),
          "cublasDgemv_64");
    check(cublasDtrsm_64(ctx.blas, CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N,
                         CUBLAS_DIAG_NON_UNIT, n, mc, &one, L, n, Kc, n),
          "cublasDtrsm_64");
    check(launch::posterior_variances(Kc, n, mc, n, in.outputscale, in.min_variance, var_d,
                                      ctx.stream),
          "posterior_variances");
    timer.lap(&t.solve);
    download(mean.data() + start, mean_d, doubles(mc), ctx.stream);
    download(variance.data() + start, var_d, doubles(mc), ctx.stream);
    timer.lap(&t.download);
  }
  return t;
}

Timings cholesky_solve_batched(int device_id, MatrixCRef A, MatrixCRef B, Index batch, Matrix& X,
                               Vector& log_det, std::vector<int>& info) {
  const Index n = A.rows();
  const Index k = batch > 0 ? B.cols() / batch : 0;
  const Session session(device_id);
  Context& ctx = session.ctx;
  Timings t;
  PhaseTimer timer(ctx.stream);
  const std::size_t a_count = static_cast<std::size_t>(n) * n * batch;
  const std::size_t b_count = static_cast<std::size_t>(n) * k * batch;
  auto* Ad = ctx.typed<double>(Slot::matrix, a_count);
  auto* Bd = ctx.typed<double>(Slot::matrix_other, b_count);
  auto** Ap = ctx.typed<double*>(Slot::pointers_a, static_cast<std::size_t>(batch));
  auto** Bp = ctx.typed<double*>(Slot::pointers_b, static_cast<std::size_t>(batch));
  auto* infos = ctx.typed<int>(Slot::info, static_cast<std::size_t>(batch));
  auto* logdets = ctx.typed<double>(Slot::vector_c, static_cast<std::size_t>(batch));
  // Ref inputs may be strided views: copy into one contiguous block first.
  const Matrix Ah = A;
  const Matrix Bh = B;
  upload(Ad, Ah.data(), a_count * sizeof(double), ctx.stream);
  upload(Bd, Bh.data(), b_count * sizeof(double), ctx.stream);
  check(launch::pointer_array(Ad, n * n, batch, Ap, ctx.stream), "pointer_array");
  check(launch::pointer_array(Bd, n * k, batch, Bp, ctx.stream), "pointer_array");
  timer.lap(&t.upload);
  check(cusolverDnDpotrfBatched(ctx.solver, CUBLAS_FILL_MODE_LOWER, static_cast<int>(n), Ap,
                                static_cast<int>(n), infos, static_cast<int>(batch)),
        "cusolverDnDpotrfBatched");
  timer.lap(&t.factor);
  const double one = 1.0;
  const int ni = static_cast<int>(n);
  const int ki = static_cast<int>(k);
  const int bi = static_cast<int>(batch);
  if (k > 0) {
    check(cublasDtrsmBatched(ctx.blas, CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N,
                             CUBLAS_DIAG_NON_UNIT, ni, ki, &one, Ap, ni, Bp, ni, bi),
          "cublasDtrsmBatched (L)");
    check(cublasDtrsmBatched(ctx.blas, CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_T,
                             CUBLAS_DIAG_NON_UNIT, ni, ki, &one, Ap, ni, Bp, ni, bi),
          "cublasDtrsmBatched (L^T)");
  }
  check(launch::log_determinants(Ad, n, n, batch, n * n, logdets, ctx.stream), "log_determinants");
  timer.lap(&t.solve);
  X.resize(n, k * batch);
  log_det.resize(batch);
  info.assign(static_cast<std::size_t>(batch), 0);
  download(X.data(), Bd, b_count * sizeof(double), ctx.stream);
  download(log_det.data(), logdets, doubles(batch), ctx.stream);
  download(info.data(), infos, static_cast<std::size_t>(batch) * sizeof(int), ctx.stream);
  timer.lap(&t.download);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (Index b = 0; b < batch; ++b) {
    if (info[static_cast<std::size_t>(b)] != 0) {
      X.middleCols(b * k, k).setConstant(nan);
      log_det(b) = nan;
    }
  }
  return t;
}

Matrix stationary_matrix(int device_id, kernels::Profile profile, MatrixCRef X1, MatrixCRef X2,
                         const Vector& inverse_lengthscales, double outputscale) {
  const Index d = X1.cols();
  require_dimension(d, "gpu::stationary_matrix");
  const Session session(device_id);
  Context& ctx = session.ctx;
  const Index n1 = X1.rows();
  const Index n2 = X2.rows();
  auto* raw = ctx.typed<double>(Slot::vector_a, static_cast<std::size_t>(std::max(n1, n2) * d));
  auto* Z1 = ctx.typed<double>(Slot::points, static_cast<std::size_t>(n1 * d));
  auto* Z2 = ctx.typed<double>(Slot::points_other, static_cast<std::size_t>(n2 * d));
  auto* scales = ctx.typed<double>(Slot::scales, static_cast<std::size_t>(d));
  auto* K = ctx.typed<double>(Slot::matrix, static_cast<std::size_t>(n1 * n2));
  upload_scaled_points(ctx, X1, inverse_lengthscales, raw, Z1, scales);
  check(cudaStreamSynchronize(ctx.stream), "cudaStreamSynchronize");
  upload_scaled_points(ctx, X2, inverse_lengthscales, raw, Z2, scales);
  check(launch::kernel_matrix(profile, Z1, n1, Z2, n2, static_cast<int>(d), outputscale, nullptr, K,
                              n1, 1, 0, 0, 0, ctx.stream),
        "kernel_matrix");
  Matrix out(n1, n2);
  download(out.data(), K, doubles(n1 * n2), ctx.stream);
  return out;
}

double time_cholesky(int device_id, Index n, int repeats) {
  const Session session(device_id);
  Context& ctx = session.ctx;
  constexpr int d = 6;
  std::mt19937_64 gen(12345);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Matrix Xt(d, n);
  for (Index i = 0; i < Xt.size(); ++i) Xt.data()[i] = unit(gen);
  const Vector inv_l = Vector::Constant(d, 1.0 / 0.5);
  auto* raw = ctx.typed<double>(Slot::points_other, static_cast<std::size_t>(n * d));
  auto* Z = ctx.typed<double>(Slot::points, static_cast<std::size_t>(n * d));
  auto* scales = ctx.typed<double>(Slot::scales, d);
  auto* K = ctx.typed<double>(Slot::matrix, static_cast<std::size_t>(n) * n);
  upload(raw, Xt.data(), doubles(Xt.size()), ctx.stream);
  upload(scales, inv_l.data(), doubles(d), ctx.stream);
  check(launch::scale_points(raw, scales, Z, n, d, 1, 0, 0, 0, ctx.stream), "scale_points");
  std::vector<double> seconds;
  for (int r = 0; r < std::max(repeats, 1); ++r) {
    check(launch::kernel_matrix(kernels::Profile::matern52, Z, n, Z, n, d, 1.0, nullptr, K, n, 1, 0,
                                0, 0, ctx.stream),
          "kernel_matrix");
    check(launch::add_to_diagonal(K, n, n, nullptr, 1e-2, ctx.stream), "add_to_diagonal");
    PhaseTimer timer(ctx.stream);
    double s = 0.0;
    const int info = factor_in_place(ctx, K, n);
    timer.lap(&s);
    if (info != 0) throw NumericalError("time_cholesky: the test matrix is not positive definite");
    seconds.push_back(s);
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace prospect::gpu
