// prospect/kernels/batched_cholesky.hpp — many small SPD systems solved at once.
//
// Fantasy models, multi-start hyperparameter fits and per-fidelity models each need a
// Cholesky factorization and a few solves of a small matrix; batched, they run as one
// call: OpenMP over the systems on the CPU, or cuSOLVER's potrfBatched and cuBLAS's
// trsmBatched on the GPU (DeviceOptions::min_batch systems and up with Device::automatic).
// The two paths agree to about 1e-10 relative for well-conditioned systems.
//
// Layout: the batch systems are stacked side by side, A = [A_0 A_1 ...] (n x n batch,
// lower triangles read) and B = [B_0 B_1 ...] (n x k batch), as column blocks of one
// column-major matrix, so that one contiguous upload moves the whole batch.
//
// Complexity: batch (n^3/3 + 2 k n^2) flops.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "prospect/device.hpp"

namespace prospect::kernels {

/// The solutions of a batch of systems A_b X_b = B_b.
struct BatchedCholeskySolve {
  /// n x (k batch): X_b = A_b^{-1} B_b in column block b (NaN when system b failed).
  Eigen::MatrixXd X;
  /// log det A_b for each system (NaN when it failed).
  Eigen::VectorXd log_determinant;
  /// 0, or > 0 when A_b is not numerically positive definite (on the GPU, cuSOLVER's
  /// order of the first failing leading minor; on the CPU, that of the first bad pivot,
  /// or 1 when Eigen's factorization stopped).
  std::vector<int> info;
  /// Whether the GPU ran it.
  bool on_gpu = false;
  /// Number of systems that failed (info != 0).
  [[nodiscard]] int failed() const;
};

/// Factors and solves the `batch` systems stacked in A and B (see the layout above).
/// No jitter: a system that is not numerically positive definite is reported in info
/// (and its results are NaN) while the others are solved. Throws InvalidArgument when
/// batch < 1, A is not n x (n batch), B has not n rows and a multiple of batch columns,
/// or an entry is not finite; DeviceError as use_cuda() and on CUDA failures.
[[nodiscard]] BatchedCholeskySolve cholesky_solve_batched(
    const Eigen::Ref<const Eigen::MatrixXd>& A, const Eigen::Ref<const Eigen::MatrixXd>& B,
    Eigen::Index batch, const DeviceOptions& device = {});

}  // namespace prospect::kernels
