// kernels/cuda/gpu.hpp — what the CPU library asks of the CUDA part (private header).
//
// Plain C++ (no CUDA types), so the models include it whether or not the CUDA part is
// built: with PROSPECT_CUDA off, kernels/cuda/unavailable.cpp implements it by throwing
// DeviceError. Every function is synchronous: inputs and outputs are host memory, the
// device buffers, handles, stream and cuSOLVER workspaces live in one context per device
// that is created on first use and reused (its buffers only grow). Calls on one device
// are serialized by that context's mutex.
//
// Errors: DeviceError (a CUDA, cuBLAS or cuSOLVER failure, out of device memory),
// NumericalError (a matrix still indefinite after the jitter escalation).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "prospect/device.hpp"
#include "prospect/kernels/cholesky.hpp"
#include "prospect/kernels/profile.hpp"

namespace prospect::gpu {

using kernels::Matrix;
using kernels::MatrixCRef;
using kernels::Vector;
using kernels::VectorCRef;

/// True when this build has the CUDA part.
[[nodiscard]] bool built();
/// Queries the runtime (not cached; device.cpp caches). Never throws.
[[nodiscard]] DeviceInfo query(int device_id);
/// The largest input dimension the device kernels take.
[[nodiscard]] int max_dimension();

/// Seconds spent in each phase of a device call (CUDA events on the context's stream).
struct Timings {
  double upload = 0.0;       ///< host to device copies
  double kernel = 0.0;       ///< kernel matrices
  double factor = 0.0;       ///< Cholesky factorizations (jitter retries included)
  double solve = 0.0;        ///< triangular solves, gemv
  double inverse = 0.0;      ///< K^{-1} from the factor
  double contraction = 0.0;  ///< the hyperparameter-gradient contraction
  double download = 0.0;     ///< device to host copies
  [[nodiscard]] double total() const {
    return upload + kernel + factor + solve + inverse + contraction + download;
  }
};

/// The exact-GP objective's linear algebra for a stationary kernel:
/// K = s g(|(x_i - x_j) / l|) + diag(noise) (+ jitter I), factored; alpha = K^{-1} r.
struct StationaryObjectiveInput {
  kernels::Profile profile = kernels::Profile::matern52;
  const Matrix* X = nullptr;            ///< n x d training inputs
  Vector inverse_lengthscales;          ///< 1 / l_j (size d)
  double outputscale = 1.0;             ///< s
  const Vector* noise = nullptr;        ///< per-point variance added to the diagonal (n)
  const Vector* residual = nullptr;     ///< r = y_std - c (n)
  kernels::CholeskyOptions cholesky{};  ///< jitter escalation, as RobustCholesky
  bool gradient = true;                 ///< also K^{-1} and the contraction
  /// Up to this n, K^{-1} comes from the 32-bit cusolverDnDpotri; above it from the
  /// 64-bit trtri + syrk path. Tests lower it to check the second path at small n.
  Eigen::Index potri_max = 46340;
};
struct StationaryObjectiveOutput {
  double quadratic = 0.0;        ///< r^T alpha
  double log_determinant = 0.0;  ///< log det K (with the jitter)
  double jitter = 0.0;           ///< total jitter added (0 when none)
  Vector alpha;                  ///< K^{-1} r
  /// With gradient: the contraction totals of W = alpha alpha^T - K^{-1} (size d + 1,
  /// Stationary::add_contraction_gradient's input) and tr(W).
  Vector totals;
  double trace_W = 0.0;
  Timings timings;
};
/// O(n^3) on the device: n^3/3 flops for the factor, about n^3 more for K^{-1}.
[[nodiscard]] StationaryObjectiveOutput stationary_objective(int device_id,
                                                             const StationaryObjectiveInput& in);

/// Posterior mean and latent variance of a fitted GP at many candidates, in chunks.
struct StationaryPredictionInput {
  kernels::Profile profile = kernels::Profile::matern52;
  const Matrix* X = nullptr;      ///< n x d training inputs
  Vector inverse_lengthscales;    ///< 1 / l_j
  double outputscale = 1.0;       ///< s, also the prior variance k(x, x)
  const Matrix* L = nullptr;      ///< the n x n lower Cholesky factor of K (+ noise, jitter)
  const Vector* alpha = nullptr;  ///< K^{-1} (y_std - c)
  double min_variance = 1e-12;    ///< variance floor
};
/// mean(j) = k(X, x_j)^T alpha, variance(j) = max(s - |L^{-1} k(X, x_j)|^2, floor) for the
/// m rows of `candidates` (m x d). O(m n^2) flops (the triangular solve), O(m n d) more.
Timings stationary_predict(int device_id, const StationaryPredictionInput& in,
                           MatrixCRef candidates, Eigen::Ref<Vector> mean,
                           Eigen::Ref<Vector> variance);

/// batch systems A_b X_b = B_b: A is n x (n batch) (A_b its b-th n x n block, lower
/// triangle read), B is n x (k batch). X gets the solutions (n x (k batch)), log_det the
/// log-determinants, info 0 or the order of the first non-positive leading minor (then
/// that system's X and log_det are NaN). cuSOLVER potrfBatched + cuBLAS trsmBatched.
Timings cholesky_solve_batched(int device_id, MatrixCRef A, MatrixCRef B, Eigen::Index batch,
                               Matrix& X, Vector& log_det, std::vector<int>& info);

/// K(X1, X2) of a stationary kernel computed on the device (for the tests). O(n1 n2 d).
[[nodiscard]] Matrix stationary_matrix(int device_id, kernels::Profile profile, MatrixCRef X1,
                                       MatrixCRef X2, const Vector& inverse_lengthscales,
                                       double outputscale);

/// For the benchmark: seconds of cuSOLVER's Cholesky alone (cusolverDnXpotrf on an n x n
/// SPD kernel matrix already on the device), the median of `repeats` runs.
[[nodiscard]] double time_cholesky(int device_id, Eigen::Index n, int repeats);

}  // namespace prospect::gpu
