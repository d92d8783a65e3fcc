// kernels/cuda/unavailable.cpp — kernels/cuda/gpu.hpp for a build without the CUDA part
// (PROSPECT_CUDA=OFF, or AUTO without nvcc): nothing is available, and a call that
// reaches the device path anyway throws DeviceError saying how to get one.
#include "kernels/cuda/gpu.hpp"
#include "prospect/errors.hpp"

namespace prospect::gpu {

namespace {

[[noreturn]] void not_built(const char* what) {
  throw DeviceError(std::string(what) +
                    ": this prospect was built without its CUDA part (PROSPECT_CUDA=OFF, or "
                    "nvcc not found); rebuild with -DPROSPECT_CUDA=ON on a machine with the "
                    "CUDA toolkit, or use Device::cpu");
}

}  // namespace

bool built() {
  return false;
}

int max_dimension() {
  return 0;
}

DeviceInfo query(int device_id) {
  DeviceInfo info;
  info.device_id = device_id;
  info.reason = "built without CUDA (PROSPECT_CUDA=OFF or nvcc not found)";
  return info;
}

StationaryObjectiveOutput stationary_objective(int, const StationaryObjectiveInput&) {
  not_built("gpu::stationary_objective");
}

Timings stationary_predict(int, const StationaryPredictionInput&, MatrixCRef, Eigen::Ref<Vector>,
                           Eigen::Ref<Vector>) {
  not_built("gpu::stationary_predict");
}

Timings cholesky_solve_batched(int, MatrixCRef, MatrixCRef, Eigen::Index, Matrix&, Vector&,
                               std::vector<int>&) {
  not_built("gpu::cholesky_solve_batched");
}

Matrix stationary_matrix(int, kernels::Profile, MatrixCRef, MatrixCRef, const Vector&, double) {
  not_built("gpu::stationary_matrix");
}

double time_cholesky(int, Eigen::Index, int) {
  not_built("gpu::time_cholesky");
}

}  // namespace prospect::gpu
