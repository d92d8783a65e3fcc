// examples/mlp_task.hpp — a real learning task for hyperparameter tuning: a small MLP
// classifier (prospect::bnn::MLP, trained with minibatch Adam) on the Wisconsin
// breast-cancer data set, one epoch at a time, so that a tuner can watch its learning
// curve and stop poor configurations early (examples/tune_mlp.cpp; usable by a benchmark).
//
// Data: the copy of the UCI data set that scikit-learn ships, in its own CSV format (a
// header line "569,30,malignant,benign", then 569 rows of 30 features and a 0/1 target).
// Debian's python3-sklearn installs it at breast_cancer_csv below
// (`apt-get install python3-sklearn`); any readable copy can be passed by path. When it is
// absent, load_dataset() says so and falls back to a seeded synthetic set of two noisy
// interleaved half-moons embedded in 30 features.
//
// Units: losses are the mean logistic loss (cross-entropy, nats) over the validation part;
// a constant 0.5 prediction scores log 2 = 0.693. Training cost: one epoch is
// O(n_train P) for P network parameters (forward and backward over every training point
// once), so the cost of a trial grows linearly with its epochs.
//
// Everything is deterministic for a seed (shuffles draw from prospect::Rng).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "prospect/errors.hpp"
#include "prospect/random.hpp"
#include "prospect/space.hpp"
#include "prospect/surrogates/bnn/adam.hpp"
#include "prospect/surrogates/bnn/mlp.hpp"
#include "prospect/types.hpp"

namespace prospect_examples {

using prospect::Matrix;
using prospect::Vector;

/// Where Debian's python3-sklearn installs scikit-learn's copy of the data set.
inline constexpr const char* breast_cancer_csv =
    "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";

/// A binary classification data set: one point per row of X, labels 0/1 in y.
struct Dataset {
  Matrix X;
  Vector y;
  /// Where it came from (a path, or "synthetic ...").
  std::string source;
};

/// Reads a data set in scikit-learn's CSV format: a header "n,d,<class names...>", then n
/// lines of d comma-separated numbers and an integer class 0 or 1. Throws prospect::IoError
/// when the file cannot be opened and prospect::InvalidArgument (naming the line) for a
/// malformed header, a short or long row, a non-number, a class other than 0/1, or a row
/// count that differs from the header's. O(n d).
inline Dataset read_sklearn_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw prospect::IoError("read_sklearn_csv: cannot open \"" + path + "\"");
  const auto fail = [&](long line, const std::string& what) {
    throw prospect::InvalidArgument("read_sklearn_csv: " + path + ":" + std::to_string(line) +
                                    ": " + what);
  };
  const auto split = [](const std::string& text) {
    std::vector<std::string> fields;
    std::stringstream ss(text);
    std::string field;
    while (std::getline(ss, field, ',')) fields.push_back(field);
    return fields;
  };
  const auto number = [&](const std::string& field, long line) {
    std::size_t used = 0;
    double value = 0.0;
    try {
      value = std::stod(field, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    // Trailing '\r' of a file written on Windows is tolerated.
    if (used == 0 || (used < field.size() && field.substr(used) != "\r")) {
      fail(line, "got \"" + field + "\", expected a number");
    }
    return value;
  };

  std::string text;
  if (!std::getline(in, text)) fail(1, "empty file, expected a header \"n,d,names...\"");
  const auto header = split(text);
  if (header.size() < 2) fail(1, "got header \"" + text + "\", expected \"n,d,names...\"");
  const double rows = number(header[0], 1), cols = number(header[1], 1);
  if (rows < 1 || cols < 1 || rows != std::floor(rows) || cols != std::floor(cols)) {
    fail(1, "got header \"" + text + "\", expected positive integer counts n,d");
  }
  const auto n = static_cast<Eigen::Index>(rows), d = static_cast<Eigen::Index>(cols);
  Dataset data{Matrix(n, d), Vector(n), path};
  Eigen::Index i = 0;
  for (long line = 2; std::getline(in, text); ++line) {
    if (text.empty() || text == "\r") continue;
    if (i == n) fail(line, "more rows than the header's " + std::to_string(n));
    const auto fields = split(text);
    if (static_cast<Eigen::Index>(fields.size()) != d + 1) {
      fail(line, "got " + std::to_string(fields.size()) + " fields, expected " +
                     std::to_string(d + 1) + " (d features and the class)");
    }
    for (Eigen::Index j = 0; j < d; ++j) {
      data.X(i, j) = number(fields[static_cast<std::size_t>(j)], line);
    }
    const double label = number(fields.back(), line);
    if (label != 0.0 && label != 1.0)
      fail(line, "got class " + fields.back() + ", expected 0 or 1");
    data.y(i) = label;
    ++i;
  }
  if (i != n) {
    fail(0, "got " + std::to_string(i) + " rows, expected the header's " + std::to_string(n));
  }
  return data;
}

/// A synthetic stand-in: `n` points (n >= 2) of two noisy interleaved half-moons (the
/// classes alternate), embedded in `d` >= 2 features: the first two are the moon
/// coordinates, the others random linear mixtures of them plus noise of standard deviation
/// 0.5 (redundant, noisy features, as in real data). Deterministic for `seed`. O(n d).
inline Dataset synthetic_dataset(Eigen::Index n = 569, Eigen::Index d = 30,
                                 std::uint64_t seed = 0) {
  if (n < 2 || d < 2) {
    throw prospect::InvalidArgument("synthetic_dataset: got n=" + std::to_string(n) +
                                    ", d=" + std::to_string(d) + ", expected n >= 2 and d >= 2");
  }
  prospect::Rng rng(seed);
  const double pi = std::acos(-1.0);
  Matrix mixing(2, d - 2);
  for (Eigen::Index j = 0; j < mixing.size(); ++j) mixing.data()[j] = rng.normal();
  Dataset data{Matrix(n, d), Vector(n),
               "synthetic (two noisy half-moons, seed " + std::to_string(seed) + ")"};
  for (Eigen::Index i = 0; i < n; ++i) {
    const bool upper = i % 2 == 0;
    const double t = pi * rng.uniform();
    // Noise of 0.2 makes the moons overlap a little: no classifier is perfect.
    const double x0 = (upper ? std::cos(t) : 1.0 - std::cos(t)) + 0.2 * rng.normal();
    const double x1 = (upper ? std::sin(t) : 0.5 - std::sin(t)) + 0.2 * rng.normal();
    data.X(i, 0) = x0;
    data.X(i, 1) = x1;
    for (Eigen::Index j = 2; j < d; ++j) {
      data.X(i, j) = mixing(0, j - 2) * x0 + mixing(1, j - 2) * x1 + 0.5 * rng.normal();
    }
    data.y(i) = upper ? 1.0 : 0.0;
  }
  return data;
}

/// The real data set at `path` when that file exists, else (with a note on `log`, when
/// not null, saying where the real one comes from) synthetic_dataset(). Throws as
/// read_sklearn_csv() for a file that exists but cannot be read or parsed.
inline Dataset load_dataset(const std::string& path = breast_cancer_csv,
                            std::ostream* log = &std::cerr) {
  if (std::filesystem::exists(path)) return read_sklearn_csv(path);
  if (log) {
    *log << "note: " << path
         << " not found; using a synthetic data set instead.\n"
            "      The Wisconsin breast-cancer data comes with scikit-learn "
            "(Debian/Ubuntu: apt-get install python3-sklearn),\n"
            "      or pass the path of any copy of sklearn/datasets/data/breast_cancer.csv.\n";
  }
  return synthetic_dataset();
}

/// A train/validation split with features standardized by the training part's mean and
/// standard deviation (a constant feature is only centred).
struct Split {
  Matrix X_train;
  Vector y_train;
  Matrix X_valid;
  Vector y_valid;
  std::string source;
};

/// Splits `data` stratified by class: in each class a seeded shuffle sends
/// round(validation_fraction * class size) points to validation and the rest to training,
/// each part in the data set's row order. Throws prospect::InvalidArgument for a fraction
/// outside (0, 1) or a split that leaves a part empty. O(n d).
inline Split split_and_standardize(const Dataset& data, double validation_fraction = 0.3,
                                   std::uint64_t seed = 0) {
  if (!(validation_fraction > 0.0 && validation_fraction < 1.0)) {
    throw prospect::InvalidArgument("split_and_standardize: validation_fraction: got " +
                                    std::to_string(validation_fraction) +
                                    ", expected a value in (0, 1)");
  }
  const Eigen::Index n = data.X.rows(), d = data.X.cols();
  std::vector<bool> valid(static_cast<std::size_t>(n), false);
  prospect::Rng rng(seed);
  for (const double label : {0.0, 1.0}) {
    std::vector<Eigen::Index> members;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (data.y(i) == label) members.push_back(i);
    }
    const auto take = static_cast<std::size_t>(
        std::lround(validation_fraction * static_cast<double>(members.size())));
    // Partial Fisher-Yates: the first `take` members are a uniform subset.
    for (std::size_t k = 0; k < take; ++k) {
      const auto j = k + static_cast<std::size_t>(rng.below(members.size() - k));
      std::swap(members[k], members[j]);
      valid[static_cast<std::size_t>(members[k])] = true;
    }
  }
  const auto n_valid = static_cast<Eigen::Index>(std::count(valid.begin(), valid.end(), true));
  if (n_valid == 0 || n_valid == n) {
    throw prospect::InvalidArgument(
        "split_and_standardize: " + std::to_string(n) + " points and validation_fraction " +
        std::to_string(validation_fraction) + " leave a part empty; expected both parts non-empty");
  }
  Split s{Matrix(n - n_valid, d), Vector(n - n_valid), Matrix(n_valid, d), Vector(n_valid),
          data.source};
  for (Eigen::Index i = 0, t = 0, v = 0; i < n; ++i) {
    if (valid[static_cast<std::size_t>(i)]) {
      s.X_valid.row(v) = data.X.row(i);
      s.y_valid(v++) = data.y(i);
    } else {
      s.X_train.row(t) = data.X.row(i);
      s.y_train(t++) = data.y(i);
    }
  }
  const Eigen::RowVectorXd mean = s.X_train.colwise().mean();
  Eigen::RowVectorXd sd = ((s.X_train.rowwise() - mean).array().square().colwise().sum() /
                           static_cast<double>(s.X_train.rows()))
                              .sqrt();
  sd = (sd.array() > 0.0).select(sd, 1.0);
  s.X_train = (s.X_train.rowwise() - mean).array().rowwise() / sd.array();
  s.X_valid = (s.X_valid.rowwise() - mean).array().rowwise() / sd.array();
  return s;
}

/// The summed logistic loss of logits z against labels y in {0, 1}:
/// sum_i softplus(z_i) - y_i z_i = -sum_i [y_i log s(z_i) + (1 - y_i) log(1 - s(z_i))],
/// s the sigmoid, computed without overflow for any finite z. When `adjoint` is not null
/// it receives d loss / d z_i = s(z_i) - y_i (same size as z). O(n).
inline double logistic_loss(const Eigen::Ref<const Eigen::RowVectorXd>& z, const Vector& y,
                            Eigen::RowVectorXd* adjoint = nullptr) {
  if (z.size() != y.size()) {
    throw prospect::InvalidArgument("logistic_loss: got " + std::to_string(z.size()) +
                                    " logits for " + std::to_string(y.size()) +
                                    " labels, expected equal counts");
  }
  if (adjoint) adjoint->resize(z.size());
  double total = 0.0;
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    const double a = z(i);
    const double e = std::exp(-std::abs(a));  // in (0, 1]: never overflows
    total += std::max(a, 0.0) + std::log1p(e) - y(i) * a;
    if (adjoint) {
      const double sigmoid = a >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
      (*adjoint)(i) = sigmoid - y(i);
    }
  }
  return total;
}

/// The hyperparameters of one training run.
struct Hyperparameters {
  double learning_rate = 1e-3;  ///< Adam's step size (> 0)
  double weight_decay = 1e-4;  ///< L2 coefficient added to the gradient, as torch.optim.Adam (>= 0)
  long width = 32;             ///< units per hidden layer (>= 1)
  long layers = 2;             ///< hidden layers (>= 1)
  prospect::bnn::Activation activation = prospect::bnn::Activation::tanh;
  long batch_size = 32;  ///< points per Adam step (>= 1)
};

/// The search space of the example: learning_rate [1e-4, 0.3] (log), weight_decay
/// [1e-6, 0.1] (log), width 4..128 (log integer), layers 1..3, activation tanh/relu,
/// batch_size 8..128 (log integer).
inline prospect::Space mlp_space() {
  prospect::Space space;
  space.add_real("learning_rate", 1e-4, 0.3, prospect::Scale::log);
  space.add_real("weight_decay", 1e-6, 0.1, prospect::Scale::log);
  space.add_integer("width", 4, 128, prospect::Scale::log);
  space.add_integer("layers", 1, 3);
  space.add_categorical("activation", {"tanh", "relu"});
  space.add_integer("batch_size", 8, 128, prospect::Scale::log);
  return space;
}

/// Reads a point of mlp_space(). Throws as prospect::Params' accessors.
inline Hyperparameters hyperparameters_from(const prospect::Params& p) {
  return {p.real("learning_rate"),
          p.real("weight_decay"),
          p.integer("width"),
          p.integer("layers"),
          prospect::bnn::activation_from_string(p.category("activation")),
          p.integer("batch_size")};
}

/// One training run of an MLP classifier (one logit output), advanced an epoch at a time.
class MLPTraining {
 public:
  /// A network for `hp` with PyTorch's default initialization, drawn, like the epoch
  /// shuffles, from Rng(seed). `data` is shared, not copied. Throws
  /// prospect::InvalidArgument for a null split, invalid hyperparameters (naming them)
  /// or a split without training points.
  MLPTraining(std::shared_ptr<const Split> data, const Hyperparameters& hp, std::uint64_t seed)
      : data_(check(std::move(data), hp)),
        hp_(hp),
        mlp_(architecture(*data_, hp)),
        rng_(seed),
        adam_(mlp_.parameter_count(), {.learning_rate = hp.learning_rate}),
        order_(static_cast<std::size_t>(data_->X_train.rows())),
        grad_(mlp_.parameter_count()) {
    theta_ = mlp_.initial_parameters(rng_);
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<Eigen::Index>(i);
  }

  /// Trains one epoch (a seeded shuffle, then one Adam step per minibatch of the mean
  /// logistic loss plus weight_decay/2 |theta|^2) and returns the mean validation
  /// logistic loss. Non-finite once the run has diverged (parameters overflowed); the
  /// caller should then give the trial up. O(n_train P + n_valid P).
  double epoch() {
    const Split& s = *data_;
    const auto n = static_cast<Eigen::Index>(order_.size());
    for (Eigen::Index i = n - 1; i > 0; --i) {
      const auto j = static_cast<Eigen::Index>(rng_.below(static_cast<std::uint64_t>(i + 1)));
      std::swap(order_[static_cast<std::size_t>(i)], order_[static_cast<std::size_t>(j)]);
    }
    for (Eigen::Index start = 0; start < n; start += hp_.batch_size) {
      const Eigen::Index b = std::min<Eigen::Index>(hp_.batch_size, n - start);
      batch_X_.resize(b, s.X_train.cols());
      batch_y_.resize(b);
      for (Eigen::Index k = 0; k < b; ++k) {
        const Eigen::Index row = order_[static_cast<std::size_t>(start + k)];
        batch_X_.row(k) = s.X_train.row(row);
        batch_y_(k) = s.y_train(row);
      }
      mlp_.forward(theta_, batch_X_, ws_);
      (void)logistic_loss(ws_.pre.back().row(0), batch_y_, &adjoint_);
      adjoint_ /= static_cast<double>(b);  // the mean over the batch
      grad_ = hp_.weight_decay * theta_;
      mlp_.backward(theta_, adjoint_, ws_, grad_);
      adam_.step(theta_, grad_);
    }
    ++epochs_;
    evaluate();
    return loss_;
  }

  /// Epochs trained so far.
  [[nodiscard]] long epochs() const { return epochs_; }
  /// The mean validation logistic loss after the last epoch (log 2 before the first).
  [[nodiscard]] double validation_loss() const { return loss_; }
  /// The fraction of validation points misclassified (logit sign) after the last epoch.
  [[nodiscard]] double validation_error() const { return error_; }
  /// The network's parameters (P = network().parameter_count()).
  [[nodiscard]] const Vector& parameters() const { return theta_; }
  [[nodiscard]] const prospect::bnn::MLP& network() const { return mlp_; }
  [[nodiscard]] const Hyperparameters& hyperparameters() const { return hp_; }

 private:
  static std::shared_ptr<const Split> check(std::shared_ptr<const Split> data,
                                            const Hyperparameters& hp) {
    std::string problems;
    if (!data) problems += " data: got null, expected a Split;";
    if (data && data->X_train.rows() == 0) problems += " data: no training points;";
    if (!(hp.learning_rate > 0.0 && std::isfinite(hp.learning_rate))) {
      problems += " learning_rate: got " + std::to_string(hp.learning_rate) + ", expected > 0;";
    }
    if (!(hp.weight_decay >= 0.0 && std::isfinite(hp.weight_decay))) {
      problems += " weight_decay: got " + std::to_string(hp.weight_decay) + ", expected >= 0;";
    }
    if (hp.width < 1) problems += " width: got " + std::to_string(hp.width) + ", expected >= 1;";
    if (hp.layers < 1) {
      problems += " layers: got " + std::to_string(hp.layers) + ", expected >= 1;";
    }
    if (hp.batch_size < 1) {
      problems += " batch_size: got " + std::to_string(hp.batch_size) + ", expected >= 1;";
    }
    if (!problems.empty()) throw prospect::InvalidArgument("MLPTraining:" + problems);
    return data;
  }

  static prospect::bnn::MLPArchitecture architecture(const Split& s, const Hyperparameters& hp) {
    prospect::bnn::MLPArchitecture a;
    a.inputs = s.X_train.cols();
    a.hidden.assign(static_cast<std::size_t>(hp.layers), hp.width);
    a.outputs = 1;
    a.activation = hp.activation;
    return a;
  }

  void evaluate() {
    const Split& s = *data_;
    mlp_.forward(theta_, s.X_valid, ws_);
    const auto z = ws_.pre.back().row(0);
    loss_ = logistic_loss(z, s.y_valid) / static_cast<double>(s.y_valid.size());
    Eigen::Index wrong = 0;
    for (Eigen::Index i = 0; i < z.size(); ++i) wrong += (z(i) > 0.0) != (s.y_valid(i) > 0.5);
    error_ = static_cast<double>(wrong) / static_cast<double>(z.size());
  }

  std::shared_ptr<const Split> data_;
  Hyperparameters hp_;
  prospect::bnn::MLP mlp_;
  prospect::Rng rng_;
  prospect::bnn::Adam adam_;
  std::vector<Eigen::Index> order_;
  Vector theta_, grad_;
  prospect::bnn::MLPWorkspace ws_;
  Matrix batch_X_;
  Vector batch_y_;
  Eigen::RowVectorXd adjoint_;
  long epochs_ = 0;
  double loss_ = std::log(2.0), error_ = 0.5;
};

}  // namespace prospect_examples
