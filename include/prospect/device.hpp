// prospect/device.hpp — where the heavy linear algebra runs: the CPU or a CUDA GPU.
//
// The CUDA part (kernels/cuda/, library prospect_cuda) is built when CMake finds nvcc
// (PROSPECT_CUDA=AUTO, the default) and is used when a device is present at run time.
// Every model keeps the CPU path as the reference; the GPU path gives the same results
// to the tolerances stated with each operation (docs/gpu.md).
//
// DeviceOptions::device picks per call:
//   cpu        never the GPU;
//   cuda       the GPU for every operation it supports (an error when no device is
//              usable, so a study meant for a GPU never silently runs on the CPU);
//   automatic  the GPU when one is usable AND the call is large enough for the transfer
//              and launch costs to pay (the thresholds below), else the CPU.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace prospect {

/// Where a computation runs.
enum class Device {
  automatic,  ///< the GPU for large calls when one is usable, else the CPU ("auto")
  cpu,        ///< always the CPU ("cpu")
  cuda        ///< always the GPU; an error when none is usable ("cuda")
};

/// "auto", "cpu", "cuda".
[[nodiscard]] const char* to_string(Device device);
/// Parses the names above; throws prospect::InvalidArgument naming the value.
[[nodiscard]] Device device_from_string(const std::string& name);

/// Where and from what size the GPU takes over. The defaults are estimates of where the
/// device's O(n^3) speed outweighs its transfer and launch costs, not yet measured on a
/// device (docs/gpu.md); bench/bench_gpu times both paths on the machine at hand.
struct DeviceOptions {
  DeviceOptions() = default;
  /// Implicit, so that `options.device = Device::cuda` reads as it says.
  DeviceOptions(Device where) : device(where) {}  // NOLINT(google-explicit-constructor)

  /// cpu, cuda or automatic (the default).
  Device device = Device::automatic;
  /// With automatic: the GP log marginal likelihood and its gradient (O(n^3)) go to the
  /// GPU from this many observations.
  Eigen::Index min_observations = 2000;
  /// With automatic: predictions go to the GPU from this many candidate-observation
  /// pairs (m n); 1e7 is 10,000 candidates against 1,000 observations.
  double min_prediction_pairs = 1e7;
  /// With automatic: batched factorizations go to the GPU from this many systems.
  Eigen::Index min_batch = 64;
  /// The CUDA device ordinal to use (>= 0).
  int device_id = 0;

  /// Every problem with these options, empty when they are valid (never throws).
  [[nodiscard]] std::vector<std::string> validate() const;
};

/// What the CUDA part of this build sees. Never throws.
struct DeviceInfo {
  bool built = false;          ///< the library was built with its CUDA part
  bool available = false;      ///< a usable device was found at run time
  int device_id = 0;           ///< the ordinal queried
  int device_count = 0;        ///< devices the driver reports
  std::string name;            ///< e.g. "NVIDIA H200"
  int compute_capability = 0;  ///< major * 10 + minor, e.g. 90
  double memory_gib = 0.0;     ///< total device memory
  std::string reason;          ///< why not available (empty when available)
  /// "NVIDIA H200 (sm_90, 139.8 GiB)" or "no CUDA device: <reason>".
  [[nodiscard]] std::string brief_report() const;
};

/// Queries the CUDA runtime for options.device_id once per process (cached); cheap after.
[[nodiscard]] DeviceInfo cuda_device_info(int device_id = 0);

/// Whether a call of the given kind and size runs on the GPU under `options`. Throws
/// prospect::DeviceError when options.device == cuda and no device is usable (its
/// message says why and to use Device::automatic or cpu), InvalidOptions when the
/// options are invalid. `supported` is false when the operation has no GPU path for
/// this input (e.g. a kernel the device code does not implement): then cuda throws too.
[[nodiscard]] bool use_cuda(const DeviceOptions& options, bool large_enough, bool supported,
                            const char* operation);

}  // namespace prospect
