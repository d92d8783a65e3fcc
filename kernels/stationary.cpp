// kernels/stationary.cpp — SE and Matern kernels with ARD lengthscales (CPU, OpenMP).
//
// Inputs are scaled once per call by 1/l_j and transposed to d x n, so that the
// coordinates of one point are contiguous and a pair costs d subtractions plus one
// exponential. Every OpenMP loop either writes disjoint entries or accumulates into
// per-block partials of a FIXED block size that are summed in block order, so results
// are bitwise identical whatever the number of threads.
#include "prospect/kernels/stationary.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <utility>
#include <vector>

#include "kernels/stationary_math.hpp"
#include "prospect/errors.hpp"

namespace prospect::kernels {

namespace {

using Eigen::Index;

/// Below this many pairs a kernel matrix is filled by one thread (the OpenMP start-up
/// would cost more than the work).
constexpr Index kParallelPairs = 200 * 200;
/// The contraction parallelizes from this many points on.
constexpr Index kParallelContractionN = 200;
/// Columns per block of the contraction; fixed so the summation order depends only on n.
constexpr Index kContractionBlock = 32;

std::string shape(Index rows, Index cols) {
  std::ostringstream out;
  out << rows << " x " << cols;
  return out.str();
}

/// Lengthscales and output scale decoded from theta, checked against the dimension d.
struct Decoded {
  Vector inv_l;    // 1 / l_j, size d
  double s = 1.0;  // output scale
};

Index expected_theta_size(const StationaryOptions& o, Index d) {
  return (o.ard ? d : 1) + (o.outputscale ? 1 : 0);
}

Decoded decode(const StationaryOptions& o, Index d, VectorCRef theta, const char* where) {
  if (d < 1) {
    throw InvalidArgument(std::string(where) + ": input dimension d = " + std::to_string(d) +
                          "; expected d >= 1");
  }
  const Index p = expected_theta_size(o, d);
  if (theta.size() != p) {
    throw InvalidArgument(std::string(where) + ": theta has size " + std::to_string(theta.size()) +
                          "; expected " + std::to_string(p) + " (" +
                          (o.ard ? std::to_string(d) : std::string("1")) + " log lengthscale(s)" +
                          (o.outputscale ? " + log outputscale" : "") +
                          ") for d = " + std::to_string(d));
  }
  for (Index k = 0; k < p; ++k) {
    if (!std::isfinite(theta(k))) {
      std::ostringstream msg;
      msg << where << ": theta(" << k << ") = " << theta(k) << "; expected a finite log value";
      throw InvalidArgument(msg.str());
    }
  }
  Decoded out;
  out.inv_l.resize(d);
  if (o.ard) {
    for (Index j = 0; j < d; ++j) out.inv_l(j) = std::exp(-theta(j));
  } else {
    out.inv_l.setConstant(std::exp(-theta(0)));
  }
  if (o.outputscale) out.s = std::exp(theta(p - 1));
  return out;
}

/// Z = (X diag(inv_l))^T, d x n, column i = scaled point i.
Matrix scaled_transpose(MatrixCRef X, const Vector& inv_l) {
  Matrix Z(X.cols(), X.rows());
  for (Index i = 0; i < X.rows(); ++i)
    for (Index j = 0; j < X.cols(); ++j) Z(j, i) = X(i, j) * inv_l(j);
  return Z;
}

template <Profile P>
void fill_matrix(const Matrix& Z1, const Matrix& Z2, double s, bool symmetric,
                 Eigen::Ref<Matrix> K) {
  using M = detail::ProfileMath<P>;
  const int d = static_cast<int>(Z1.rows());
  const Index n1 = Z1.cols();
  const Index n2 = Z2.cols();
  const bool parallel = n1 * n2 >= kParallelPairs;
  if (symmetric) {
    // (a - b)^2 == (b - a)^2 exactly, so mirroring gives the same bits as the general path.
    const double diag = s * M::value(0.0);
#pragma omp parallel for schedule(dynamic, 8) if (parallel)
    for (Index j = 0; j < n2; ++j) {
      const double* zj = Z1.data() + j * d;
      K(j, j) = diag;
      for (Index i = j + 1; i < n1; ++i) {
        const double v = detail::kernel_entry<P>(Z1.data() + i * d, zj, d, s);
        K(i, j) = v;
        K(j, i) = v;
      }
    }
    return;
  }
#pragma omp parallel for schedule(static) if (parallel)
  for (Index j = 0; j < n2; ++j) {
    const double* zj = Z2.data() + j * d;
    for (Index i = 0; i < n1; ++i) K(i, j) = detail::kernel_entry<P>(Z1.data() + i * d, zj, d, s);
  }
}

/// acc has d + 1 entries per block: sum_pairs w f dz_k^2 (k < d) and sum_pairs w g.
template <Profile P>
void contract_blocks(const Matrix& Z, MatrixCRef W, std::vector<double>& partial) {
  using M = detail::ProfileMath<P>;
  const Index d = Z.rows();
  const Index n = Z.cols();
  const Index blocks = (n + kContractionBlock - 1) / kContractionBlock;
  const Index stride = d + 1;
  partial.assign(static_cast<std::size_t>(blocks * stride), 0.0);
  const double g0 = M::value(0.0);
#pragma omp parallel for schedule(dynamic, 1) if (n >= kParallelContractionN)
  for (Index b = 0; b < blocks; ++b) {
    double* acc = partial.data() + b * stride;
    const Index end = std::min(n, (b + 1) * kContractionBlock);
    for (Index col = b * kContractionBlock; col < end; ++col) {
      const double* zc = Z.data() + col * d;
      // The diagonal has Delta = 0: only the output scale sees it.
      acc[d] += W(col, col) * g0;
      for (Index row = col + 1; row < n; ++row) {
        const double* zr = Z.data() + row * d;
        // Both triangles at once; exact for a symmetric W and still the true
        // contraction when rounding made W slightly asymmetric.
        detail::accumulate_pair<P>(zr, zc, static_cast<int>(d), W(row, col) + W(col, row), acc);
      }
    }
  }
}

template <Profile P>
void fill_input_gradient(const Vector& zx, const Matrix& Z, const Vector& inv_l, double s,
                         Eigen::Ref<Matrix> J) {
  using M = detail::ProfileMath<P>;
  const Index d = Z.rows();
  for (Index i = 0; i < Z.cols(); ++i) {
    const double* zi = Z.data() + i * d;
    const double f = M::factor(detail::squared_distance(zx.data(), zi, static_cast<int>(d)));
    for (Index k = 0; k < d; ++k) J(i, k) = -s * f * (zx(k) - zi[k]) * inv_l(k);
  }
}

using detail::dispatch;

void check_bound(double lower, double upper, const char* lower_name, const char* upper_name) {
  if (!(lower > 0.0) || !(upper > lower) || !std::isfinite(upper)) {
    std::ostringstream msg;
    msg << "StationaryOptions: " << lower_name << " = " << lower << ", " << upper_name << " = "
        << upper << "; expected 0 < " << lower_name << " < " << upper_name << " < inf";
    throw InvalidArgument(msg.str());
  }
}

}  // namespace

const char* to_string(Profile profile) {
  switch (profile) {
    case Profile::squared_exponential:
      return "se";
    case Profile::matern12:
      return "matern12";
    case Profile::matern32:
      return "matern32";
    case Profile::matern52:
      return "matern52";
  }
  return "unknown";
}

Profile profile_from_string(const std::string& name) {
  for (Profile p :
       {Profile::squared_exponential, Profile::matern12, Profile::matern32, Profile::matern52}) {
    if (name == to_string(p)) return p;
  }
  throw InvalidArgument("profile_from_string: unknown kernel profile \"" + name +
                        "\"; expected one of \"se\", \"matern12\", \"matern32\", \"matern52\"");
}

Stationary::Stationary(Profile profile, StationaryOptions options)
    : profile_(profile), options_(options) {
  check_bound(options_.min_lengthscale, options_.max_lengthscale, "min_lengthscale",
              "max_lengthscale");
  check_bound(options_.min_outputscale, options_.max_outputscale, "min_outputscale",
              "max_outputscale");
}

std::unique_ptr<Kernel> Stationary::clone() const {
  return std::make_unique<Stationary>(*this);
}

std::string Stationary::name() const {
  return to_string(profile_);
}

std::vector<HyperparameterSpec> Stationary::hyperparameters(Eigen::Index d) const {
  if (d < 1) {
    throw InvalidArgument("Stationary::hyperparameters: d = " + std::to_string(d) +
                          "; expected d >= 1");
  }
  const double lo = std::log(options_.min_lengthscale);
  const double hi = std::log(options_.max_lengthscale);
  // Mode of BoTorch's LogNormal(sqrt2 + log(d)/2, sqrt3) lengthscale prior:
  // exp(sqrt2 - 3) sqrt(d) = 0.2048 sqrt(d).
  const double def = std::clamp(std::log(0.2048 * std::sqrt(static_cast<double>(d))), lo, hi);
  std::vector<HyperparameterSpec> specs;
  if (options_.ard) {
    for (Index j = 0; j < d; ++j)
      specs.push_back(
          {"lengthscale[" + std::to_string(j) + "]", HyperparameterKind::lengthscale, lo, hi, def});
  } else {
    specs.push_back({"lengthscale", HyperparameterKind::lengthscale, lo, hi, def});
  }
  if (options_.outputscale) {
    const double slo = std::log(options_.min_outputscale);
    const double shi = std::log(options_.max_outputscale);
    specs.push_back(
        {"outputscale", HyperparameterKind::outputscale, slo, shi, std::clamp(0.0, slo, shi)});
  }
  return specs;
}

void Stationary::matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta,
                        Eigen::Ref<Matrix> K) const {
  if (X1.cols() != X2.cols()) {
    throw InvalidArgument("Stationary::matrix: X1 is " + shape(X1.rows(), X1.cols()) +
                          " and X2 is " + shape(X2.rows(), X2.cols()) +
                          "; expected the same number of columns (input dimension)");
  }
  const Decoded p = decode(options_, X1.cols(), theta, "Stationary::matrix");
  if (K.rows() != X1.rows() || K.cols() != X2.rows()) {
    throw InvalidArgument("Stationary::matrix: K is " + shape(K.rows(), K.cols()) +
                          "; expected X1.rows() x X2.rows() = " + shape(X1.rows(), X2.rows()));
  }
  const bool same =
      X1.data() == X2.data() && X1.rows() == X2.rows() && X1.outerStride() == X2.outerStride();
  const Matrix Z1 = scaled_transpose(X1, p.inv_l);
  const Matrix Z2 = same ? Matrix() : scaled_transpose(X2, p.inv_l);
  dispatch(profile_, [&]<Profile P>() { fill_matrix<P>(Z1, same ? Z1 : Z2, p.s, same, K); });
}

void Stationary::diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const {
  const Decoded p = decode(options_, X.cols(), theta, "Stationary::diagonal");
  if (diag.size() != X.rows()) {
    throw InvalidArgument("Stationary::diagonal: diag has size " + std::to_string(diag.size()) +
                          "; expected X.rows() = " + std::to_string(X.rows()));
  }
  diag.setConstant(p.s);
}

void Stationary::contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,
                                                  Eigen::Ref<Vector> grad) const {
  const Index d = X.cols();
  const Index n = X.rows();
  const Decoded p = decode(options_, d, theta, "Stationary::contract_hyperparameter_gradient");
  if (W.rows() != n || W.cols() != n) {
    throw InvalidArgument("Stationary::contract_hyperparameter_gradient: W is " +
                          shape(W.rows(), W.cols()) + "; expected n x n = " + shape(n, n));
  }
  if (grad.size() != theta.size()) {
    throw InvalidArgument("Stationary::contract_hyperparameter_gradient: grad has size " +
                          std::to_string(grad.size()) +
                          "; expected theta.size() = " + std::to_string(theta.size()));
  }
  const Matrix Z = scaled_transpose(X, p.inv_l);
  std::vector<double> partial;
  dispatch(profile_, [&]<Profile P>() { contract_blocks<P>(Z, W, partial); });
  const Index stride = d + 1;
  const Index blocks = static_cast<Index>(partial.size()) / stride;
  Vector total = Vector::Zero(stride);
  for (Index b = 0; b < blocks; ++b)
    for (Index k = 0; k < stride; ++k)
      total(k) += partial[static_cast<std::size_t>(b * stride + k)];
  add_contraction_gradient({p.inv_l, p.s}, total, grad);
}

StationaryScales Stationary::scales(VectorCRef theta, Eigen::Index d) const {
  Decoded p = decode(options_, d, theta, "Stationary::scales");
  return {std::move(p.inv_l), p.s};
}

void Stationary::add_contraction_gradient(const StationaryScales& scales, VectorCRef totals,
                                          Eigen::Ref<Vector> grad) const {
  const Index d = scales.inverse_lengthscales.size();
  const double s = scales.outputscale;
  if (totals.size() != d + 1 || grad.size() != expected_theta_size(options_, d)) {
    throw InvalidArgument(
        "Stationary::add_contraction_gradient: totals has size " + std::to_string(totals.size()) +
        " and grad " + std::to_string(grad.size()) + "; expected d + 1 = " + std::to_string(d + 1) +
        " and theta's size " + std::to_string(expected_theta_size(options_, d)));
  }
  if (options_.ard) {
    for (Index k = 0; k < d; ++k) grad(k) += s * totals(k);
  } else {
    grad(0) += s * totals.head(d).sum();
  }
  if (options_.outputscale) grad(grad.size() - 1) += s * totals(d);
}

void Stationary::input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                                Eigen::Ref<Matrix> J) const {
  const Index d = X.cols();
  if (x.size() != d) {
    throw InvalidArgument("Stationary::input_gradient: x has size " + std::to_string(x.size()) +
                          "; expected X.cols() = " + std::to_string(d));
  }
  const Decoded p = decode(options_, d, theta, "Stationary::input_gradient");
  if (J.rows() != X.rows() || J.cols() != d) {
    throw InvalidArgument("Stationary::input_gradient: J is " + shape(J.rows(), J.cols()) +
                          "; expected X.rows() x X.cols() = " + shape(X.rows(), d));
  }
  const Vector zx = x.cwiseProduct(p.inv_l);
  const Matrix Z = scaled_transpose(X, p.inv_l);
  dispatch(profile_, [&]<Profile P>() { fill_input_gradient<P>(zx, Z, p.inv_l, p.s, J); });
}

void Stationary::diagonal_gradient(VectorCRef x, VectorCRef theta, Eigen::Ref<Vector> g) const {
  decode(options_, x.size(), theta, "Stationary::diagonal_gradient");
  if (g.size() != x.size()) {
    throw InvalidArgument("Stationary::diagonal_gradient: g has size " + std::to_string(g.size()) +
                          "; expected x.size() = " + std::to_string(x.size()));
  }
  g.setZero();
}

}  // namespace prospect::kernels
