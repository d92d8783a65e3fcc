// kernels/nargp.cpp — k_rho(x,x') k_f(u,u') + k_delta(x,x') built from three SE kernels.
//
// The product rule turns every derivative of the sum-of-product into derivatives of the
// factors: the contraction with W of dK/dtheta_rho is the rho kernel's contraction with
// W .* K_f, and symmetrically for f; the bias kernel contracts W itself.
#include "prospect/kernels/nargp.hpp"

#include <cmath>
#include <string>

#include "prospect/errors.hpp"

namespace prospect::kernels {

namespace {

StationaryOptions with_outputscale(bool outputscale) {
  StationaryOptions o;
  o.ard = true;
  o.outputscale = outputscale;
  return o;
}

}  // namespace

NargpKernel::NargpKernel()
    : rho_(with_outputscale(true)), f_(with_outputscale(false)), delta_(with_outputscale(true)) {}

std::unique_ptr<Kernel> NargpKernel::clone() const {
  return std::make_unique<NargpKernel>(*this);
}

std::string NargpKernel::name() const {
  return "nargp";
}

std::vector<HyperparameterSpec> NargpKernel::hyperparameters(Eigen::Index D) const {
  if (D < 2) {
    throw InvalidArgument("NargpKernel::hyperparameters: D = " + std::to_string(D) +
                          "; expected D >= 2 (d >= 1 design columns and the previous output)");
  }
  const Eigen::Index d = D - 1;
  std::vector<HyperparameterSpec> out;
  auto append = [&out](const std::vector<HyperparameterSpec>& specs, const std::string& prefix) {
    for (auto s : specs) {
      s.name = prefix + s.name;
      out.push_back(s);
    }
  };
  append(rho_.hyperparameters(d), "rho.");
  append(f_.hyperparameters(1), "f.");
  auto delta = delta_.hyperparameters(d);
  delta.back().log_default = std::log(0.1);
  append(delta, "delta.");
  return out;
}

Eigen::Index NargpKernel::check(Eigen::Index D, VectorCRef theta, const char* where) const {
  if (D < 2) {
    throw InvalidArgument(std::string(where) + ": input dimension D = " + std::to_string(D) +
                          "; expected D >= 2 (d >= 1 design columns and the previous output)");
  }
  const Eigen::Index d = D - 1;
  if (theta.size() != 2 * d + 3) {
    throw InvalidArgument(std::string(where) + ": theta has size " + std::to_string(theta.size()) +
                          "; expected 2 d + 3 = " + std::to_string(2 * d + 3) +
                          " for D = " + std::to_string(D));
  }
  return d;
}

void NargpKernel::matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta,
                         Eigen::Ref<Matrix> K) const {
  if (X1.cols() != X2.cols()) {
    throw InvalidArgument("NargpKernel::matrix: X1 has " + std::to_string(X1.cols()) +
                          " columns and X2 " + std::to_string(X2.cols()) + "; expected equal");
  }
  const Eigen::Index d = check(X1.cols(), theta, "NargpKernel::matrix");
  const Eigen::Index n1 = X1.rows(), n2 = X2.rows();
  Matrix Kf(n1, n2), Kd(n1, n2);
  rho_.matrix(X1.leftCols(d), X2.leftCols(d), theta.head(d + 1), K);
  f_.matrix(X1.rightCols(1), X2.rightCols(1), theta.segment(d + 1, 1), Kf);
  delta_.matrix(X1.leftCols(d), X2.leftCols(d), theta.tail(d + 1), Kd);
  K.array() = K.array() * Kf.array() + Kd.array();
}

void NargpKernel::diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const {
  const Eigen::Index d = check(X.cols(), theta, "NargpKernel::diagonal");
  diag.setConstant(std::exp(theta(d)) + std::exp(theta(2 * d + 2)));
}

void NargpKernel::contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,
                                                   Eigen::Ref<Vector> grad) const {
  const Eigen::Index d = check(X.cols(), theta, "NargpKernel::contract_hyperparameter_gradient");
  const Eigen::Index n = X.rows();
  const auto Xx = X.leftCols(d);
  const auto U = X.rightCols(1);
  Matrix Kr(n, n), Kf(n, n);
  rho_.matrix(Xx, Xx, theta.head(d + 1), Kr);
  f_.matrix(U, U, theta.segment(d + 1, 1), Kf);
  Matrix Wp = W.cwiseProduct(Kf);
  rho_.contract_hyperparameter_gradient(Xx, theta.head(d + 1), Wp, grad.head(d + 1));
  Wp = W.cwiseProduct(Kr);
  f_.contract_hyperparameter_gradient(U, theta.segment(d + 1, 1), Wp, grad.segment(d + 1, 1));
  delta_.contract_hyperparameter_gradient(Xx, theta.tail(d + 1), W, grad.tail(d + 1));
}

void NargpKernel::input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                                 Eigen::Ref<Matrix> J) const {
  if (x.size() != X.cols()) {
    throw InvalidArgument("NargpKernel::input_gradient: x has " + std::to_string(x.size()) +
                          " coordinates and X " + std::to_string(X.cols()) +
                          " columns; expected equal");
  }
  const Eigen::Index d = check(X.cols(), theta, "NargpKernel::input_gradient");
  const Eigen::Index n = X.rows();
  const auto Xx = X.leftCols(d);
  const auto U = X.rightCols(1);
  const Matrix xr = x.head(d).transpose();
  const Matrix ur = x.tail(1).transpose();
  Matrix kr(1, n), kf(1, n), Jr(n, d), Jf(n, 1), Jd(n, d);
  rho_.matrix(xr, Xx, theta.head(d + 1), kr);
  f_.matrix(ur, U, theta.segment(d + 1, 1), kf);
  rho_.input_gradient(x.head(d), Xx, theta.head(d + 1), Jr);
  f_.input_gradient(x.tail(1), U, theta.segment(d + 1, 1), Jf);
  delta_.input_gradient(x.head(d), Xx, theta.tail(d + 1), Jd);
  J.leftCols(d) = kf.transpose().asDiagonal() * Jr + Jd;
  J.col(d) = kr.transpose().cwiseProduct(Jf.col(0));
}

void NargpKernel::diagonal_gradient(VectorCRef x, VectorCRef theta, Eigen::Ref<Vector> g) const {
  check(x.size(), theta, "NargpKernel::diagonal_gradient");
  g.setZero();
}

}  // namespace prospect::kernels
