// tests/fake_cuda/fake_cuda.cpp — a CPU emulation of the CUDA runtime, cuBLAS and cuSOLVER
// calls that prospect's CUDA part makes, and of its device kernels (launch.hpp), for the
// test executable test_gpu_emulated.
//
// Why: the development and CI machines have no GPU, so the host side of the CUDA part
// (buffers, leading dimensions, uplo/trans choices, jitter retries, chunking, the GP
// integration) would otherwise first run on a lent GPU machine. Linked before the
// library, these definitions take the place of the real ones: "device memory" is host
// memory, copies are memcpy, streams are synchronous, and the routines follow the
// documented semantics (lower triangles, column-major, leading dimensions) with Eigen.
// The kernels are plain loops over the same element functions (kernels/stationary_math.hpp)
// the .cu kernels call; their thread mapping is what this cannot check (tests/test_gpu.cpp
// on a real device does).
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cusolverDn.h>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "kernels/cuda/launch.hpp"
#include "kernels/stationary_math.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using MapM = Eigen::Map<Eigen::MatrixXd, 0, Eigen::OuterStride<>>;
using CMapM = Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>>;

MapM mat(double* p, std::int64_t rows, std::int64_t cols, std::int64_t ld) {
  return MapM(p, rows, cols, Eigen::OuterStride<>(ld));
}
CMapM cmat(const double* p, std::int64_t rows, std::int64_t cols, std::int64_t ld) {
  return CMapM(p, rows, cols, Eigen::OuterStride<>(ld));
}

int handle_token = 0;

/// In-place lower Cholesky of the n x n matrix at A (Eigen's blocked LLT; the strict
/// upper triangle is left as it was); 0, or 1 when A is not positive definite (cuSOLVER
/// gives the failing order, which the callers only compare with 0).
int potrf_lower(double* A, std::int64_t n, std::int64_t ld) {
  Eigen::Ref<Eigen::MatrixXd, 0, Eigen::OuterStride<>> M = mat(A, n, n, ld);
  const Eigen::LLT<Eigen::Ref<Eigen::MatrixXd, 0, Eigen::OuterStride<>>, Eigen::Lower> llt(M);
  if (llt.info() != Eigen::Success) return 1;
  for (std::int64_t i = 0; i < n; ++i)
    if (!(A[i + i * ld] > 0.0) || !std::isfinite(A[i + i * ld])) return static_cast<int>(i + 1);
  return 0;
}

/// B <- alpha op(L)^{-1} B with L lower (non-unit).
void trsm_left_lower(bool transpose, std::int64_t m, std::int64_t n, double alpha, const double* A,
                     std::int64_t lda, double* B, std::int64_t ldb) {
  const auto L = cmat(A, m, m, lda).triangularView<Eigen::Lower>();
  auto X = mat(B, m, n, ldb);
  if (transpose) {
    L.transpose().solveInPlace(X);
  } else {
    L.solveInPlace(X);
  }
  X *= alpha;
}

}  // namespace

extern "C" {

// --- CUDA runtime ---------------------------------------------------------------
const char* cudaGetErrorName(cudaError_t) {
  return "cudaEmulated";
}
const char* cudaGetErrorString(cudaError_t) {
  return "error in the CPU emulation";
}
cudaError_t cudaGetLastError() {
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int) {
  return cudaSuccess;
}
cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int) {
  std::memset(prop, 0, sizeof(*prop));
  std::strncpy(prop->name, "CPU emulation of a CUDA device", sizeof(prop->name) - 1);
  prop->totalGlobalMem = std::size_t(1) << 34;
  return cudaSuccess;
}
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned int) {
  *stream = reinterpret_cast<cudaStream_t>(&handle_token);
  return cudaSuccess;
}
cudaError_t cudaStreamDestroy(cudaStream_t) {
  return cudaSuccess;
}
cudaError_t cudaStreamSynchronize(cudaStream_t) {
  return cudaSuccess;
}
cudaError_t cudaMalloc(void** p, std::size_t bytes) {
  *p = std::malloc(bytes);
  return *p ? cudaSuccess : cudaErrorMemoryAllocation;
}
cudaError_t cudaFree(void* p) {
  std::free(p);
  return cudaSuccess;
}
cudaError_t cudaMallocHost(void** p, std::size_t bytes) {
  return cudaMalloc(p, bytes);
}
cudaError_t cudaFreeHost(void* p) {
  return cudaFree(p);
}
cudaError_t cudaMemcpyAsync(void* dst, const void* src, std::size_t bytes, cudaMemcpyKind,
                            cudaStream_t) {
  if (bytes > 0) std::memcpy(dst, src, bytes);
  return cudaSuccess;
}
cudaError_t cudaEventCreate(cudaEvent_t* event) {
  *event = reinterpret_cast<cudaEvent_t>(new Clock::time_point(Clock::now()));
  return cudaSuccess;
}
cudaError_t cudaEventDestroy(cudaEvent_t event) {
  delete reinterpret_cast<Clock::time_point*>(event);
  return cudaSuccess;
}
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t) {
  *reinterpret_cast<Clock::time_point*>(event) = Clock::now();
  return cudaSuccess;
}
cudaError_t cudaEventSynchronize(cudaEvent_t) {
  return cudaSuccess;
}
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t stop) {
  *ms = std::chrono::duration<float, std::milli>(*reinterpret_cast<Clock::time_point*>(stop) -
                                                 *reinterpret_cast<Clock::time_point*>(start))
            .count();
  return cudaSuccess;
}

// --- cuBLAS -----------------------------------------------------------------------
cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
  *handle = reinterpret_cast<cublasHandle_t>(&handle_token);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasDestroy_v2(cublasHandle_t) {
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSetStream_v2(cublasHandle_t, cudaStream_t) {
  return CUBLAS_STATUS_SUCCESS;
}
const char* cublasGetStatusString(cublasStatus_t) {
  return "cuBLAS error in the CPU emulation";
}
cublasStatus_t cublasDgemv_v2_64(cublasHandle_t, cublasOperation_t trans, int64_t m, int64_t n,
                                 const double* alpha, const double* A, int64_t lda, const double* x,
                                 int64_t incx, const double* beta, double* y, int64_t incy) {
  if (incx != 1 || incy != 1) return CUBLAS_STATUS_NOT_SUPPORTED;
  const auto M = cmat(A, m, n, lda);
  if (trans == CUBLAS_OP_N) {
    Eigen::Map<Eigen::VectorXd> out(y, m);
    out = *alpha * (M * Eigen::Map<const Eigen::VectorXd>(x, n)) + *beta * out;
  } else {
    Eigen::Map<Eigen::VectorXd> out(y, n);
    const Eigen::VectorXd v = M.transpose() * Eigen::Map<const Eigen::VectorXd>(x, m);
    out = *alpha * v + (*beta == 0.0 ? Eigen::VectorXd::Zero(n) : Eigen::VectorXd(*beta * out));
  }
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasDtrsm_v2_64(cublasHandle_t, cublasSideMode_t side, cublasFillMode_t uplo,
                                 cublasOperation_t trans, cublasDiagType_t diag, int64_t m,
                                 int64_t n, const double* alpha, const double* A, int64_t lda,
                                 double* B, int64_t ldb) {
  if (side != CUBLAS_SIDE_LEFT || uplo != CUBLAS_FILL_MODE_LOWER || diag != CUBLAS_DIAG_NON_UNIT)
    return CUBLAS_STATUS_NOT_SUPPORTED;
  trsm_left_lower(trans != CUBLAS_OP_N, m, n, *alpha, A, lda, B, ldb);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasDsyrk_v2_64(cublasHandle_t, cublasFillMode_t uplo, cublasOperation_t trans,
                                 int64_t n, int64_t k, const double* alpha, const double* A,
                                 int64_t lda, const double* beta, double* C, int64_t ldc) {
  if (uplo != CUBLAS_FILL_MODE_LOWER || trans != CUBLAS_OP_T) return CUBLAS_STATUS_NOT_SUPPORTED;
  const auto Am = cmat(A, k, n, lda);  // C = alpha A^T A + beta C, A is k x n
  const Eigen::MatrixXd product = *alpha * (Am.transpose() * Am);
  auto Cm = mat(C, n, n, ldc);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = j; i < n; ++i)
      Cm(i, j) = product(i, j) + (*beta == 0.0 ? 0.0 : *beta * Cm(i, j));
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasDtrsmBatched(cublasHandle_t, cublasSideMode_t side, cublasFillMode_t uplo,
                                  cublasOperation_t trans, cublasDiagType_t diag, int m, int n,
                                  const double* alpha, const double* const A[], int lda,
                                  double* const B[], int ldb, int batch) {
  if (side != CUBLAS_SIDE_LEFT || uplo != CUBLAS_FILL_MODE_LOWER || diag != CUBLAS_DIAG_NON_UNIT)
    return CUBLAS_STATUS_NOT_SUPPORTED;
  for (int b = 0; b < batch; ++b)
    trsm_left_lower(trans != CUBLAS_OP_N, m, n, *alpha, A[b], lda, B[b], ldb);
  return CUBLAS_STATUS_SUCCESS;
}

// --- cuSOLVER ---------------------------------------------------------------------
cusolverStatus_t cusolverDnCreate(cusolverDnHandle_t* handle) {
  *handle = reinterpret_cast<cusolverDnHandle_t>(&handle_token);
  return CUSOLVER_STATUS_SUCCESS;
}
cusolverStatus_t cusolverDnDestroy(cusolverDnHandle_t) {
  return CUSOLVER_STATUS_SUCCESS;
}
cusolverStatus_t cusolverDnSetStream(cusolverDnHandle_t, cudaStream_t) {
  return CUSOLVER_STATUS_SUCCESS;
}
cusolverStatus_t cusolverDnCreateParams(cusolverDnParams_t* params) {
  *params = reinterpret_cast<cusolverDnParams_t>(&handle_token);
  return CUSOLVER_STATUS_SUCCESS;
}
cusolverStatus_t cusolverDnDestroyParams(cusolverDnParams_t) {
  return CUSOLVER_STATUS_SUCCESS;
}
cusolverStatus_t cusolverDnXpotrf_bufferSize(cusolverDnHandle_t, cusolverDnParams_t,
                                             cublasFillMode_t, int64_t n, cudaDataType, const void*,
                                             int64_t, cudaDataType, size_t* device_bytes,
                                             size_t* host_bytes) {
  *device_bytes = static_cast<size_t>(n) * sizeof(double);
  *host_bytes = 0;
  return CUSOLVER_STATUS_SUCCESS;
}
cusolverStatus_t cusolverDnXpotrf(cusolverDnHandle_t, cusolverDnParams_t, cublasFillMode_t uplo,
                                  int64_t n, cudaDataType, void* A, int64_t lda, cudaDataType,
                                  void*, size_t, void*, size_t, int* info) {
  if (uplo != CUBLAS_FILL_MODE_LOWER) return CUSOLVER_STATUS_NOT_SUPPORTED;
  *info = potrf_lower(static_cast<double*>(A), n, lda);
  return CUSOLVER_STATUS_SUCCESS;
}
cusolverStatus_t cusolverDnXpotrs(cusolverDnHandle_t, cusolverDnParams_t, cublasFillMode_t uplo,
                                  int64_t n, int64_t nrhs, cudaDataType, const void* A, int64_t lda,
                                  cudaDataType, void* B, int64_t ldb, int* info) {
  if (uplo != CUBLAS_FILL_MODE_LOWER) return CUSOLVER_STATUS_NOT_SUPPORTED;
  trsm_left_lower(false, n, nrhs, 1.0, static_cast<const double*>(A), lda, static_cast<double*>(B),
                  ldb);
  trsm_left_lower(true, n, nrhs, 1.0, static_cast<const double*>(A), lda, static_cast<double*>(B),
                  ldb);
  *info = 0;
  return CUSOLVER_STATUS_SUCCESS;
}
cusolverStatus_t cusolverDnDpotri_bufferSize(cusolverDnHandle_t, cublasFillMode_t, int n, double*,
                                             int, int* lwork) {
  *lwork = n;
  return CUSOLVER_STATUS_SUCCESS;
}
cusolverStatus_t cusolverDnDpotri(cusolverDnHandle_t, cublasFillMode_t uplo, int n, double* A,
                                  int lda, double*, int, int* info) {
  if (uplo != CUBLAS_FILL_MODE_LOWER) return CUSOLVER_STATUS_NOT_SUPPORTED;
  // Lower triangle of (L L^T)^{-1} from the factor in the lower triangle.
  Eigen::MatrixXd Linv = Eigen::MatrixXd::Identity(n, n);
  cmat(A, n, n, lda).triangularView<Eigen::Lower>().solveInPlace(Linv);
  const Eigen::MatrixXd inverse = Linv.transpose() * Linv;
  auto M = mat(A, n, n, lda);
  for (int j = 0; j < n; ++j)
    for (int i = j; i < n; ++i) M(i, j) = inverse(i, j);
  *info = 0;
  return CUSOLVER_STATUS_SUCCESS;
}
cusolverStatus_t cusolverDnXtrtri_bufferSize(cusolverDnHandle_t, cublasFillMode_t, cublasDiagType_t,
                                             int64_t n, cudaDataType, void*, int64_t,
                                             size_t* device_bytes, size_t* host_bytes) {
  *device_bytes = static_cast<size_t>(n) * sizeof(double);
  *host_bytes = 16;
  return CUSOLVER_STATUS_SUCCESS;
}
cusolverStatus_t cusolverDnXtrtri(cusolverDnHandle_t, cublasFillMode_t uplo, cublasDiagType_t diag,
                                  int64_t n, cudaDataType, void* A, int64_t lda, void*, size_t,
                                  void*, size_t, int* info) {
  if (uplo != CUBLAS_FILL_MODE_LOWER || diag != CUBLAS_DIAG_NON_UNIT)
    return CUSOLVER_STATUS_NOT_SUPPORTED;
  Eigen::MatrixXd Linv = Eigen::MatrixXd::Identity(n, n);
  auto M = mat(static_cast<double*>(A), n, n, lda);
  M.triangularView<Eigen::Lower>().solveInPlace(Linv);
  for (int64_t j = 0; j < n; ++j)  // the strict upper triangle is left untouched
    for (int64_t i = j; i < n; ++i) M(i, j) = Linv(i, j);
  *info = 0;
  return CUSOLVER_STATUS_SUCCESS;
}
cusolverStatus_t cusolverDnDpotrfBatched(cusolverDnHandle_t, cublasFillMode_t uplo, int n,
                                         double* Aarray[], int lda, int* info, int batch) {
  if (uplo != CUBLAS_FILL_MODE_LOWER) return CUSOLVER_STATUS_NOT_SUPPORTED;
  for (int b = 0; b < batch; ++b) info[b] = potrf_lower(Aarray[b], n, lda);
  return CUSOLVER_STATUS_SUCCESS;
}

}  // extern "C"

// --- the device kernels, as loops over the shared element functions ----------------
namespace prospect::gpu::launch {

namespace km = prospect::kernels::detail;
using prospect::kernels::Profile;

using km::dispatch;

cudaError_t scale_points(const double* X, const double* inv_l, double* Z, std::int64_t n, int d,
                         std::int64_t batch, std::int64_t stride_x, std::int64_t stride_l,
                         std::int64_t stride_z, cudaStream_t) {
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int64_t e = 0; e < n * d; ++e)
      Z[b * stride_z + e] = X[b * stride_x + e] * inv_l[b * stride_l + e % d];
  return cudaSuccess;
}

cudaError_t kernel_matrix(Profile profile, const double* Z1, std::int64_t n1, const double* Z2,
                          std::int64_t n2, int d, double outputscale, const double* s, double* K,
                          std::int64_t ld, std::int64_t batch, std::int64_t stride_z1,
                          std::int64_t stride_z2, std::int64_t stride_k, cudaStream_t) {
  if (d < 1 || d > kMaxDimension) return cudaErrorInvalidValue;
  dispatch(profile, [&]<Profile P>() {
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::int64_t j = 0; j < n2; ++j)
        for (std::int64_t i = 0; i < n1; ++i)
          K[b * stride_k + i + j * ld] = km::kernel_entry<P>(
              Z1 + b * stride_z1 + i * d, Z2 + b * stride_z2 + j * d, d, s ? s[b] : outputscale);
  });
  return cudaSuccess;
}

cudaError_t add_to_diagonal(double* K, std::int64_t n, std::int64_t ld, const double* diag,
                            double constant, cudaStream_t) {
  for (std::int64_t i = 0; i < n; ++i) K[i + i * ld] += (diag ? diag[i] : 0.0) + constant;
  return cudaSuccess;
}

cudaError_t zero_strict_upper(double* A, std::int64_t n, std::int64_t ld, cudaStream_t) {
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < j; ++i) A[i + j * ld] = 0.0;
  return cudaSuccess;
}

std::size_t contraction_workspace(std::int64_t, int d) {
  return static_cast<std::size_t>(d + 2);
}

cudaError_t contract_gradient(Profile profile, const double* Z, std::int64_t n, int d,
                              const double* alpha, const double* Kinv, std::int64_t ld, double*,
                              double* out, cudaStream_t) {
  if (d < 1 || d > kMaxDimension) return cudaErrorInvalidValue;
  for (int k = 0; k < d + 2; ++k) out[k] = 0.0;
  dispatch(profile, [&]<Profile P>() {
    const double g0 = km::ProfileMath<P>::value(0.0);
    for (std::int64_t col = 0; col < n; ++col) {
      for (std::int64_t row = col; row < n; ++row) {
        const double w_half = alpha[row] * alpha[col] - Kinv[row + col * ld];
        if (row == col) {
          out[d] += w_half * g0;
          out[d + 1] += w_half;
        } else {
          km::accumulate_pair<P>(Z + row * d, Z + col * d, d, 2.0 * w_half, out);
        }
      }
    }
  });
  return cudaSuccess;
}

cudaError_t log_determinants(const double* L, std::int64_t n, std::int64_t ld, std::int64_t batch,
                             std::int64_t stride, double* out, cudaStream_t) {
  for (std::int64_t b = 0; b < batch; ++b) {
    double sum = 0.0;
    for (std::int64_t i = 0; i < n; ++i) sum += std::log(L[b * stride + i + i * ld]);
    out[b] = 2.0 * sum;
  }
  return cudaSuccess;
}

cudaError_t posterior_variances(const double* V, std::int64_t n, std::int64_t m, std::int64_t ld,
                                double prior, double min_variance, double* var, cudaStream_t) {
  for (std::int64_t j = 0; j < m; ++j) {
    double sum = 0.0;
    for (std::int64_t i = 0; i < n; ++i) sum += V[i + j * ld] * V[i + j * ld];
    var[j] = km::posterior_variance(prior, sum, min_variance);
  }
  return cudaSuccess;
}

cudaError_t pointer_array(double* base, std::int64_t stride, std::int64_t batch, double** ptrs,
                          cudaStream_t) {
  for (std::int64_t b = 0; b < batch; ++b) ptrs[b] = base + b * stride;
  return cudaSuccess;
}

}  // namespace prospect::gpu::launch
