// prospect/surrogates/bnn/mlp.hpp — a small multilayer perceptron with hand-written
// backpropagation (ALGORITHMS.md §5.7), the building block of the HMC and deep-ensemble
// surrogates.
//
// The network holds no parameters: they live in one flat vector `theta` owned by the
// caller (an HMC position, an ensemble member, an Adam state), which the network reads
// through per-layer views. Layer l maps A_l = W_l H_{l-1} + b_l 1^T, H_l = phi(A_l) for
// the hidden layers and is linear at the output. theta stores, layer by layer, W_l
// (out x in, column-major) then b_l.
//
// Points are ROWS of X (n x d), as everywhere in prospect; internally a batch is one
// column per point so that every layer is one matrix product.
//
// Complexity for a batch of n points and P parameters: forward O(n P), backward O(n P)
// (two products per layer), input gradient O(n P). Memory: the activations of every
// layer, O(n sum(widths)), held in a Workspace that the caller reuses so that a hot loop
// (HMC leapfrog, Adam epochs) does not allocate.
//
// Thread safety: every method is const; concurrent calls need separate Workspaces.
#pragma once

#include <string>
#include <vector>

#include "prospect/types.hpp"

namespace prospect {
class Rng;
}

namespace prospect::bnn {

/// Nonlinearity of the hidden layers.
enum class Activation {
  tanh,  ///< smooth; the BNN-BO study's choice (gives smooth input gradients)
  relu   ///< max(0, a); its derivative is taken as 0 at a = 0
};
/// "tanh" / "relu".
[[nodiscard]] const char* to_string(Activation activation);
/// Parses "tanh" / "relu"; throws InvalidArgument otherwise.
[[nodiscard]] Activation activation_from_string(const std::string& name);

/// The shape of a network.
struct MLPArchitecture {
  /// Input dimension d >= 1.
  Eigen::Index inputs = 1;
  /// Widths of the hidden layers, each >= 1; may be empty (a linear model).
  std::vector<Eigen::Index> hidden{64, 64};
  /// Output dimension >= 1 (1: a function value; 2: a mean and a variance head).
  Eigen::Index outputs = 1;
  /// Nonlinearity of every hidden layer.
  Activation activation = Activation::tanh;

  /// Every problem, one message each (empty when valid). Does not throw.
  [[nodiscard]] std::vector<std::string> validate() const;
};

/// Activations of one forward pass, reused between calls.
struct MLPWorkspace {
  Matrix input;              ///< X^T, d x n
  std::vector<Matrix> pre;   ///< A_l, width_l x n, for every layer (the output layer last)
  std::vector<Matrix> post;  ///< H_l = phi(A_l), width_l x n, hidden layers only
  Matrix delta;              ///< scratch for backpropagation
  Matrix delta_next;         ///< scratch for backpropagation
};

/// A multilayer perceptron: pure functions of (theta, X).
class MLP {
 public:
  /// Throws InvalidArgument listing every problem of the architecture.
  explicit MLP(MLPArchitecture architecture);

  [[nodiscard]] const MLPArchitecture& architecture() const { return arch_; }
  /// Number P of parameters (weights and biases of every layer).
  [[nodiscard]] Eigen::Index parameter_count() const { return parameters_; }
  /// Number of layers with parameters (hidden layers + the output layer).
  [[nodiscard]] std::size_t layer_count() const { return widths_.size() - 1; }

  /// PyTorch's nn.Linear default: every weight and bias of a layer with fan-in m drawn
  /// from U(-1/sqrt(m), 1/sqrt(m)). Deterministic for the Rng's state.
  [[nodiscard]] Vector initial_parameters(Rng& rng) const;

  /// The network's outputs at the rows of X (n x d): an n x outputs matrix.
  /// Throws InvalidArgument when theta has not parameter_count() entries or X not
  /// inputs columns.
  [[nodiscard]] Matrix predict(VectorCRef theta, MatrixCRef X) const;

  /// Forward pass keeping the activations in ws; the outputs are ws.pre.back()
  /// (outputs x n, one column per point). Throws as predict().
  void forward(VectorCRef theta, MatrixCRef X, MLPWorkspace& ws) const;

  /// Backward pass after forward() with the same theta and X: given the adjoint of the
  /// outputs, output_bar (outputs x n) = d loss / d outputs, ADDS d loss / d theta to
  /// grad (size P). O(n P).
  void backward(VectorCRef theta, MatrixCRef output_bar, MLPWorkspace& ws,
                Eigen::Ref<Vector> grad) const;

  /// Input vector-Jacobian product after forward() with the same theta and X: returns
  /// the n x d matrix whose row i is sum_k output_bar(k, i) d output_k(x_i) / dx_i.
  /// With output_bar = 1 for one output this is that output's input gradient at every
  /// point. O(n P).
  [[nodiscard]] Matrix input_gradient(VectorCRef theta, MatrixCRef output_bar,
                                      MLPWorkspace& ws) const;

 private:
  void check(VectorCRef theta, const char* caller) const;
  void backpropagate_to_input(VectorCRef theta, MatrixCRef output_bar, MLPWorkspace& ws,
                              double* grad) const;

  MLPArchitecture arch_;
  std::vector<Eigen::Index> widths_;   // inputs, hidden..., outputs
  std::vector<Eigen::Index> offsets_;  // start of layer l's W in theta
  Eigen::Index parameters_ = 0;
};

}  // namespace prospect::bnn
