// prospect/space.hpp — the search space and its unit-cube encoding.
//
// Models never see user units: every point is encoded to the unit cube [0, 1]^D
// (D = dimension(), the number of encoded columns) and decoded back at the
// ask/tell boundary.
//
// Encodings, per parameter:
//   real, linear   u = (v - lo) / (hi - lo)
//   real, log      u = (ln v - ln lo) / (ln hi - ln lo)
//   integer, linear  every level gets an interval of equal width:
//                  u = (v - lo + 0.5) / (hi - lo + 1); decode floor(u (hi - lo + 1)), clamped
//   integer, log   the same in log space over [lo - 0.5, hi + 0.5] (lo >= 1):
//                  u = (ln v - ln(lo - 0.5)) / (ln(hi + 0.5) - ln(lo - 0.5)); decode by rounding
//   categorical    one-hot over categories.size() columns; decode takes the argmax
//                  (the first on ties)
//   fidelity, continuous  as a real parameter
//   fidelity, levels      u = (v - lo) / (hi - lo): the levels sit at i / (L - 1), both
//                  ends included (the lowest at 0, the highest at 1, as the fidelity
//                  kernels expect); decode rounds to the nearest level
// Fidelity parameters (multi-fidelity studies) always occupy the LAST columns, after
// every design parameter, in their declaration order, whatever order the parameters
// were added in: models read the last fidelity_dimension() columns as the fidelity.
// decode(encode(p)) == p exactly for integers and categoricals, and to 1e-12
// relative for reals.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "prospect/params.hpp"
#include "prospect/types.hpp"

namespace prospect {

/// An ordered set of named parameters: real, integer (each on a linear or log
/// scale) or categorical. Built with the add_* methods; copying is cheap (the
/// definitions are shared and copied on write).
class Space {
 public:
  /// Integer bounds must lie within +-2^40 so that every level encodes and decodes exactly.
  static constexpr long max_integer_magnitude = 1L << 40;

  Space();

  /// Adds a real parameter on [lower, upper]. Throws InvalidArgument for an empty or
  /// duplicate name, non-finite bounds or width, lower >= upper, or a log scale with
  /// lower <= 0. The space is unchanged on throw. O(size()).
  Space& add_real(const std::string& name, double lower, double upper, Scale scale = Scale::linear);
  /// Adds an integer parameter on {lower, ..., upper} (lower == upper allowed).
  /// Throws InvalidArgument for an empty or duplicate name, lower > upper, bounds
  /// beyond +-max_integer_magnitude, or a log scale with lower < 1. Unchanged on throw.
  Space& add_integer(const std::string& name, long lower, long upper, Scale scale = Scale::linear);
  /// Adds a categorical parameter, one-hot encoded. Throws InvalidArgument for an empty
  /// or duplicate name, fewer than 2 categories, an empty or duplicate category.
  /// Unchanged on throw.
  Space& add_categorical(const std::string& name, std::vector<std::string> categories);

  /// Adds a continuous fidelity parameter on [lower, upper] (e.g. a training-data
  /// fraction, a mesh density, a number of epochs treated as continuous) whose value
  /// `target` is the one the study optimizes; ask() chooses where to evaluate, and best()
  /// recommends at the target. Throws InvalidArgument as add_real, and for a target
  /// outside [lower, upper]. Unchanged on throw. O(size()).
  Space& add_fidelity(const std::string& name, double lower, double upper, double target,
                      Scale scale = Scale::linear);
  /// Adds a discrete fidelity: levels lower, lower + 1, ..., upper (e.g. mesh levels
  /// 0..3, information sources), `target` the one the study optimizes (usually upper).
  /// Read with Params::integer(). Throws InvalidArgument for an empty or duplicate name,
  /// fewer than 2 levels, bounds beyond +-max_integer_magnitude or a target outside
  /// [lower, upper]. Unchanged on throw. O(size()).
  Space& add_fidelity_levels(const std::string& name, long lower, long upper, long target);

  /// Number of parameters.
  [[nodiscard]] std::size_t size() const { return parameters_->size(); }
  /// Whether the space has no parameter.
  [[nodiscard]] bool empty() const { return parameters_->empty(); }
  /// Number of encoded unit-cube columns (a categorical counts one per category).
  [[nodiscard]] Eigen::Index dimension() const { return dimension_; }
  /// Number of fidelity parameters (each one column, the last columns of the encoding).
  [[nodiscard]] Eigen::Index fidelity_dimension() const { return fidelity_dimension_; }
  /// Whether the space has a fidelity parameter (a multi-fidelity study).
  [[nodiscard]] bool has_fidelity() const { return fidelity_dimension_ > 0; }
  /// The encoded targets of the fidelity columns, in column order (size
  /// fidelity_dimension(); empty without fidelities).
  [[nodiscard]] Vector target_fidelity() const;
  /// p with every fidelity parameter set to its target. Throws as validate().
  [[nodiscard]] Params at_target(const Params& p) const;
  /// Whether every fidelity parameter of p is at its target (true without fidelities).
  /// Throws as validate().
  [[nodiscard]] bool is_at_target(const Params& p) const;

  /// The parameters in declaration order.
  [[nodiscard]] const std::vector<Parameter>& parameters() const { return *parameters_; }
  /// The parameter called `name`; throws InvalidArgument listing the known names. O(size()).
  [[nodiscard]] const Parameter& parameter(const std::string& name) const;
  /// The declaration index of `name`; throws InvalidArgument listing the known names. O(size()).
  [[nodiscard]] std::size_t index(const std::string& name) const;

  /// The point p in the unit cube, a vector of dimension(). Throws InvalidArgument
  /// when p is incomplete or from another space (see validate). O(dimension()).
  [[nodiscard]] Vector encode(const Params& p) const;
  /// The point of the space encoded by u (size dimension()). Coordinates are clamped
  /// to [0, 1], integers rounded to their level, categoricals take the argmax of
  /// their one-hot group. Throws InvalidArgument for a wrong size or a NaN. O(dimension()).
  [[nodiscard]] Params decode(VectorCRef u) const;
  /// encode(decode(u)): the nearest feasible encoded point. Throws as decode.
  [[nodiscard]] Vector snap(VectorCRef u) const;
  /// An empty Params bound to this space, to fill with Params::set().
  [[nodiscard]] Params params() const;
  /// Throws InvalidArgument when p does not have a value for every parameter or was
  /// made by a space with different parameters. O(size()).
  void validate(const Params& p) const;

  /// Equal when the parameters (names, types, bounds, scales, categories, order) are equal.
  bool operator==(const Space& other) const;

 private:
  void append(Parameter parameter);  // checks the name, sets column/width, copies on write
  std::shared_ptr<const std::vector<Parameter>> parameters_;
  Eigen::Index dimension_ = 0;
  Eigen::Index fidelity_dimension_ = 0;
};

}  // namespace prospect
