// kernels/cuda/context.hpp — one device's stream, library handles and reusable buffers
// (private header of prospect_cuda).
//
// Created on first use per device ordinal and kept for the life of the process: the
// cuBLAS/cuSOLVER handles cost milliseconds to create, and the buffers (kernel matrices,
// cuSOLVER workspaces) are grown to the largest size asked and then reused, so the
// workspace size of each routine is queried once per problem size. Calls are serialized
// by the mutex (one stream per device).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cusolverDn.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace prospect::gpu {

/// Throws DeviceError naming `what` when a call failed.
void check(cudaError_t status, const char* what);
void check(cublasStatus_t status, const char* what);
void check(cusolverStatus_t status, const char* what);

/// The named device buffers of a context.
enum class Slot : int {
  points,        // scaled training points (d x n)
  points_other,  // scaled candidates (d x m)
  matrix,        // K, then its factor
  matrix_other,  // K^{-1} (64-bit path), cross covariances
  vector_a,      // alpha, residuals
  vector_b,      // noise, means
  vector_c,      // variances, log-determinants
  scales,        // inverse lengthscales
  workspace,     // cuSOLVER device workspace, contraction partials
  pointers_a,    // pointer arrays of batched routines
  pointers_b,
  info,  // cuSOLVER info values
  count
};

class Context {
 public:
  /// The context of device `device_id`, created on first use; throws DeviceError when the
  /// device cannot be selected or the handles cannot be created.
  static Context& get(int device_id);

  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context();

  /// Device memory of at least `bytes` for `slot`, reused across calls (grow-only; the
  /// contents are not preserved when it grows).
  void* buffer(Slot slot, std::size_t bytes);
  template <class T>
  T* typed(Slot slot, std::size_t count) {
    return static_cast<T*>(buffer(slot, count * sizeof(T)));
  }
  /// Host memory for cuSOLVER's host workspaces (grow-only).
  void* host_workspace(std::size_t bytes);

  /// Device and host workspace bytes of cuSOLVER routine `routine` at size n: `query`
  /// runs the first time only (the *_bufferSize call), later calls reuse its answer.
  using WorkspaceSizes = std::pair<std::size_t, std::size_t>;
  WorkspaceSizes workspace_sizes(int routine, std::int64_t n,
                                 const std::function<WorkspaceSizes()>& query);

  /// Makes this context's device current on the calling thread.
  void activate() const;

  std::mutex mutex;
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
  cusolverDnHandle_t solver = nullptr;
  cusolverDnParams_t params = nullptr;
  int device_id = 0;

 private:
  explicit Context(int device);
  std::array<void*, static_cast<int>(Slot::count)> buffers_{};
  std::array<std::size_t, static_cast<int>(Slot::count)> sizes_{};
  void* host_ = nullptr;
  std::size_t host_size_ = 0;
  std::map<std::pair<int, std::int64_t>, WorkspaceSizes> workspace_sizes_;
};

/// Times phases on the context's stream with CUDA events (one event pair per phase).
class PhaseTimer {
 public:
  explicit PhaseTimer(cudaStream_t stream);
  ~PhaseTimer();
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;
  /// Ends the running phase (adding its time to *into) once the stream reaches this point;
  /// starts the next one. Synchronizes.
  void lap(double* into);

 private:
  cudaStream_t stream_;
  cudaEvent_t start_ = nullptr;
  cudaEvent_t stop_ = nullptr;
};

}  // namespace prospect::gpu
