// kernels/cuda/context.cpp — device contexts, error checks and phase timers.
#include "kernels/cuda/context.hpp"

#include <map>
#include <memory>
#include <sstream>

#include "prospect/errors.hpp"

namespace prospect::gpu {

namespace {

const char* cusolver_name(cusolverStatus_t status) {
  switch (status) {
    case CUSOLVER_STATUS_SUCCESS:
      return "CUSOLVER_STATUS_SUCCESS";
    case CUSOLVER_STATUS_NOT_INITIALIZED:
      return "CUSOLVER_STATUS_NOT_INITIALIZED";
    case CUSOLVER_STATUS_ALLOC_FAILED:
      return "CUSOLVER_STATUS_ALLOC_FAILED (out of device memory)";
    case CUSOLVER_STATUS_INVALID_VALUE:
      return "CUSOLVER_STATUS_INVALID_VALUE";
    case CUSOLVER_STATUS_ARCH_MISMATCH:
      return "CUSOLVER_STATUS_ARCH_MISMATCH";
    case CUSOLVER_STATUS_EXECUTION_FAILED:
      return "CUSOLVER_STATUS_EXECUTION_FAILED";
    case CUSOLVER_STATUS_INTERNAL_ERROR:
      return "CUSOLVER_STATUS_INTERNAL_ERROR";
    case CUSOLVER_STATUS_NOT_SUPPORTED:
      return "CUSOLVER_STATUS_NOT_SUPPORTED";
    default:
      return "a cuSOLVER error";
  }
}

[[noreturn]] void fail(const char* what, const std::string& detail) {
  throw DeviceError(std::string("CUDA: ") + what + " failed: " + detail);
}

}  // namespace

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    // Clear the sticky-free error so the next call starts clean.
    (void)cudaGetLastError();
    fail(what, std::string(cudaGetErrorName(status)) + " (" + cudaGetErrorString(status) + ")");
  }
}

void check(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS) fail(what, cublasGetStatusString(status));
}

void check(cusolverStatus_t status, const char* what) {
  if (status != CUSOLVER_STATUS_SUCCESS) fail(what, cusolver_name(status));
}

Context& Context::get(int device_id) {
  static std::mutex registry_mutex;
  // Never destroyed: at exit the CUDA runtime tears itself down before function-local
  // statics created after it are destroyed, and destroying cuBLAS/cuSOLVER handles then
  // can crash. The driver releases everything with the process.
  static auto* registry = new std::map<int, std::unique_ptr<Context>>();
  const std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = registry->find(device_id);
  if (it == registry->end()) {
    it = registry->emplace(device_id, std::unique_ptr<Context>(new Context(device_id))).first;
  }
  return *it->second;
}

Context::Context(int device) : device_id(device) {
  check(cudaSetDevice(device), "cudaSetDevice");
  check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
  check(cublasCreate(&blas), "cublasCreate");
  check(cublasSetStream(blas, stream), "cublasSetStream");
  check(cusolverDnCreate(&solver), "cusolverDnCreate");
  check(cusolverDnSetStream(solver, stream), "cusolverDnSetStream");
  check(cusolverDnCreateParams(&params), "cusolverDnCreateParams");
}

Context::~Context() {
  // Process exit: release quietly (the driver may already be shutting down).
  for (void* p : buffers_)
    if (p) (void)cudaFree(p);
  if (host_) (void)cudaFreeHost(host_);
  if (params) (void)cusolverDnDestroyParams(params);
  if (solver) (void)cusolverDnDestroy(solver);
  if (blas) (void)cublasDestroy(blas);
  if (stream) (void)cudaStreamDestroy(stream);
}

void Context::activate() const {
  check(cudaSetDevice(device_id), "cudaSetDevice");
}

void* Context::buffer(Slot slot, std::size_t bytes) {
  const auto k = static_cast<std::size_t>(slot);
  if (bytes == 0) bytes = 8;
  if (sizes_[k] < bytes) {
    if (buffers_[k]) check(cudaFree(buffers_[k]), "cudaFree");
    buffers_[k] = nullptr;
    sizes_[k] = 0;
    void* p = nullptr;
    const cudaError_t status = cudaMalloc(&p, bytes);
    if (status != cudaSuccess) {
      std::ostringstream what;
      what << "cudaMalloc of " << static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0) << " GiB";
      check(status, what.str().c_str());
    }
    buffers_[k] = p;
    sizes_[k] = bytes;
  }
  return buffers_[k];
}

Context::WorkspaceSizes Context::workspace_sizes(int routine, std::int64_t n,
                                                 const std::function<WorkspaceSizes()>& query) {
  const auto key = std::make_pair(routine, n);
  auto it = workspace_sizes_.find(key);
  if (it == workspace_sizes_.end()) it = workspace_sizes_.emplace(key, query()).first;
  return it->second;
}

void* Context::host_workspace(std::size_t bytes) {
  if (bytes == 0) return nullptr;
  if (host_size_ < bytes) {
    if (host_) check(cudaFreeHost(host_), "cudaFreeHost");
    host_ = nullptr;
    host_size_ = 0;
    check(cudaMallocHost(&host_, bytes), "cudaMallocHost");
    host_size_ = bytes;
  }
  return host_;
}

PhaseTimer::PhaseTimer(cudaStream_t stream) : stream_(stream) {
  check(cudaEventCreate(&start_), "cudaEventCreate");
  check(cudaEventCreate(&stop_), "cudaEventCreate");
  check(cudaEventRecord(start_, stream_), "cudaEventRecord");
}

PhaseTimer::~PhaseTimer() {
  (void)cudaEventDestroy(start_);
  (void)cudaEventDestroy(stop_);
}

void PhaseTimer::lap(double* into) {
  check(cudaEventRecord(stop_, stream_), "cudaEventRecord");
  check(cudaEventSynchronize(stop_), "cudaEventSynchronize");
  float ms = 0.0f;
  check(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime");
  if (into) *into += 1e-3 * static_cast<double>(ms);
  std::swap(start_, stop_);
}

}  // namespace prospect::gpu
