// The network building block: backpropagation and input gradients against central finite
// differences, initialization bounds, Adam on a quadratic, validation.
#include <doctest/doctest.h>

#include <cmath>

#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "prospect/surrogates/bnn/adam.hpp"
#include "prospect/surrogates/bnn/mlp.hpp"

using namespace prospect;
using namespace prospect::bnn;

namespace {
// loss(theta) = sum_{k,i} C(k, i) out_k(x_i) + 0.5 sum out^2: exercises every output.
double loss(const MLP& mlp, const Vector& theta, const Matrix& X, const Matrix& C) {
  const Matrix out = mlp.predict(theta, X).transpose();
  return (C.array() * out.array()).sum() + 0.5 * out.squaredNorm();
}

void check_backprop(Activation activation, std::vector<Eigen::Index> hidden, Eigen::Index outputs) {
  MLP mlp({.inputs = 3, .hidden = hidden, .outputs = outputs, .activation = activation});
  Rng rng(7);
  Vector theta = mlp.initial_parameters(rng);
  Matrix X(5, 3);
  for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = rng.uniform();
  Matrix C(outputs, 5);
  for (Eigen::Index i = 0; i < C.size(); ++i) C.data()[i] = rng.normal();

  MLPWorkspace ws;
  mlp.forward(theta, X, ws);
  const Matrix bar = C + ws.pre.back();
  Vector grad = Vector::Zero(mlp.parameter_count());
  mlp.backward(theta, bar, ws, grad);
  const double h = 1e-6;
  double worst = 0.0;
  for (Eigen::Index k = 0; k < theta.size(); ++k) {
    Vector tp = theta, tm = theta;
    tp(k) += h;
    tm(k) -= h;
    const double fd = (loss(mlp, tp, X, C) - loss(mlp, tm, X, C)) / (2 * h);
    worst = std::max(worst, std::abs(fd - grad(k)) / std::max(1.0, std::abs(fd)));
  }
  CHECK(worst < 1e-6);

  // Input gradient: row i is d loss / d x_i.
  mlp.forward(theta, X, ws);
  const Matrix G = mlp.input_gradient(theta, bar, ws);
  REQUIRE(G.rows() == 5);
  REQUIRE(G.cols() == 3);
  worst = 0.0;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      Matrix Xp = X, Xm = X;
      Xp(i, j) += h;
      Xm(i, j) -= h;
      const double fd = (loss(mlp, theta, Xp, C) - loss(mlp, theta, Xm, C)) / (2 * h);
      worst = std::max(worst, std::abs(fd - G(i, j)) / std::max(1.0, std::abs(fd)));
    }
  }
  CHECK(worst < 1e-6);
}
}  // namespace

TEST_CASE("MLP: parameter count and layout") {
  MLP mlp({.inputs = 4, .hidden = {8, 5}, .outputs = 2});
  CHECK(mlp.parameter_count() == (8 * 4 + 8) + (5 * 8 + 5) + (2 * 5 + 2));
  CHECK(mlp.layer_count() == 3);
  // A linear network (no hidden layer) is W x + b with theta = [W (column-major), b].
  MLP linear({.inputs = 2, .hidden = {}, .outputs = 1});
  Vector theta(3);
  theta << 2.0, -1.0, 0.5;
  Matrix X(2, 2);
  X << 0.1, 0.2, 0.7, 0.3;
  const Matrix out = linear.predict(theta, X);
  CHECK(out(0, 0) == doctest::Approx(2.0 * 0.1 - 0.2 + 0.5));
  CHECK(out(1, 0) == doctest::Approx(2.0 * 0.7 - 0.3 + 0.5));
}

TEST_CASE("MLP: backpropagation and input gradients match finite differences") {
  SUBCASE("tanh, two hidden layers, one output") {
    check_backprop(Activation::tanh, {6, 4}, 1);
  }
  SUBCASE("tanh, one hidden layer, two outputs") {
    check_backprop(Activation::tanh, {7}, 2);
  }
  SUBCASE("relu, two hidden layers") {
    check_backprop(Activation::relu, {6, 5}, 2);
  }
  SUBCASE("linear") {
    check_backprop(Activation::tanh, {}, 1);
  }
}

TEST_CASE("MLP: PyTorch initialization bounds and determinism") {
  MLP mlp({.inputs = 9, .hidden = {16}, .outputs = 1});
  Rng a(3), b(3);
  const Vector ta = mlp.initial_parameters(a), tb = mlp.initial_parameters(b);
  CHECK(ta == tb);
  // First layer: fan-in 9 -> |w| <= 1/3; output layer: fan-in 16 -> |w| <= 1/4.
  CHECK(ta.head(16 * 9 + 16).cwiseAbs().maxCoeff() <= 1.0 / 3.0);
  CHECK(ta.head(16 * 9 + 16).cwiseAbs().maxCoeff() > 0.3);  // spread over the range
  CHECK(ta.tail(17).cwiseAbs().maxCoeff() <= 0.25);
}

TEST_CASE("MLP: bad input throws InvalidArgument naming the problem") {
  CHECK_THROWS_WITH_AS(MLP({.inputs = 0, .hidden = {3, 0}}), doctest::Contains("hidden[1]"),
                       InvalidArgument);
  MLP mlp({.inputs = 2, .hidden = {3}});
  CHECK_THROWS_WITH_AS((void)mlp.predict(Vector::Zero(4), Matrix::Zero(1, 2)),
                       doctest::Contains("parameter_count"), InvalidArgument);
  CHECK_THROWS_WITH_AS((void)mlp.predict(Vector::Zero(mlp.parameter_count()), Matrix::Zero(1, 3)),
                       doctest::Contains("columns"), InvalidArgument);
  CHECK_THROWS_AS((void)activation_from_string("sigmoid"), InvalidArgument);
  CHECK(activation_from_string(to_string(Activation::relu)) == Activation::relu);
}

TEST_CASE("Adam: first step is lr sign(g); converges on an ill-conditioned quadratic") {
  Adam adam(2, {.learning_rate = 0.1});
  Vector x(2);
  x << 1.0, 1.0;
  Vector g(2);
  g << 3.0, -1e-3;
  adam.step(x, g);
  // Bias-corrected m_hat = g, v_hat = g^2: the first step is lr g / (|g| + eps).
  CHECK(x(0) == doctest::Approx(0.9).epsilon(1e-6));
  CHECK(x(1) == doctest::Approx(1.1).epsilon(1e-4));
  x << 1.0, 1.0;
  Adam adam2(2, {.learning_rate = 0.05});
  for (int i = 0; i < 2000; ++i) {
    g << 100.0 * x(0), 0.01 * x(1);
    adam2.step(x, g);
  }
  CHECK(std::abs(x(0)) < 1e-2);
  CHECK(std::abs(x(1)) < 1e-2);
  CHECK(adam2.steps() == 2000);
  CHECK_THROWS_WITH_AS(Adam(2, {.learning_rate = -1.0, .beta2 = 1.0}), doctest::Contains("beta2"),
                       InvalidArgument);
  Vector wrong(3);
  CHECK_THROWS_AS(adam2.step(x, wrong), InvalidArgument);
}
