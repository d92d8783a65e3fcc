// src/device.cpp — device names, options and the per-call CPU/GPU decision.
#include "prospect/device.hpp"

#include <map>
#include <mutex>
#include <sstream>

#include "kernels/cuda/gpu.hpp"
#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"

namespace prospect {

const char* to_string(Device device) {
  switch (device) {
    case Device::automatic:
      return "auto";
    case Device::cpu:
      return "cpu";
    case Device::cuda:
      return "cuda";
  }
  return "unknown";
}

Device device_from_string(const std::string& name) {
  for (Device d : {Device::automatic, Device::cpu, Device::cuda})
    if (name == to_string(d)) return d;
  throw InvalidArgument("device: unknown device \"" + name +
                        "\"; expected one of \"auto\", \"cpu\", \"cuda\"");
}

std::vector<std::string> DeviceOptions::validate() const {
  std::vector<std::string> problems;
  if (min_observations < 1) {
    problems.push_back("device.min_observations = " + std::to_string(min_observations) +
                       "; expected >= 1");
  }
  if (!(min_prediction_pairs >= 1.0)) {
    problems.push_back("device.min_prediction_pairs = " +
                       detail::format_number(min_prediction_pairs) + "; expected >= 1");
  }
  if (min_batch < 1) {
    problems.push_back("device.min_batch = " + std::to_string(min_batch) + "; expected >= 1");
  }
  if (device_id < 0) {
    problems.push_back("device.device_id = " + std::to_string(device_id) + "; expected >= 0");
  }
  return problems;
}

std::string DeviceInfo::brief_report() const {
  if (!available) return "no CUDA device: " + reason;
  std::ostringstream out;
  out << name << " (sm_" << compute_capability << ", " << detail::format_number(memory_gib)
      << " GiB)";
  return out.str();
}

DeviceInfo cuda_device_info(int device_id) {
  static std::mutex mutex;
  static std::map<int, DeviceInfo> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(device_id);
  if (it == cache.end()) it = cache.emplace(device_id, gpu::query(device_id)).first;
  return it->second;
}

bool use_cuda(const DeviceOptions& options, bool large_enough, bool supported,
              const char* operation) {
  if (options.device == Device::cpu) return false;
  const auto problems = options.validate();
  if (!problems.empty()) {
    std::string message = "invalid device options:";
    for (const auto& p : problems) message += " " + p + ";";
    throw InvalidOptions(message);
  }
  if (options.device == Device::automatic) {
    return large_enough && supported && cuda_device_info(options.device_id).available;
  }
  const DeviceInfo info = cuda_device_info(options.device_id);
  if (!info.available) {
    throw DeviceError(std::string(operation) + ": device = cuda, but " + info.brief_report() +
                      "; use device = auto to fall back to the CPU, or cpu");
  }
  if (!supported) {
    throw DeviceError(std::string(operation) +
                      ": device = cuda, but this operation has no GPU path for this input "
                      "(stationary kernels of dimension <= " +
                      std::to_string(gpu::max_dimension()) + " only); use device = auto or cpu");
  }
  return true;
}

}  // namespace prospect
