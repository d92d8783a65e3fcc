#include "acquisition/smoothed_improvement.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace prospect::acquisition::smoothed {

LogFatplus log_fatplus(double z, double tau, double log_tau) {
  const double x = z / tau;
  if (x < -745.0) {
    // The common case (no improvement by far): softplus underflows to 0, so
    // f = 0.1 c with c = 1 / (1 + x^2) and df/f = -2 x c; one log, no exp.
    const double c = 1.0 / (1.0 + x * x);
    return {log_tau + std::log(0.1 * c), -2.0 * x * c / tau};
  }
  // exp underflows below -745; skipping the call there avoids libm's slow underflow path.
  const double e = std::abs(x) < 745.0 ? std::exp(-std::abs(x)) : 0.0;
  // log1p(e) = e to double precision below 1e-17 (|x| > 39), the common case.
  const double softplus = std::max(x, 0.0) + (e < 1e-17 ? e : std::log1p(e));
  const double sigmoid = x >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
  const double c = 1.0 / (1.0 + x * x);
  const double f = softplus + 0.1 * c;
  const double df = sigmoid - 0.2 * x * c * c;
  return {log_tau + std::log(f), df / (f * tau)};
}

double fatmax(const std::vector<double>& v, double tau, std::vector<double>& dv,
              std::vector<double>& dp) {
  const std::size_t r = v.size();
  const std::size_t k = static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
  const double M = v[k];
  if (M == -std::numeric_limits<double>::infinity()) {
    std::fill(dv.begin(), dv.end(), 0.0);
    return M;
  }
  double S = 0.0, SP = 0.0;
  for (std::size_t j = 0; j < r; ++j) {
    const double t = (M - v[j]) / tau;
    double p = 0.0;
    dp[j] = 0.0;
    if (std::isfinite(t)) {
      p = 2.0 / (2.0 + 2.0 * t + t * t);
      dp[j] = -p * p * (1.0 + t);
    }
    S += p;
    SP += dp[j];
  }
  for (std::size_t j = 0; j < r; ++j) dv[j] = -dp[j] / S;
  dv[k] += 1.0 + SP / S;
  return M + tau * std::log(S);
}

void log_terms_rows(const Matrix& Y, const Vector& best, double tau_relu, double log_tau,
                    double tau_max, Vector& a, Matrix* Y_bar) {
  const Eigen::Index N = Y.rows();
  const Eigen::Index r = Y.cols();
  const auto ur = static_cast<std::size_t>(r);
  std::vector<double> l(ur), dl(ur), dv(ur), dp(ur);
  for (Eigen::Index i = 0; i < N; ++i) {
    for (Eigen::Index j = 0; j < r; ++j) {
      const LogFatplus lf = log_fatplus(Y(i, j) - best[i], tau_relu, log_tau);
      l[static_cast<std::size_t>(j)] = lf.value;
      dl[static_cast<std::size_t>(j)] = lf.derivative;
    }
    a[i] = fatmax(l, tau_max, dv, dp);
    if (Y_bar != nullptr) {
      for (Eigen::Index j = 0; j < r; ++j) {
        const auto uj = static_cast<std::size_t>(j);
        (*Y_bar)(i, j) = dv[uj] * dl[uj];
      }
    }
  }
}

namespace {

// log fatplus(Y_ij - best_i) into L (and its derivative into columns [offset, offset +
// Y.cols()) of *DL when given), a whole array at a time; see below for the near-kink entries.
void fresh_terms(const Eigen::Ref<const Matrix>& Y, const Vector& best, double tau_relu,
                 double log_tau, Eigen::Ref<Eigen::ArrayXXd> L, Eigen::ArrayXXd* DL,
                 Eigen::Index offset) {
  using Array = Eigen::ArrayXXd;
  const Array X = (Y.array().colwise() - best.array()) / tau_relu;
  const Array C = 1.0 / (1.0 + X.square());
  const Array F = X.max(0.0) + 0.1 * C;
  L = log_tau + F.log();
  if (DL != nullptr) {
    DL->middleCols(offset, Y.cols()) =
        ((X >= 0.0).cast<double>() - 0.2 * X * C.square()) / (F * tau_relu);
  }
  for (Eigen::Index j = 0; j < Y.cols(); ++j) {
    for (Eigen::Index i = 0; i < Y.rows(); ++i) {
      if (std::abs(X(i, j)) < 745.0) {
        const LogFatplus lf = log_fatplus(Y(i, j) - best[i], tau_relu, log_tau);
        L(i, j) = lf.value;
        if (DL != nullptr) (*DL)(i, offset + j) = lf.derivative;
      }
    }
  }
}

}  // namespace

// For tau_relu small against the spread of Y, nearly every |x| = |z / tau_relu| is >= 745,
// where exp(-|x|) underflows and log fatplus(z) = log(tau (max(x, 0) + 0.1 / (1 + x^2))):
// one log, evaluated for the whole block at once. The few entries nearer the kink are
// recomputed by log_fatplus().
bool log_terms_packed(const Matrix& Y, const Vector& best, double tau_relu, double log_tau,
                      double tau_max, Vector& a, Matrix* Y_bar, const KnownColumns* known) {
  using Array = Eigen::ArrayXXd;
  const Eigen::Index N = Y.rows();
  const Eigen::Index r = Y.cols();
  const Eigen::Index kc = known != nullptr ? known->columns() : 0;
  if (kc > r || (kc > 0 && known->L.rows() != N)) return false;
  const Eigen::Index fresh = r - kc;
  Array L(N, r);
  Array DL;
  if (Y_bar != nullptr) DL.resize(N, r);
  if (kc > 0) {
    L.leftCols(kc) = known->L.array();
    if (Y_bar != nullptr) DL.leftCols(kc) = known->DL.array();
  }
  fresh_terms(Y.rightCols(fresh), best, tau_relu, log_tau, L.rightCols(fresh),
              Y_bar != nullptr ? &DL : nullptr, kc);
  if (!L.allFinite()) return false;
  // fatmax over each row: M_i + tau log sum_j p((M_i - l_ij) / tau), the first maximum
  // of the row taking the correction term as in fatmax().
  Eigen::ArrayXd M = L.col(0);
  Eigen::ArrayXi k = Eigen::ArrayXi::Zero(N);
  for (Eigen::Index j = 1; j < r; ++j) {
    for (Eigen::Index i = 0; i < N; ++i) {
      if (L(i, j) > M[i]) {
        M[i] = L(i, j);
        k[i] = static_cast<int>(j);
      }
    }
  }
  const Array T = ((-L).colwise() + M) / tau_max;
  const Array P = 2.0 / (2.0 + 2.0 * T + T.square());
  const Eigen::ArrayXd S = P.rowwise().sum();
  a = (M + tau_max * S.log()).matrix();
  if (Y_bar != nullptr) {
    const Array dP = -P.square() * (1.0 + T);
    const Eigen::ArrayXd SP = dP.rowwise().sum();
    Array dV = (-dP).colwise() / S;
    for (Eigen::Index i = 0; i < N; ++i) dV(i, k[i]) += 1.0 + SP[i] / S[i];
    *Y_bar = (dV * DL).matrix();
  }
  return true;
}

bool log_values_of_columns(const Matrix& Y_free, const Vector& best, double tau_relu,
                           double log_tau, double tau_max, const KnownColumns* known,
                           Eigen::Ref<Vector> values) {
  using Array = Eigen::ArrayXXd;
  const Eigen::Index N = Y_free.rows();
  const Eigen::Index m = Y_free.cols();
  const Eigen::Index k = known != nullptr ? known->columns() : 0;
  if (k > 0 && known->L.rows() != N) return false;
  Array A(N, m);
  fresh_terms(Y_free, best, tau_relu, log_tau, A, nullptr, 0);
  if (!A.allFinite()) return false;
  if (k > 0) {
    // fatmax over the row's known terms and the candidate's: the sum of p over the known
    // columns depends on the row's maximum M, which the candidate may raise.
    const Array& Lk = known->L.array();
    const Eigen::ArrayXd Mk = Lk.rowwise().maxCoeff();
    const Array M = A.max(Mk.replicate(1, m));
    Array T = (M - A) / tau_max;
    Array S = 2.0 / (2.0 + 2.0 * T + T.square());
    for (Eigen::Index j = 0; j < k; ++j) {
      T = (M.colwise() - Lk.col(j)) / tau_max;
      S += 2.0 / (2.0 + 2.0 * T + T.square());
    }
    A = M + tau_max * S.log();
  }
  // With no known column fatmax of one term is the term itself (p(0) = 1).
  const Eigen::ArrayXd top = A.colwise().maxCoeff().transpose();
  const Array shifted = A.rowwise() - top.transpose();
  const Array e = shifted.exp();
  const Array w = (shifted > -745.0).select(e, 0.0);
  values = (top + w.colwise().sum().transpose().log() - std::log(static_cast<double>(N))).matrix();
  return true;
}

void KnownColumns::compute(const Matrix& Y_known, const Vector& best, double tau_relu) {
  const double log_tau = std::log(tau_relu);
  Matrix values(Y_known.rows(), Y_known.cols());
  Matrix derivatives(Y_known.rows(), Y_known.cols());
  for (Eigen::Index j = 0; j < Y_known.cols(); ++j) {
    for (Eigen::Index i = 0; i < Y_known.rows(); ++i) {
      const LogFatplus lf = log_fatplus(Y_known(i, j) - best[i], tau_relu, log_tau);
      values(i, j) = lf.value;
      derivatives(i, j) = lf.derivative;
    }
  }
  if (values.allFinite() && derivatives.allFinite()) {
    L = std::move(values);
    DL = std::move(derivatives);
  } else {
    L.resize(0, 0);
    DL.resize(0, 0);
  }
}

double log_mean_exp(const Vector& a, Matrix* Y_bar) {
  const double M = a.maxCoeff();
  const auto N = static_cast<double>(a.size());
  if (M == -std::numeric_limits<double>::infinity()) {
    if (Y_bar != nullptr) Y_bar->setZero();
    return M;
  }
  const Eigen::ArrayXd shifted = a.array() - M;
  // exp first, then the select: a select over exp() would be evaluated one scalar exp at a
  // time.
  const Eigen::ArrayXd e = shifted.exp();
  const Eigen::ArrayXd w = (shifted > -745.0).select(e, 0.0);
  const double S = w.sum();
  if (Y_bar != nullptr) Y_bar->array().colwise() *= w / S;
  return M + std::log(S) - std::log(N);
}

}  // namespace prospect::acquisition::smoothed
