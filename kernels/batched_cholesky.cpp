// kernels/batched_cholesky.cpp — the CPU path of cholesky_solve_batched and the choice
// of path (the GPU path is kernels/cuda/gp_device.cpp).
#include "prospect/kernels/batched_cholesky.hpp"

#include <Eigen/Cholesky>
#include <cmath>
#include <limits>
#include <string>

#include "kernels/cuda/gpu.hpp"
#include "prospect/errors.hpp"

namespace prospect::kernels {

namespace {

using Eigen::Index;

void check_inputs(const Eigen::Ref<const Eigen::MatrixXd>& A,
                  const Eigen::Ref<const Eigen::MatrixXd>& B, Index batch) {
  const std::string where = "cholesky_solve_batched: ";
  if (batch < 1) {
    throw InvalidArgument(where + "batch = " + std::to_string(batch) + "; expected >= 1");
  }
  const Index n = A.rows();
  if (n < 1 || A.cols() != n * batch) {
    throw InvalidArgument(where + "A is " + std::to_string(A.rows()) + " x " +
                          std::to_string(A.cols()) +
                          "; expected n x (n batch) with n >= 1 and "
                          "batch = " +
                          std::to_string(batch));
  }
  if (B.rows() != n || B.cols() % batch != 0) {
    throw InvalidArgument(where + "B is " + std::to_string(B.rows()) + " x " +
                          std::to_string(B.cols()) + "; expected " + std::to_string(n) +
                          " rows and a multiple of batch = " + std::to_string(batch) + " columns");
  }
  if (!A.allFinite()) throw InvalidArgument(where + "A holds a non-finite entry; expected finite");
  if (!B.allFinite()) throw InvalidArgument(where + "B holds a non-finite entry; expected finite");
}

}  // namespace

int BatchedCholeskySolve::failed() const {
  int count = 0;
  for (int i : info) count += i != 0;
  return count;
}

BatchedCholeskySolve cholesky_solve_batched(const Eigen::Ref<const Eigen::MatrixXd>& A,
                                            const Eigen::Ref<const Eigen::MatrixXd>& B, Index batch,
                                            const DeviceOptions& device) {
  check_inputs(A, B, batch);
  const Index n = A.rows();
  const Index k = B.cols() / batch;
  BatchedCholeskySolve out;
  if (use_cuda(device, batch >= device.min_batch, gpu::built(), "cholesky_solve_batched")) {
    (void)gpu::cholesky_solve_batched(device.device_id, A, B, batch, out.X, out.log_determinant,
                                      out.info);
    out.on_gpu = true;
    return out;
  }
  out.X.resize(n, k * batch);
  out.log_determinant.resize(batch);
  out.info.assign(static_cast<std::size_t>(batch), 0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
#pragma omp parallel for schedule(static) if (batch * n * n * n >= 1e6)
  for (Index b = 0; b < batch; ++b) {
    const Eigen::LLT<Eigen::MatrixXd, Eigen::Lower> llt(A.middleCols(b * n, n));
    const auto& L = llt.matrixLLT();
    Index bad = 0;
    if (llt.info() != Eigen::Success) bad = 1;
    for (Index i = 0; i < n && bad == 0; ++i)
      if (!(L(i, i) > 0.0) || !std::isfinite(L(i, i))) bad = i + 1;
    if (bad != 0) {
      out.info[static_cast<std::size_t>(b)] = static_cast<int>(bad);
      out.X.middleCols(b * k, k).setConstant(nan);
      out.log_determinant(b) = nan;
      continue;
    }
    out.X.middleCols(b * k, k) = llt.solve(B.middleCols(b * k, k));
    out.log_determinant(b) = 2.0 * L.diagonal().array().log().sum();
  }
  return out;
}

}  // namespace prospect::kernels
