#include "prospect/surrogates/bnn/mlp.hpp"

#include <cmath>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"
#include "prospect/random.hpp"

namespace prospect::bnn {

using detail::format_number;

const char* to_string(Activation activation) {
  return activation == Activation::tanh ? "tanh" : "relu";
}

Activation activation_from_string(const std::string& name) {
  if (name == "tanh") return Activation::tanh;
  if (name == "relu") return Activation::relu;
  throw InvalidArgument("activation: got \"" + name + "\", expected \"tanh\" or \"relu\"");
}

std::vector<std::string> MLPArchitecture::validate() const {
  std::vector<std::string> problems;
  if (inputs < 1) {
    problems.push_back("inputs: got " + std::to_string(inputs) + ", expected >= 1");
  }
  for (std::size_t l = 0; l < hidden.size(); ++l) {
    if (hidden[l] < 1) {
      std::string p = "hidden[";
      p.append(std::to_string(l)).append("]: got ").append(std::to_string(hidden[l]));
      p.append(", expected a width >= 1");
      problems.push_back(p);
    }
  }
  if (outputs < 1) {
    problems.push_back("outputs: got " + std::to_string(outputs) + ", expected >= 1");
  }
  return problems;
}

MLP::MLP(MLPArchitecture architecture) : arch_(std::move(architecture)) {
  const auto problems = arch_.validate();
  if (!problems.empty()) {
    std::string message = "MLP architecture:";
    for (const auto& p : problems) message.append(" ").append(p).append(";");
    throw InvalidArgument(message);
  }
  widths_.push_back(arch_.inputs);
  for (auto w : arch_.hidden) widths_.push_back(w);
  widths_.push_back(arch_.outputs);
  for (std::size_t l = 1; l < widths_.size(); ++l) {
    offsets_.push_back(parameters_);
    parameters_ += widths_[l] * widths_[l - 1] + widths_[l];
  }
}

Vector MLP::initial_parameters(Rng& rng) const {
  Vector theta(parameters_);
  Eigen::Index k = 0;
  for (std::size_t l = 1; l < widths_.size(); ++l) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(widths_[l - 1]));
    const Eigen::Index count = widths_[l] * widths_[l - 1] + widths_[l];
    for (Eigen::Index i = 0; i < count; ++i) theta(k++) = bound * (2.0 * rng.uniform() - 1.0);
  }
  return theta;
}

void MLP::check(VectorCRef theta, const char* caller) const {
  if (theta.size() != parameters_) {
    throw InvalidArgument(std::string(caller) + ": theta has " + std::to_string(theta.size()) +
                          " entries, expected parameter_count() = " + std::to_string(parameters_));
  }
}

namespace {
using ConstMap = Eigen::Map<const Matrix>;
using ConstVecMap = Eigen::Map<const Vector>;
}  // namespace

void MLP::forward(VectorCRef theta, MatrixCRef X, MLPWorkspace& ws) const {
  check(theta, "MLP::forward");
  if (X.cols() != arch_.inputs) {
    throw InvalidArgument("MLP::forward: X has " + std::to_string(X.cols()) +
                          " columns, expected inputs = " + std::to_string(arch_.inputs));
  }
  const std::size_t layers = layer_count();
  ws.input = X.transpose();
  ws.pre.resize(layers);
  ws.post.resize(layers - 1);
  for (std::size_t l = 0; l < layers; ++l) {
    const Eigen::Index out = widths_[l + 1], in = widths_[l];
    const ConstMap W(theta.data() + offsets_[l], out, in);
    const ConstVecMap b(theta.data() + offsets_[l] + out * in, out);
    auto& A = ws.pre[l];
    A.noalias() = W * (l == 0 ? ws.input : ws.post[l - 1]);
    A.colwise() += b;
    if (l + 1 < layers) {
      if (arch_.activation == Activation::tanh) {
        ws.post[l] = A.array().tanh();
      } else {
        ws.post[l] = A.cwiseMax(0.0);
      }
    }
  }
}

Matrix MLP::predict(VectorCRef theta, MatrixCRef X) const {
  MLPWorkspace ws;
  forward(theta, X, ws);
  return ws.pre.back().transpose();
}

// Runs the reverse pass from output_bar down to the first layer. With grad, adds the
// parameter gradient; always leaves d loss / d A_1 in ws.delta (width_1 x n).
void MLP::backpropagate_to_input(VectorCRef theta, MatrixCRef output_bar, MLPWorkspace& ws,
                                 double* grad) const {
  const std::size_t layers = layer_count();
  if (ws.pre.size() != layers || ws.pre.back().cols() != output_bar.cols() ||
      output_bar.rows() != arch_.outputs) {
    throw InvalidArgument("MLP backward: output_bar is " + std::to_string(output_bar.rows()) +
                          " x " + std::to_string(output_bar.cols()) +
                          ", expected outputs x n of the last forward() (call forward first)");
  }
  ws.delta = output_bar;
  for (std::size_t l = layers; l-- > 0;) {
    const Eigen::Index out = widths_[l + 1], in = widths_[l];
    const ConstMap W(theta.data() + offsets_[l], out, in);
    if (grad != nullptr) {
      Eigen::Map<Matrix> gW(grad + offsets_[l], out, in);
      Eigen::Map<Vector> gb(grad + offsets_[l] + out * in, out);
      gW.noalias() += ws.delta * (l == 0 ? ws.input : ws.post[l - 1]).transpose();
      gb += ws.delta.rowwise().sum();
    }
    if (l == 0) break;
    ws.delta_next.noalias() = W.transpose() * ws.delta;
    if (arch_.activation == Activation::tanh) {
      ws.delta_next.array() *= 1.0 - ws.post[l - 1].array().square();
    } else {
      ws.delta_next.array() *= (ws.pre[l - 1].array() > 0.0).cast<double>();
    }
    std::swap(ws.delta, ws.delta_next);
  }
}

void MLP::backward(VectorCRef theta, MatrixCRef output_bar, MLPWorkspace& ws,
                   Eigen::Ref<Vector> grad) const {
  check(theta, "MLP::backward");
  if (grad.size() != parameters_) {
    throw InvalidArgument("MLP::backward: grad has " + std::to_string(grad.size()) +
                          " entries, expected " + std::to_string(parameters_));
  }
  backpropagate_to_input(theta, output_bar, ws, grad.data());
}

Matrix MLP::input_gradient(VectorCRef theta, MatrixCRef output_bar, MLPWorkspace& ws) const {
  check(theta, "MLP::input_gradient");
  backpropagate_to_input(theta, output_bar, ws, nullptr);
  const ConstMap W1(theta.data(), widths_[1], widths_[0]);
  return (W1.transpose() * ws.delta).transpose();
}

}  // namespace prospect::bnn
