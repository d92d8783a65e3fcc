// kernels/autoregressive.cpp — the AR1 co-kriging kernel (Kennedy & O'Hagan 2000).
//
// The products of rho that weight each level's kernel depend only on the two levels, so
// they and their derivatives are tabulated once per call (L^3 (L - 1) numbers, tiny);
// a pair then costs one stationary evaluation per shared level.
#include "prospect/kernels/autoregressive.hpp"

#include <cmath>
#include <vector>

#include "kernels/fidelity_math.hpp"
#include "kernels/pairwise.hpp"
#include "prospect/errors.hpp"

namespace prospect::kernels {

namespace {

using detail::DesignFactor;
using Eigen::Index;

constexpr double kMinLengthscale = 0.025;
constexpr double kMaxLengthscale = 1e3;
// A level's output scale may be tiny: when f_l = rho f_{l-1} almost exactly, delta_l
// carries little variance.
constexpr double kMinOutputscale = 1e-6;
constexpr double kMaxOutputscale = 1e2;
constexpr double kRhoBound = 10.0;

struct ArEval {
  Index L = 2;
  Index d = 2;
  Index dx = 1;
  std::vector<DesignFactor> k;  // per level
  std::vector<double> s;        // per-level output scale
  std::vector<double> coef;     // coef[(i L + j) L + q] = weight of k_q in Cov(f_i, f_j)
  std::vector<double> dcoef;    // dcoef[((i L + j) L + q)(L - 1) + m] = d coef / d rho_m

  [[nodiscard]] Index size() const { return L * d + L - 1; }
  [[nodiscard]] Index level(double v) const {
    const auto l = static_cast<Index>(std::lround(v * static_cast<double>(L - 1)));
    return std::clamp<Index>(l, 0, L - 1);
  }
  [[nodiscard]] std::size_t cidx(Index i, Index j, Index q) const {
    return static_cast<std::size_t>((i * L + j) * L + q);
  }

  [[nodiscard]] double value(const double* a, const double* b) const {
    const Index i = level(a[dx]);
    const Index j = level(b[dx]);
    double out = 0.0;
    for (Index q = 0; q <= std::min(i, j); ++q)
      out += coef[cidx(i, j, q)] * s[static_cast<std::size_t>(q)] *
             k[static_cast<std::size_t>(q)].value(a, b);
    return out;
  }

  void add_theta_gradient(const double* a, const double* b, double w, double* acc) const {
    const Index i = level(a[dx]);
    const Index j = level(b[dx]);
    double* rho_acc = acc + L * d;
    for (Index q = 0; q <= std::min(i, j); ++q) {
      const auto qs = static_cast<std::size_t>(q);
      double g;
      double f;
      k[qs].value_and_factor(a, b, g, f);
      const double c = coef[cidx(i, j, q)];
      const double sg = s[qs] * g;
      k[qs].add_lengthscale_gradient(a, b, f, w * c * s[qs], acc + q * d);
      acc[q * d + dx] += w * c * sg;
      const double* dc = dcoef.data() + cidx(i, j, q) * static_cast<std::size_t>(L - 1);
      for (Index m = 0; m < L - 1; ++m) rho_acc[m] += w * dc[m] * sg;
    }
  }

  void first_gradient(const double* a, const double* b, double* g) const {
    const Index i = level(a[dx]);
    const Index j = level(b[dx]);
    for (Index c = 0; c < d; ++c) g[c] = 0.0;  // the level column stays 0 (discrete)
    for (Index q = 0; q <= std::min(i, j); ++q) {
      const auto qs = static_cast<std::size_t>(q);
      double gv;
      double f;
      k[qs].value_and_factor(a, b, gv, f);
      k[qs].add_input_gradient(a, b, f, coef[cidx(i, j, q)] * s[qs], g);
    }
  }
};

ArEval ar_eval(Index L, Profile base, Index d, VectorCRef theta, const std::string& where) {
  detail::check_dimension(d, 2, where, "at least one design column plus the level column");
  ArEval e;
  e.L = L;
  e.d = d;
  e.dx = d - 1;
  detail::check_theta(theta, e.size(), where,
                      "per level " + std::to_string(d - 1) +
                          " log lengthscales and a log output scale, then " +
                          std::to_string(L - 1) + " rho");
  for (Index q = 0; q < L; ++q) {
    e.k.emplace_back(base, e.dx, theta.data() + q * d);
    e.s.push_back(std::exp(theta(q * d + e.dx)));
  }
  const double* rho = theta.data() + L * d;
  const auto M = static_cast<std::size_t>(L - 1);
  e.coef.assign(static_cast<std::size_t>(L * L * L), 0.0);
  e.dcoef.assign(static_cast<std::size_t>(L * L * L) * M, 0.0);
  std::vector<int> expo(M);
  for (Index i = 0; i < L; ++i) {
    for (Index j = 0; j < L; ++j) {
      for (Index q = 0; q <= std::min(i, j); ++q) {
        // coef = prod_m rho_m^expo_m with expo_m = [q <= m < i] + [q <= m < j].
        for (Index m = 0; m < L - 1; ++m)
          expo[static_cast<std::size_t>(m)] = (q <= m && m < i ? 1 : 0) + (q <= m && m < j ? 1 : 0);
        double c = 1.0;
        for (Index m = 0; m < L - 1; ++m) c *= std::pow(rho[m], expo[static_cast<std::size_t>(m)]);
        e.coef[e.cidx(i, j, q)] = c;
        // Derivatives by the product rule without dividing by rho (which may be 0).
        for (Index m = 0; m < L - 1; ++m) {
          const int em = expo[static_cast<std::size_t>(m)];
          if (em == 0) continue;
          double dc = em * (em == 2 ? rho[m] : 1.0);
          for (Index o = 0; o < L - 1; ++o)
            if (o != m) dc *= std::pow(rho[o], expo[static_cast<std::size_t>(o)]);
          e.dcoef[e.cidx(i, j, q) * M + static_cast<std::size_t>(m)] = dc;
        }
      }
    }
  }
  return e;
}

}  // namespace

Autoregressive::Autoregressive(Eigen::Index levels, Profile base) : levels_(levels), base_(base) {
  if (levels_ < 2) {
    throw InvalidArgument("Autoregressive: levels = " + std::to_string(levels_) +
                          "; expected at least 2 fidelity levels");
  }
}

std::unique_ptr<Kernel> Autoregressive::clone() const {
  return std::make_unique<Autoregressive>(*this);
}

std::string Autoregressive::name() const {
  return "ar1(" + std::to_string(levels_) + ", " + to_string(base_) + ")";
}

Eigen::Index Autoregressive::level_of(double s) const {
  const auto l = static_cast<Index>(std::lround(s * static_cast<double>(levels_ - 1)));
  return std::clamp<Index>(l, 0, levels_ - 1);
}

double Autoregressive::encode(Eigen::Index level) const {
  if (level < 0 || level >= levels_) {
    throw InvalidArgument("Autoregressive::encode: level = " + std::to_string(level) +
                          "; expected 0 <= level < " + std::to_string(levels_));
  }
  return static_cast<double>(level) / static_cast<double>(levels_ - 1);
}

std::vector<HyperparameterSpec> Autoregressive::hyperparameters(Eigen::Index d) const {
  detail::check_dimension(d, 2, "Autoregressive::hyperparameters",
                          "at least one design column plus the level column");
  const Index dx = d - 1;
  const double lo = std::log(kMinLengthscale);
  const double hi = std::log(kMaxLengthscale);
  const double def = std::clamp(std::log(0.2048 * std::sqrt(static_cast<double>(d))), lo, hi);
  std::vector<HyperparameterSpec> specs;
  for (Index q = 0; q < levels_; ++q) {
    const std::string prefix = "level[" + std::to_string(q) + "].";
    for (Index j = 0; j < dx; ++j) {
      specs.push_back({prefix + "lengthscale[" + std::to_string(j) + "]",
                       HyperparameterKind::lengthscale, lo, hi, def});
    }
    specs.push_back({prefix + "outputscale", HyperparameterKind::outputscale,
                     std::log(kMinOutputscale), std::log(kMaxOutputscale), 0.0});
  }
  for (Index m = 0; m + 1 < levels_; ++m) {
    HyperparameterSpec rho{"rho[" + std::to_string(m) + "]", HyperparameterKind::other, -kRhoBound,
                           kRhoBound, 1.0};
    rho.linear = true;
    specs.push_back(rho);
  }
  return specs;
}

void Autoregressive::matrix(MatrixCRef X1, MatrixCRef X2, VectorCRef theta,
                            Eigen::Ref<Matrix> K) const {
  const std::string where = "Autoregressive::matrix";
  detail::check_same_columns(X1, X2, where);
  const auto e = ar_eval(levels_, base_, X1.cols(), theta, where);
  detail::check_matrix_shape(K.rows(), K.cols(), X1.rows(), X2.rows(), where, "K");
  detail::pairwise_matrix(e, X1, X2, K);
}

void Autoregressive::diagonal(MatrixCRef X, VectorCRef theta, Eigen::Ref<Vector> diag) const {
  const std::string where = "Autoregressive::diagonal";
  const auto e = ar_eval(levels_, base_, X.cols(), theta, where);
  detail::check_vector_size(diag.size(), X.rows(), where, "diag");
  detail::pairwise_diagonal(e, X, diag);
}

void Autoregressive::contract_hyperparameter_gradient(MatrixCRef X, VectorCRef theta, MatrixCRef W,
                                                      Eigen::Ref<Vector> grad) const {
  const std::string where = "Autoregressive::contract_hyperparameter_gradient";
  const auto e = ar_eval(levels_, base_, X.cols(), theta, where);
  detail::check_matrix_shape(W.rows(), W.cols(), X.rows(), X.rows(), where, "W");
  detail::check_vector_size(grad.size(), theta.size(), where, "grad");
  detail::pairwise_contract(e, X, W, grad);
}

void Autoregressive::input_gradient(VectorCRef x, MatrixCRef X, VectorCRef theta,
                                    Eigen::Ref<Matrix> J) const {
  const std::string where = "Autoregressive::input_gradient";
  const auto e = ar_eval(levels_, base_, X.cols(), theta, where);
  detail::check_vector_size(x.size(), X.cols(), where, "x");
  detail::check_matrix_shape(J.rows(), J.cols(), X.rows(), X.cols(), where, "J");
  detail::pairwise_input_gradient(e, x, X, J);
}

void Autoregressive::diagonal_gradient(VectorCRef x, VectorCRef theta, Eigen::Ref<Vector> g) const {
  const std::string where = "Autoregressive::diagonal_gradient";
  ar_eval(levels_, base_, x.size(), theta, where);
  detail::check_vector_size(g.size(), x.size(), where, "g");
  g.setZero();
}

}  // namespace prospect::kernels
