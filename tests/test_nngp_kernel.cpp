// Tests of the infinite-width ReLU network kernel (ALGORITHMS.md §5.6): values against the
// Gaussian expectation E[relu(u) relu(v)] computed by quadrature and against Cho & Saul's
// arc-cosine kernel of order 1, against a Monte Carlo estimate from sampled finite-width
// networks, hyperparameter contraction, input and diagonal gradients against central
// finite differences (also at and near the clamp), positive semi-definiteness, thread-count
// independence, option validation and an exact GP fitted with the kernel; the same for the
// ARD variant (against the isotropic kernel of rescaled inputs), whose GP must find the
// active inputs of a 6-D function.
#include <doctest/doctest.h>
#include <omp.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "prospect/errors.hpp"
#include "prospect/kernels/nngp.hpp"
#include "prospect/surrogates/gaussian_process.hpp"
#include "surrogates/gp/priors.hpp"
#include "test_support.hpp"

namespace pk = prospect::kernels;
using pk::Matrix;
using pk::NeuralNetworkKernel;
using pk::NNGPOptions;
using pk::Vector;
using prospect::Dataset;
using prospect::GaussianProcess;

namespace {

constexpr double kPi = std::numbers::pi;

NeuralNetworkKernel kernel_of_depth(int depth) {
  NNGPOptions o;
  o.depth = depth;
  return NeuralNetworkKernel(o);
}

Vector theta_of(double weight_variance, double bias_variance) {
  return Eigen::Vector2d(std::log(weight_variance), std::log(bias_variance));
}

/// theta around the defaults: log default + U(-1, 1).
Vector random_theta(const pk::Kernel& k, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  return k.default_theta(1) + Eigen::Vector2d(u(rng), u(rng));
}

Matrix random_symmetric(Eigen::Index n, std::mt19937_64& rng) {
  std::normal_distribution<double> z(0.0, 1.0);
  Matrix W(n, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i <= j; ++i) W(i, j) = W(j, i) = z(rng);
  return W;
}

double contract(const Matrix& W, const Matrix& dK) {
  return (W.array() * dK.array()).sum();
}

double normal_pdf(double t) {
  return std::exp(-0.5 * t * t) / std::sqrt(2.0 * kPi);
}
double normal_cdf(double t) {
  return 0.5 * std::erfc(-t / std::numbers::sqrt2);
}

/// E[relu(u) relu(v)] for (u, v) ~ N(0, [[s11, s12], [s12, s22]]) by quadrature, without
/// the arc-cosine formula: with u = sqrt(s11) z, v | z ~ N(m, s^2),
/// m = sqrt(s22) rho z, s = sqrt(s22 (1 - rho^2)), E[relu(v) | z] = m Phi(m/s) + s phi(m/s),
/// and the outer integral over z > 0 (z beyond 40 contributes nothing in double).
double relu_moment(double s11, double s22, double s12) {
  const double su = std::sqrt(s11), sv = std::sqrt(s22);
  const double rho = s12 / (su * sv);
  const double s = sv * std::sqrt(1.0 - rho * rho);
  auto integrand = [&](double z) {
    const double m = sv * rho * z;
    return su * z * normal_pdf(z) * (m * normal_cdf(m / s) + s * normal_pdf(m / s));
  };
  return boost::math::quadrature::gauss_kronrod<double, 61>::integrate(integrand, 0.0, 40.0, 20,
                                                                       1e-14);
}

/// The NNGP covariance by the layer recursion with relu_moment (quadrature).
Matrix nngp_by_quadrature(const Matrix& X, int depth, double sw, double sb) {
  const double d = static_cast<double>(X.cols());
  Matrix K = (sb + sw * (X * X.transpose()).array() / d).matrix();
  for (int l = 0; l < depth; ++l) {
    Matrix next(K.rows(), K.cols());
    for (Eigen::Index i = 0; i < K.rows(); ++i) {
      for (Eigen::Index j = 0; j < K.cols(); ++j) {
        // E[relu(u)^2] = s11 / 2 by symmetry of the Gaussian.
        const double e = i == j ? 0.5 * K(i, i) : relu_moment(K(i, i), K(j, j), K(i, j));
        next(i, j) = sb + sw * e;
      }
    }
    K = next;
  }
  return K;
}

/// Cho & Saul (2009) arc-cosine kernel of order 1: k1(u, v) = |u| |v| J(theta) / pi,
/// J = sin + (pi - theta) cos, the angle from atan2 of |u x v| (Lagrange identity) and u.v.
double arccos1(const Vector& u, const Vector& v) {
  double cross2 = 0.0;
  for (Eigen::Index i = 0; i < u.size(); ++i)
    for (Eigen::Index j = i + 1; j < u.size(); ++j) {
      const double c = u(i) * v(j) - u(j) * v(i);
      cross2 += c * c;
    }
  const double theta = std::atan2(std::sqrt(cross2), u.dot(v));
  return u.norm() * v.norm() * (std::sin(theta) + (kPi - theta) * std::cos(theta)) / kPi;
}

/// Points of [0, 1]^d, rows; the test fixtures used below.
Matrix sample_points() {
  Matrix X(5, 3);
  X << 0.1, 0.8, 0.3,  //
      0.9, 0.2, 0.55,  //
      0.0, 0.0, 0.0,   //
      1.0, 1.0, 0.95,  //
      0.45, 0.1, 0.7;
  return X;
}

// contract_hyperparameter_gradient() (which ADDS to grad) against central finite
// differences of sum(W .* K) in every entry of theta.
void check_hyperparameter_gradient(const prospect::kernels::Kernel& k, const Matrix& X,
                                   const Vector& theta, const Matrix& W) {
  Vector grad = Vector::Constant(theta.size(), 0.25);
  k.contract_hyperparameter_gradient(X, theta, W, grad);
  grad.array() -= 0.25;
  const double h = 1e-6;
  const double scale = (W.cwiseAbs().array() * k(X, X, theta).cwiseAbs().array()).sum();
  for (Eigen::Index p = 0; p < theta.size(); ++p) {
    Vector a = theta, b = theta;
    a(p) += h;
    b(p) -= h;
    const double fd = (contract(W, k(X, X, a)) - contract(W, k(X, X, b))) / (2 * h);
    INFO("theta " << p << " analytic " << grad(p) << " fd " << fd);
    CHECK(std::abs(grad(p) - fd) <= 1e-6 * (std::abs(fd) + 1e-3 * scale));
  }
}

// input_gradient() and diagonal_gradient() at x against central finite differences of
// matrix() and diagonal() (step 1e-6, relative tolerance 1e-6).
void check_input_gradients(const prospect::kernels::Kernel& k, const Vector& x, const Matrix& X,
                           const Vector& theta) {
  const Eigen::Index d = x.size();
  Matrix J(X.rows(), d);
  k.input_gradient(x, X, theta, J);
  Vector g(d);
  k.diagonal_gradient(x, theta, g);
  const double h = 1e-6;
  for (Eigen::Index j = 0; j < d; ++j) {
    Vector a = x, b = x;
    a(j) += h;
    b(j) -= h;
    const Vector fd =
        (k(a.transpose(), X, theta).transpose() - k(b.transpose(), X, theta).transpose()) / (2 * h);
    INFO("column " << j << "\nanalytic " << J.col(j).transpose() << "\nfd       "
                   << fd.transpose());
    CHECK((J.col(j) - fd).cwiseAbs().maxCoeff() <= 1e-6 * (fd.cwiseAbs().maxCoeff() + 1e-3));
    Vector da(1), db(1);
    k.diagonal(a.transpose(), theta, da);
    k.diagonal(b.transpose(), theta, db);
    const double fdd = (da(0) - db(0)) / (2 * h);
    INFO("diagonal gradient analytic " << g(j) << " fd " << fdd);
    CHECK(std::abs(g(j) - fdd) <= 1e-6 * (std::abs(fdd) + 1e-3));
  }
}

}  // namespace

TEST_CASE("matrix matches the layer recursion computed by Gaussian quadrature") {
  const Matrix X = sample_points();
  for (int depth : {1, 2, 3, 5}) {
    for (auto [sw, sb] : {std::pair{10.0, 1.3}, std::pair{2.0, 0.05}, std::pair{0.7, 3.0}}) {
      INFO("depth " << depth << " sw " << sw << " sb " << sb);
      const NeuralNetworkKernel k = kernel_of_depth(depth);
      const Matrix K = k(X, X, theta_of(sw, sb));
      const Matrix R = nngp_by_quadrature(X, depth, sw, sb);
      for (Eigen::Index i = 0; i < X.rows(); ++i) {
        for (Eigen::Index j = 0; j < X.rows(); ++j) {
          // The diagonal carries the clamp of cos t at 1 - 1e-7: J(t) is pi (1 - 1e-7) there.
          const double tol = i == j ? 2e-7 : 1e-10;
          INFO("(" << i << ", " << j << ") kernel " << K(i, j) << " quadrature " << R(i, j));
          CHECK(std::abs(K(i, j) - R(i, j)) <= tol * std::abs(R(i, j)));
        }
      }
    }
  }
}

TEST_CASE("depth 1 is an affine map of the arc-cosine kernel of order 1") {
  // K^1 = sb + sw/2 k1(u(x), u(x')) with the augmented features u = (sqrt(sb), sqrt(sw/d) x),
  // whose inner products are K^0. Depth 2 applies the same map to the features of K^1,
  // which are not explicit; there the quadrature test above stands.
  const Matrix X = sample_points();
  const double sw = 3.5, sb = 0.4;
  const NeuralNetworkKernel k = kernel_of_depth(1);
  const Matrix K = k(X, X, theta_of(sw, sb));
  const double d = static_cast<double>(X.cols());
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (Eigen::Index j = 0; j < X.rows(); ++j) {
      Vector u(4), v(4);
      u << std::sqrt(sb), std::sqrt(sw / d) * X.row(i).transpose();
      v << std::sqrt(sb), std::sqrt(sw / d) * X.row(j).transpose();
      const double expected = sb + 0.5 * sw * arccos1(u, v);
      CHECK(K(i, j) == doctest::Approx(expected).epsilon(i == j ? 2e-7 : 1e-12));
    }
  }
}

TEST_CASE("matrix matches the covariance of sampled wide ReLU networks") {
  // Networks of width H with weights N(0, sw / fan_in) (first layer fan_in = d) and biases
  // N(0, sb) in every layer. For one sampled network the output f = w.h + b over the output
  // weights and bias has covariance sb + sw / H h(x).h(x') exactly, so that expectation is
  // taken analytically and the Monte Carlo runs over the hidden layers only. The estimate
  // is the mean over M networks; its standard error comes from their spread, and the
  // finite-width bias is O(1 / H) relative (here ~2e-3).
  const int depth = 3, H = 500, M = 128;
  const double sw = 2.5, sb = 0.3;
  Matrix X(4, 2);
  X << 0.1, 0.9,  //
      0.8, 0.3,   //
      0.5, 0.55,  //
      0.95, 0.9;
  const Eigen::Index P = X.rows(), d = X.cols();
  std::mt19937_64 rng(20240607);
  std::normal_distribution<double> z(0.0, 1.0);
  auto gaussian = [&](Eigen::Index rows, Eigen::Index cols, double sd) {
    Matrix A(rows, cols);
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i) A(i, j) = sd * z(rng);
    return A;
  };
  Matrix sum = Matrix::Zero(P, P), sum2 = Matrix::Zero(P, P);
  // Correlations C_ij / sqrt(C_ii C_jj) per network: the common scale fluctuation of a
  // network cancels in them, so they test the shape of the kernel more sharply.
  Matrix rsum = Matrix::Zero(P, P), rsum2 = Matrix::Zero(P, P);
  for (int m = 0; m < M; ++m) {
    // Columns = points; rows = units.
    Matrix A = gaussian(H, d, std::sqrt(sw / static_cast<double>(d))) * X.transpose();
    A.colwise() += gaussian(H, 1, std::sqrt(sb)).col(0);
    for (int l = 1; l < depth; ++l) {
      const Matrix Hl = A.cwiseMax(0.0);
      A = gaussian(H, H, std::sqrt(sw / H)) * Hl;
      A.colwise() += gaussian(H, 1, std::sqrt(sb)).col(0);
    }
    const Matrix Hl = A.cwiseMax(0.0);
    const Matrix C = (sb + (sw / H) * (Hl.transpose() * Hl).array()).matrix();
    sum += C;
    sum2 += C.cwiseProduct(C);
    const Vector sd = C.diagonal().cwiseSqrt();
    const Matrix R = C.cwiseQuotient(sd * sd.transpose());
    rsum += R;
    rsum2 += R.cwiseProduct(R);
  }
  const Matrix mean = sum / M;
  const Matrix se = ((sum2 / M - mean.cwiseProduct(mean)) / (M - 1.0)).cwiseMax(0.0).cwiseSqrt();
  const Matrix rmean = rsum / M;
  const Matrix rse =
      ((rsum2 / M - rmean.cwiseProduct(rmean)) / (M - 1.0)).cwiseMax(0.0).cwiseSqrt();
  const Matrix K = kernel_of_depth(depth)(X, X, theta_of(sw, sb));
  const Vector ksd = K.diagonal().cwiseSqrt();
  const Matrix Kr = K.cwiseQuotient(ksd * ksd.transpose());
  for (Eigen::Index i = 0; i < P; ++i) {
    for (Eigen::Index j = 0; j < P; ++j) {
      INFO("(" << i << ", " << j << ") kernel " << K(i, j) << " Monte Carlo " << mean(i, j)
               << " +- " << se(i, j) << "; correlation " << Kr(i, j) << " Monte Carlo "
               << rmean(i, j) << " +- " << rse(i, j));
      if (i != j) {
        CHECK(rse(i, j) <= 3e-3);
        CHECK(std::abs(rmean(i, j) - Kr(i, j)) <= 4.0 * rse(i, j) + 2e-3);
      }
      // The estimate is informative (standard error below 2 %)...
      CHECK(se(i, j) <= 0.02 * K(i, j));
      // ...and within 4 standard errors plus the finite-width bias allowance.
      CHECK(std::abs(mean(i, j) - K(i, j)) <= 4.0 * se(i, j) + 5e-3 * K(i, j));
    }
  }
}

TEST_CASE("diagonal agrees with the matrix diagonal; symmetric and general paths agree") {
  std::mt19937_64 rng(1);
  for (int depth : {1, 3, 6}) {
    const NeuralNetworkKernel k = kernel_of_depth(depth);
    const Vector theta = random_theta(k, rng);
    const Matrix X = prospect::test::uniform(12, 3, rng);
    const Matrix K = k(X, X, theta);
    const Matrix X2 = X;  // a copy: the general (non-symmetric) path
    const Matrix K2 = k(X, X2, theta);
    CHECK((K - K2).cwiseAbs().maxCoeff() <= 1e-14 * K.cwiseAbs().maxCoeff());
    CHECK((K - K.transpose()).cwiseAbs().maxCoeff() == 0.0);
    Vector diag(X.rows());
    k.diagonal(X, theta, diag);
    CHECK((diag - K.diagonal()).cwiseAbs().maxCoeff() == 0.0);
  }
}

TEST_CASE("hyperparameter contraction matches central finite differences") {
  std::mt19937_64 rng(2);
  for (int depth : {1, 2, 3, 5}) {
    const NeuralNetworkKernel k = kernel_of_depth(depth);
    for (int trial = 0; trial < 3; ++trial) {
      INFO("depth " << depth << " trial " << trial);
      const Vector theta = random_theta(k, rng);
      Matrix X = prospect::test::uniform(15, 2, rng);
      X.row(7) = X.row(3);  // a duplicate: its pairs sit in the clamp region
      const Matrix W = random_symmetric(15, rng);
      check_hyperparameter_gradient(k, X, theta, W);
    }
  }
}

TEST_CASE("input and diagonal gradients match central finite differences, also at the clamp") {
  std::mt19937_64 rng(3);
  for (int depth : {1, 3, 4}) {
    const NeuralNetworkKernel k = kernel_of_depth(depth);
    for (int trial = 0; trial < 3; ++trial) {
      const Vector theta = random_theta(k, rng);
      const Eigen::Index d = 3;
      const Matrix X = prospect::test::uniform(10, d, rng);
      std::vector<Vector> points;
      points.push_back(prospect::test::uniform(1, d, rng).row(0).transpose());
      points.push_back(X.row(2).transpose());  // x = x': cos t clamped in every layer
      // Near but outside the clamp region (1 - cos t ~ 1e-5 in the base layer).
      points.push_back(X.row(5).transpose() + Vector::Constant(d, 3e-3));
      for (std::size_t which = 0; which < points.size(); ++which) {
        INFO("depth " << depth << " trial " << trial << " point " << which);
        check_input_gradients(k, points[which], X, theta);
      }
    }
  }
  // The diagonal gradient is not zero: k(x, x) grows with |x|^2.
  const NeuralNetworkKernel k = kernel_of_depth(3);
  Vector g(2);
  k.diagonal_gradient(Eigen::Vector2d(0.3, 0.6), k.default_theta(2), g);
  CHECK(g(0) > 0.0);
  CHECK(g(1) > g(0));
}

TEST_CASE("kernel matrices are positive semi-definite") {
  std::mt19937_64 rng(4);
  for (int depth : {1, 3, 8}) {
    const NeuralNetworkKernel k = kernel_of_depth(depth);
    for (int trial = 0; trial < 3; ++trial) {
      const Vector theta = random_theta(k, rng);
      Matrix X = prospect::test::uniform(40, 3, rng);
      X.row(10) = X.row(20);
      X.row(30).setZero();
      const Matrix K = k(X, X, theta);
      const Eigen::SelfAdjointEigenSolver<Matrix> eig(K, Eigen::EigenvaluesOnly);
      INFO("depth " << depth << " min eigenvalue " << eig.eigenvalues().minCoeff() << " trace "
                    << K.trace());
      CHECK(eig.eigenvalues().minCoeff() >= -1e-10 * K.trace());
    }
  }
  // A tight cluster, where 1 - cos t of the pairs straddles 1e-7: a clamp of cos t at
  // 1 - 1e-7 (BoTorch's) gave eigenvalues of -1e-6 relative there, beyond the Cholesky's
  // jitter (a noiseless NNGP study could not be fitted; found by test_study_fuzz).
  for (int depth : {1, 3}) {
    const NeuralNetworkKernel k = kernel_of_depth(depth);
    for (int trial = 0; trial < 3; ++trial) {
      const Vector theta = random_theta(k, rng);
      const Matrix center = prospect::test::uniform(1, 3, rng);
      Matrix X = prospect::test::uniform(30, 3, rng);
      X = ((X.array() - 0.5) * 2e-3).matrix().rowwise() + center.row(0);
      const Matrix K = k(X, X, theta);
      const Eigen::SelfAdjointEigenSolver<Matrix> eig(K, Eigen::EigenvaluesOnly);
      INFO("cluster: depth " << depth << " min eigenvalue " << eig.eigenvalues().minCoeff()
                             << " trace " << K.trace());
      CHECK(eig.eigenvalues().minCoeff() >= -1e-10 * K.trace());
    }
  }
}

TEST_CASE("results do not depend on the number of OpenMP threads") {
  std::mt19937_64 rng(5);
  const NeuralNetworkKernel k = kernel_of_depth(3);
  const Vector theta = random_theta(k, rng);
  const Matrix X = prospect::test::uniform(150, 3, rng);  // above the parallel thresholds
  const Matrix W = random_symmetric(150, rng);
  auto run = [&](int threads) {
    omp_set_num_threads(threads);
    Matrix K = k(X, X, theta);
    Vector grad = Vector::Zero(2);
    k.contract_hyperparameter_gradient(X, theta, W, grad);
    return std::pair{K, grad};
  };
  const int before = omp_get_max_threads();
  const auto [K1, g1] = run(1);
  const auto [K3, g3] = run(3);
  omp_set_num_threads(before);
  CHECK((K1 - K3).cwiseAbs().maxCoeff() == 0.0);
  CHECK((g1 - g3).cwiseAbs().maxCoeff() == 0.0);
}

TEST_CASE("name, hyperparameters and invalid input") {
  const NeuralNetworkKernel k;
  CHECK(k.name() == "nngp(relu,depth=3)");
  CHECK(kernel_of_depth(5).name() == "nngp(relu,depth=5)");
  CHECK(k.clone()->name() == k.name());
  const auto specs = k.hyperparameters(4);
  REQUIRE(specs.size() == 2);
  CHECK(specs[0].name == "weight_variance");
  CHECK(specs[1].name == "bias_variance");
  CHECK(specs[0].kind == pk::HyperparameterKind::other);
  CHECK(specs[1].kind == pk::HyperparameterKind::other);
  CHECK(specs[0].log_default == doctest::Approx(std::log(10.0)));
  CHECK(specs[1].log_default == doctest::Approx(std::log(1.3)));
  CHECK(specs[0].log_lower == doctest::Approx(std::log(1e-2)));
  CHECK(specs[0].log_upper == doctest::Approx(std::log(1e3)));
  CHECK(specs[1].log_lower == doctest::Approx(std::log(1e-4)));
  CHECK(specs[1].log_upper == doctest::Approx(std::log(1e2)));

  auto throws_naming = [](NNGPOptions o, const std::string& field) {
    INFO("field " << field);
    try {
      NeuralNetworkKernel bad(o);
      FAIL("no exception");
    } catch (const prospect::InvalidArgument& e) {
      CHECK(std::string(e.what()).find(field) != std::string::npos);
    }
  };
  NNGPOptions o;
  o.depth = 0;
  throws_naming(o, "depth");
  o.depth = 65;
  throws_naming(o, "depth");
  o = {};
  o.weight_variance = -1.0;
  throws_naming(o, "weight_variance");
  o = {};
  o.bias_variance = std::nan("");
  throws_naming(o, "bias_variance");
  o = {};
  o.weight_variance = 2e3;  // above max_weight_variance
  throws_naming(o, "weight_variance");
  o = {};
  o.min_bias_variance = 10.0;
  o.max_bias_variance = 1.0;
  throws_naming(o, "min_bias_variance");
  o = {};
  o.max_weight_variance = 0.0;
  throws_naming(o, "max_weight_variance");

  const Matrix X = Matrix::Constant(3, 2, 0.5);
  Matrix K(3, 3);
  CHECK_THROWS_AS(k.matrix(X, X, Vector::Zero(3), K), prospect::InvalidArgument);
  CHECK_THROWS_AS(k.matrix(X, X, Eigen::Vector2d(0.0, std::nan("")), K), prospect::InvalidArgument);
  Matrix Kbad(3, 2);
  CHECK_THROWS_AS(k.matrix(X, X, k.default_theta(2), Kbad), prospect::InvalidArgument);
  CHECK_THROWS_AS(k.matrix(X, Matrix::Constant(3, 3, 0.5), k.default_theta(2), K),
                  prospect::InvalidArgument);
  CHECK_THROWS_AS((void)k.hyperparameters(0), prospect::InvalidArgument);
}

TEST_CASE("a GP with the kernel learns a function with a kink") {
  // f has a kink at 0.6 and different slopes either side; 14 noisy-free training points
  // on a grid, 61 held-out points.
  auto f = [](double x) { return 1.5 * std::max(0.0, x - 0.6) * 4.0 - 0.8 * x + 0.3; };
  const Eigen::Index n = 14;
  Matrix X(n, 1);
  Vector y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    X(i, 0) = (static_cast<double>(i) + 0.5) / static_cast<double>(n);
    y(i) = f(X(i, 0));
  }
  const NeuralNetworkKernel kernel;
  GaussianProcess gp(kernel);
  const Dataset data{X, y, Vector()};
  gp.fit(data, 7);
  REQUIRE(gp.fitted());

  // The fit improves the marginal likelihood over the defaults (study's sw, sb, the noise
  // start, zero mean) by a clear margin.
  Vector defaults = gp.parameters();
  defaults.head(2) = kernel.default_theta(1);
  GaussianProcess at_defaults(kernel);
  defaults(2) = prospect::gp_detail::noise_start_log(prospect::PriorPreset::botorch);
  defaults(3) = 0.0;
  at_defaults.fit_fixed(data, defaults);
  INFO("fitted LML " << gp.log_marginal_likelihood() << " at defaults "
                     << at_defaults.log_marginal_likelihood() << "; fit "
                     << gp.summary().brief_report());
  CHECK(gp.log_marginal_likelihood() > at_defaults.log_marginal_likelihood() + 1.0);

  Matrix Xt(61, 1);
  Vector yt(61);
  for (Eigen::Index i = 0; i < 61; ++i) {
    Xt(i, 0) = static_cast<double>(i) / 60.0;
    yt(i) = f(Xt(i, 0));
  }
  const auto pred = gp.predict(Xt);
  const double mse = (pred.mean - yt).squaredNorm() / 61.0;
  const double mse_prior = (yt.array() - y.mean()).square().sum() / 61.0;
  INFO("held-out MSE " << mse << " prior-mean MSE " << mse_prior);
  CHECK(mse < 0.02 * mse_prior);
}

// ---- ARD (NNGPOptions::ard): a first-layer weight variance sigma_w^2 r_j per input ----

namespace {

NeuralNetworkKernel ard_kernel(int depth) {
  NNGPOptions o;
  o.depth = depth;
  o.ard = true;
  return NeuralNetworkKernel(o);
}

/// [log sw, log sb, log r_1..d] with log sw, log sb around the defaults (+ U(-1, 1)) and
/// log r_j ~ U(-2, 2).
Vector random_ard_theta(Eigen::Index d, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Vector theta(d + 2);
  theta(0) = std::log(10.0) + u(rng);
  theta(1) = std::log(1.3) + u(rng);
  for (Eigen::Index j = 0; j < d; ++j) theta(2 + j) = 2.0 * u(rng);
  return theta;
}

/// X with column j multiplied by sqrt(r_j): the isotropic kernel of these inputs is the
/// ARD kernel of X.
Matrix rescaled(const Matrix& X, const Vector& theta) {
  Matrix Z = X;
  for (Eigen::Index j = 0; j < X.cols(); ++j) Z.col(j) *= std::sqrt(std::exp(theta(2 + j)));
  return Z;
}

}  // namespace

TEST_CASE("ARD with unit relevances equals the isotropic kernel") {
  std::mt19937_64 rng(11);
  const Eigen::Index d = 3;
  for (int depth : {1, 3}) {
    const NeuralNetworkKernel iso = kernel_of_depth(depth);
    const NeuralNetworkKernel ard = ard_kernel(depth);
    const Vector t2 = random_theta(iso, rng);
    Vector t(d + 2);
    t << t2, Vector::Zero(d);
    CHECK((ard.default_theta(d).tail(d).array() == 0.0).all());
    Matrix X = prospect::test::uniform(12, d, rng);
    X.row(4) = X.row(9);
    const Matrix X2 = prospect::test::uniform(7, d, rng);
    // Only the summation order of the base layer differs: agreement to rounding.
    const Matrix Ki = iso(X, X2, t2), Ka = ard(X, X2, t);
    CHECK((Ki - Ka).cwiseAbs().maxCoeff() <= 1e-13 * Ki.cwiseAbs().maxCoeff());
    Vector di(X.rows()), da(X.rows());
    iso.diagonal(X, t2, di);
    ard.diagonal(X, t, da);
    CHECK((di - da).cwiseAbs().maxCoeff() <= 1e-13 * di.cwiseAbs().maxCoeff());
    const Matrix W = random_symmetric(X.rows(), rng);
    Vector gi = Vector::Zero(2), ga = Vector::Zero(d + 2);
    iso.contract_hyperparameter_gradient(X, t2, W, gi);
    ard.contract_hyperparameter_gradient(X, t, W, ga);
    CHECK((gi - ga.head(2)).cwiseAbs().maxCoeff() <= 1e-12 * gi.cwiseAbs().maxCoeff());
    // (The relevance entries are checked against finite differences below.)
    CHECK(ga.tail(d).cwiseAbs().maxCoeff() > 0.0);
    const Vector x = X2.row(0).transpose();
    Matrix Ji(X.rows(), d), Ja(X.rows(), d);
    iso.input_gradient(x, X, t2, Ji);
    ard.input_gradient(x, X, t, Ja);
    CHECK((Ji - Ja).cwiseAbs().maxCoeff() <= 1e-12 * Ji.cwiseAbs().maxCoeff());
    Vector ggi(d), gga(d);
    iso.diagonal_gradient(x, t2, ggi);
    ard.diagonal_gradient(x, t, gga);
    CHECK((ggi - gga).cwiseAbs().maxCoeff() <= 1e-12 * ggi.cwiseAbs().maxCoeff());
  }
}

TEST_CASE("ARD matches the quadrature recursion and arc-cosine form of rescaled inputs") {
  std::mt19937_64 rng(12);
  const Matrix X = sample_points();
  const Eigen::Index d = X.cols();
  for (int depth : {1, 2, 4}) {
    const NeuralNetworkKernel k = ard_kernel(depth);
    for (int trial = 0; trial < 2; ++trial) {
      const Vector theta = random_ard_theta(d, rng);
      const double sw = std::exp(theta(0)), sb = std::exp(theta(1));
      INFO("depth " << depth << " theta " << theta.transpose());
      const Matrix K = k(X, X, theta);
      const Matrix Z = rescaled(X, theta);
      const Matrix R = nngp_by_quadrature(Z, depth, sw, sb);
      for (Eigen::Index i = 0; i < X.rows(); ++i) {
        for (Eigen::Index j = 0; j < X.rows(); ++j) {
          const double tol = i == j ? 2e-7 : 1e-10;
          INFO("(" << i << ", " << j << ") kernel " << K(i, j) << " quadrature " << R(i, j));
          CHECK(std::abs(K(i, j) - R(i, j)) <= tol * std::abs(R(i, j)));
          if (depth == 1) {
            Vector u(d + 1), v(d + 1);
            u << std::sqrt(sb), std::sqrt(sw / static_cast<double>(d)) * Z.row(i).transpose();
            v << std::sqrt(sb), std::sqrt(sw / static_cast<double>(d)) * Z.row(j).transpose();
            CHECK(K(i, j) ==
                  doctest::Approx(sb + 0.5 * sw * arccos1(u, v)).epsilon(i == j ? 2e-7 : 1e-12));
          }
        }
      }
    }
  }
}

TEST_CASE("ARD hyperparameter contraction (all d + 2 entries) matches finite differences") {
  std::mt19937_64 rng(13);
  const Eigen::Index d = 4;
  for (int depth : {1, 2, 3, 5}) {
    const NeuralNetworkKernel k = ard_kernel(depth);
    for (int trial = 0; trial < 3; ++trial) {
      INFO("depth " << depth << " trial " << trial);
      const Vector theta = random_ard_theta(d, rng);
      Matrix X = prospect::test::uniform(15, d, rng);
      X.row(7) = X.row(3);  // a duplicate: its pairs sit in the clamp region
      const Matrix W = random_symmetric(15, rng);
      check_hyperparameter_gradient(k, X, theta, W);
    }
  }
}

TEST_CASE("ARD input and diagonal gradients match finite differences, also at the clamp") {
  std::mt19937_64 rng(14);
  const Eigen::Index d = 3;
  for (int depth : {1, 3, 4}) {
    const NeuralNetworkKernel k = ard_kernel(depth);
    for (int trial = 0; trial < 3; ++trial) {
      const Vector theta = random_ard_theta(d, rng);
      const Matrix X = prospect::test::uniform(10, d, rng);
      std::vector<Vector> points;
      points.push_back(prospect::test::uniform(1, d, rng).row(0).transpose());
      points.push_back(X.row(2).transpose());  // x = x': clamped
      points.push_back(X.row(5).transpose() + Vector::Constant(d, 3e-3));
      for (std::size_t which = 0; which < points.size(); ++which) {
        INFO("depth " << depth << " trial " << trial << " point " << which << " theta "
                      << theta.transpose());
        check_input_gradients(k, points[which], X, theta);
      }
    }
  }
}

TEST_CASE("ARD kernel matrices are positive semi-definite, also with extreme relevances") {
  std::mt19937_64 rng(15);
  const Eigen::Index d = 4;
  for (int depth : {1, 3, 8}) {
    const NeuralNetworkKernel k = ard_kernel(depth);
    for (int trial = 0; trial < 4; ++trial) {
      Vector theta = random_ard_theta(d, rng);
      // Trials 2 and 3 put relevances at their bounds. r = 100 makes x.x' dominate
      // sigma_b^2, so most pairs' correlations pass 1 - 1e-7 and are clamped; the clamp
      // changes entries by up to ~pi 1e-7 relative (J(t) ~ pi cos t near t = 0), so there
      // the honest bound on negative eigenvalues is ~1e-7 of the trace, not rounding.
      const bool extreme = trial >= 2;
      if (extreme) {
        theta(2) = std::log(1e-4);
        theta(3) = std::log(1e2);
      }
      Matrix X = prospect::test::uniform(40, d, rng);
      X.row(10) = X.row(20);
      X.row(30).setZero();
      const Matrix K = k(X, X, theta);
      const Eigen::SelfAdjointEigenSolver<Matrix> eig(K, Eigen::EigenvaluesOnly);
      INFO("depth " << depth << " trial " << trial << " min eigenvalue "
                    << eig.eigenvalues().minCoeff() << " trace " << K.trace());
      CHECK(eig.eigenvalues().minCoeff() >= -(extreme ? 4e-7 : 1e-10) * K.trace());
    }
  }
}

TEST_CASE("ARD name, hyperparameters and theta size") {
  const NeuralNetworkKernel k = ard_kernel(3);
  CHECK(k.name() == "nngp(relu,depth=3,ard)");
  CHECK(k.clone()->name() == k.name());
  const auto specs = k.hyperparameters(3);
  REQUIRE(specs.size() == 5);
  CHECK(specs[0].name == "weight_variance");
  CHECK(specs[1].name == "bias_variance");
  for (std::size_t j = 0; j < 3; ++j) {
    const auto& s = specs[2 + j];
    CHECK(s.name == "relevance[" + std::to_string(j) + "]");
    CHECK(s.kind == pk::HyperparameterKind::other);
    CHECK(s.log_default == 0.0);
    CHECK(s.log_lower == doctest::Approx(std::log(1e-4)));
    CHECK(s.log_upper == doctest::Approx(std::log(1e2)));
  }
  CHECK(kernel_of_depth(3).hyperparameters(3).size() == 2);
  const Matrix X = Matrix::Constant(3, 2, 0.5);
  Matrix K(3, 3);
  CHECK_THROWS_AS(k.matrix(X, X, Vector::Zero(2), K), prospect::InvalidArgument);
  CHECK_THROWS_AS(k.matrix(X, X, Vector::Zero(5), K), prospect::InvalidArgument);
  CHECK_NOTHROW(k.matrix(X, X, Vector::Zero(4), K));
  Vector bad = Vector::Zero(4);
  bad(3) = std::nan("");
  CHECK_THROWS_AS(k.matrix(X, X, bad, K), prospect::InvalidArgument);
}

TEST_CASE("a GP with the ARD kernel finds the 2 active inputs of 6 and predicts better") {
  // f depends on x0 and x1 only; 50 noise-free training points, 200 held-out points.
  const Eigen::Index d = 6, n = 50, m = 200;
  auto f = [](const Eigen::RowVectorXd& x) {
    return std::sin(3.0 * x(0)) + 2.0 * std::max(0.0, x(1) - 0.4) - 0.5 * x(0) * x(1);
  };
  std::mt19937_64 rng(16);
  const Matrix X = prospect::test::uniform(n, d, rng);
  const Matrix Xt = prospect::test::uniform(m, d, rng);
  Vector y(n), yt(m);
  for (Eigen::Index i = 0; i < n; ++i) y(i) = f(X.row(i));
  for (Eigen::Index i = 0; i < m; ++i) yt(i) = f(Xt.row(i));
  const Dataset data{X, y, Vector()};

  GaussianProcess ard_gp(ard_kernel(3));
  ard_gp.fit(data, 21);
  GaussianProcess iso_gp(kernel_of_depth(3));
  iso_gp.fit(data, 21);
  REQUIRE(ard_gp.fitted());
  REQUIRE(iso_gp.fitted());

  const Vector theta = ard_gp.parameters().head(d + 2);
  const double active = theta.segment(2, 2).mean();
  const double inactive = theta.segment(4, d - 2).mean();
  const double mse_ard = (ard_gp.predict(Xt).mean - yt).squaredNorm() / static_cast<double>(m);
  const double mse_iso = (iso_gp.predict(Xt).mean - yt).squaredNorm() / static_cast<double>(m);
  INFO("log relevances " << theta.tail(d).transpose() << "; held-out MSE ARD " << mse_ard
                         << " isotropic " << mse_iso << "; ARD fit "
                         << ard_gp.summary().brief_report());
  CHECK(active > inactive + 1.0);
  CHECK(mse_ard < mse_iso);
}
