// Tests of the example learning task (examples/mlp_task.hpp): the logistic loss and its
// adjoint, the data loader and split, and the epoch-by-epoch MLP training.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "examples/mlp_task.hpp"
#include "prospect/errors.hpp"

namespace ex = prospect_examples;

namespace {

// The real data set: $PROSPECT_BREAST_CANCER_CSV when set, else Debian's location.
std::string breast_cancer_path() {
  const char* env = std::getenv("PROSPECT_BREAST_CANCER_CSV");
  return env && *env ? env : ex::breast_cancer_csv;
}

std::shared_ptr<const ex::Split> task_split() {
  return std::make_shared<const ex::Split>(
      ex::split_and_standardize(ex::load_dataset(breast_cancer_path(), nullptr), 0.3, 0));
}

ex::Hyperparameters sane() {
  ex::Hyperparameters hp;
  hp.learning_rate = 3e-3;
  hp.weight_decay = 1e-4;
  hp.width = 32;
  hp.layers = 2;
  hp.activation = prospect::bnn::Activation::tanh;
  hp.batch_size = 32;
  return hp;
}

}  // namespace

TEST_CASE("logistic_loss matches the cross-entropy and its adjoint central differences") {
  Eigen::RowVectorXd z(6);
  z << -40.0, -2.5, -0.3, 0.0, 1.7, 35.0;
  prospect::Vector y(6);
  y << 0, 1, 0, 1, 1, 0;
  Eigen::RowVectorXd adjoint;
  const double loss = ex::logistic_loss(z, y, &adjoint);

  // Independent value: -y log s - (1 - y) log(1 - s) with log s(z) = -log(1 + e^-z).
  double expected = 0.0;
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    const double log_s = -std::log1p(std::exp(-z(i)));
    const double log_1ms = -std::log1p(std::exp(z(i)));
    expected -= y(i) * log_s + (1.0 - y(i)) * log_1ms;
  }
  CHECK(loss == doctest::Approx(expected).epsilon(1e-12));

  const double h = 1e-5;
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    Eigen::RowVectorXd zp = z, zm = z;
    zp(i) += h;
    zm(i) -= h;
    const double fd = (ex::logistic_loss(zp, y) - ex::logistic_loss(zm, y)) / (2 * h);
    CHECK(adjoint(i) == doctest::Approx(fd).epsilon(1e-7).scale(1.0));
  }
  CHECK_THROWS_AS(ex::logistic_loss(z.head(3), y), prospect::InvalidArgument);
}

TEST_CASE("the training gradient (adjoint through the network) matches finite differences") {
  // One full-batch loss as a function of theta, differentiated by backward() with the
  // adjoint of logistic_loss: the path every Adam step of MLPTraining takes.
  const auto split = task_split();
  const prospect::Matrix X = split->X_train.topRows(20);
  const prospect::Vector y = split->y_train.head(20);
  prospect::bnn::MLP mlp({.inputs = X.cols(), .hidden = {5, 4}, .outputs = 1});
  prospect::Rng rng(3);
  prospect::Vector theta = mlp.initial_parameters(rng);
  prospect::bnn::MLPWorkspace ws;
  const auto loss_at = [&](const prospect::Vector& t) {
    mlp.forward(t, X, ws);
    return ex::logistic_loss(ws.pre.back().row(0), y);
  };
  mlp.forward(theta, X, ws);
  Eigen::RowVectorXd adjoint;
  (void)ex::logistic_loss(ws.pre.back().row(0), y, &adjoint);
  prospect::Vector grad = prospect::Vector::Zero(mlp.parameter_count());
  mlp.backward(theta, adjoint, ws, grad);
  const double h = 1e-6;
  for (Eigen::Index k = 0; k < theta.size(); k += 7) {
    prospect::Vector tp = theta, tm = theta;
    tp(k) += h;
    tm(k) -= h;
    const double fd = (loss_at(tp) - loss_at(tm)) / (2 * h);
    CHECK(grad(k) == doctest::Approx(fd).epsilon(1e-5).scale(1.0));
  }
}

TEST_CASE("a sane configuration learns well below a constant predictor in 30 epochs") {
  ex::MLPTraining training(task_split(), sane(), 11);
  CHECK(training.validation_loss() == doctest::Approx(std::log(2.0)));
  double first = 0.0, loss = 0.0;
  for (int e = 0; e < 30; ++e) {
    loss = training.epoch();
    if (e == 0) first = loss;
  }
  CHECK(training.epochs() == 30);
  INFO("validation log-loss after 30 epochs: " << loss << ", after 1: " << first);
  CHECK(std::isfinite(loss));
  CHECK(loss < 0.5 * std::log(2.0));
  CHECK(loss < first);
  CHECK(training.validation_error() < 0.2);
}

TEST_CASE("training is deterministic for a seed and depends on it") {
  const auto split = task_split();
  ex::Hyperparameters hp = sane();
  hp.activation = prospect::bnn::Activation::relu;
  hp.batch_size = 17;  // a ragged last batch
  ex::MLPTraining a(split, hp, 5), b(split, hp, 5), c(split, hp, 6);
  for (int e = 0; e < 3; ++e) {
    const double la = a.epoch(), lb = b.epoch(), lc = c.epoch();
    CHECK(la == lb);
    CHECK(la != lc);
  }
  CHECK(a.parameters() == b.parameters());
}

TEST_CASE("MLPTraining refuses bad hyperparameters, naming them") {
  const auto split = task_split();
  ex::Hyperparameters hp = sane();
  hp.learning_rate = -1.0;
  hp.width = 0;
  try {
    ex::MLPTraining t(split, hp, 0);
    FAIL("expected InvalidArgument");
  } catch (const prospect::InvalidArgument& e) {
    const std::string what = e.what();
    CHECK(what.find("learning_rate") != std::string::npos);
    CHECK(what.find("width") != std::string::npos);
  }
  CHECK_THROWS_AS(ex::MLPTraining(nullptr, sane(), 0), prospect::InvalidArgument);
}

TEST_CASE("the stratified split keeps class proportions and standardizes on training data") {
  const ex::Dataset data = ex::synthetic_dataset(200, 5, 2);
  const ex::Split s = ex::split_and_standardize(data, 0.25, 9);
  CHECK(s.X_valid.rows() == 50);
  CHECK(s.X_train.rows() == 150);
  CHECK(s.y_valid.sum() == doctest::Approx(25));  // 100 per class, a quarter of each
  for (Eigen::Index j = 0; j < s.X_train.cols(); ++j) {
    const double mean = s.X_train.col(j).mean();
    const double var = (s.X_train.col(j).array() - mean).square().mean();
    CHECK(mean == doctest::Approx(0.0).scale(1.0).epsilon(1e-12));
    CHECK(var == doctest::Approx(1.0).epsilon(1e-12));
  }
  const ex::Split again = ex::split_and_standardize(data, 0.25, 9);
  CHECK(again.X_valid == s.X_valid);
  CHECK_THROWS_AS(ex::split_and_standardize(data, 1.0, 0), prospect::InvalidArgument);
}

TEST_CASE("read_sklearn_csv parses the format and rejects malformed files") {
  const auto dir = std::filesystem::temp_directory_path();
  const auto path = (dir / "prospect_test_mlp_task.csv").string();
  {
    std::ofstream out(path);
    out << "3,2,no,yes\n1.5,-2,0\n3e-1,4,1\n0,0.25,1\n";
  }
  const ex::Dataset d = ex::read_sklearn_csv(path);
  REQUIRE(d.X.rows() == 3);
  CHECK(d.X.cols() == 2);
  CHECK(d.X(0, 0) == 1.5);
  CHECK(d.X(1, 0) == 0.3);
  CHECK(d.X(2, 1) == 0.25);
  CHECK(d.y(0) == 0.0);
  CHECK(d.y(1) == 1.0);
  for (const char* bad : {"3,2,a,b\n1,2,0\n", "2,2,a,b\n1,2,0\n1,x,1\n", "1,2,a,b\n1,2,3\n",
                          "1,2,a,b\n1,2\n", "x,2\n"}) {
    {
      std::ofstream out(path);
      out << bad;
    }
    CHECK_THROWS_AS(ex::read_sklearn_csv(path), prospect::InvalidArgument);
  }
  std::filesystem::remove(path);
  CHECK_THROWS_AS(ex::read_sklearn_csv(path), prospect::IoError);
}

TEST_CASE("the breast-cancer CSV has 569 rows of 30 features when installed") {
  const std::string path = breast_cancer_path();
  if (!std::filesystem::exists(path)) {
    MESSAGE("skipped: " << path
                        << " not found (apt-get install python3-sklearn, or set "
                           "PROSPECT_BREAST_CANCER_CSV to a copy)");
    return;
  }
  const ex::Dataset d = ex::read_sklearn_csv(path);
  CHECK(d.X.rows() == 569);
  CHECK(d.X.cols() == 30);
  CHECK(d.y.sum() == 357);  // benign (class 1) cases
  CHECK(d.X(0, 0) == 17.99);
}
