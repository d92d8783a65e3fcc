// prospect/params.hpp — parameter definitions and one point of a search space.
//
// A Parameter describes one dimension of a Space; Params holds a value for each
// parameter of a space, with typed, checked access by name. Space (space.hpp)
// creates Params and maps them to and from the unit cube.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace prospect {

/// How a numeric parameter is spread over the unit cube: uniformly in its value
/// (linear) or in its logarithm (log; needs a positive lower bound).
enum class Scale { linear, log };

/// "linear" / "log".
[[nodiscard]] const char* to_string(Scale scale);
/// Parses "linear" / "log"; throws InvalidArgument otherwise.
[[nodiscard]] Scale scale_from_string(const std::string& name);

/// The kind of values a parameter takes.
enum class ParameterType { real, integer, categorical };

/// "real" / "integer" / "categorical".
[[nodiscard]] const char* to_string(ParameterType type);
/// Parses "real" / "integer" / "categorical"; throws InvalidArgument otherwise.
[[nodiscard]] ParameterType parameter_type_from_string(const std::string& name);

/// One dimension of a search space, as Space::add_* built it.
struct Parameter {
  std::string name;
  ParameterType type = ParameterType::real;
  /// Bounds, inclusive, in the user's units. For an integer parameter they are
  /// integral; for a categorical one they are 0 and categories.size() - 1.
  double lower = 0.0;
  double upper = 1.0;
  /// Always Scale::linear for a categorical parameter.
  Scale scale = Scale::linear;
  /// The category names of a categorical parameter, in declaration order; empty otherwise.
  std::vector<std::string> categories;
  /// First column of this parameter in the encoded unit-cube vector.
  Eigen::Index column = 0;
  /// Number of encoded columns: 1, or categories.size() for a categorical (one-hot).
  Eigen::Index width = 1;
  /// A fidelity parameter (Space::add_fidelity / add_fidelity_levels): its columns come
  /// after every design column, and models read it as "how good the evaluation is".
  bool fidelity = false;
  /// The fidelity whose value the study optimizes (user units); 0 for other parameters.
  double target = 0.0;

  bool operator==(const Parameter&) const = default;
};

class Space;

/// A value for each parameter of one Space: a point of the search space in the
/// user's units. Obtained from Space::params() (empty, to fill with set()) or
/// Space::decode(); access is by name, typed and checked.
///
/// A Params shares the parameter definitions of the Space that made it (the
/// space replaces its definitions copy-on-write when a parameter is added, so a
/// Params stays valid after its space grows). Copying is O(number of parameters).
/// Lookups by name are O(number of parameters).
class Params {
 public:
  /// An empty Params bound to no space; every set() throws. Use Space::params().
  Params() = default;

  /// The value of real parameter `name`. Throws InvalidArgument for an unknown
  /// name or a parameter of another type (the message names its type), and
  /// InvalidState when the parameter has no value yet.
  [[nodiscard]] double real(const std::string& name) const;
  /// The value of integer parameter `name`. Throws as real().
  [[nodiscard]] long integer(const std::string& name) const;
  /// The category of categorical parameter `name`. Throws as real().
  [[nodiscard]] const std::string& category(const std::string& name) const;
  /// All values as numbers in declaration order: a real's value, an integer's value,
  /// a categorical's category index. Throws InvalidState when a value is missing.
  [[nodiscard]] std::vector<double> values() const;

  /// Sets real or integer parameter `name`. An integer parameter accepts only an
  /// integral value. Throws InvalidArgument for an unknown name, a categorical
  /// parameter, a non-finite or non-integral value; OutOfRange for a value outside
  /// the bounds. The Params is unchanged on throw.
  Params& set(const std::string& name, double value);
  /// Sets real or integer parameter `name` to an integer value; throws as above.
  Params& set(const std::string& name, long value);
  /// Same as set(name, long).
  Params& set(const std::string& name, int value) { return set(name, static_cast<long>(value)); }
  /// Sets categorical parameter `name`. Throws InvalidArgument for an unknown name
  /// or a numeric parameter, OutOfRange for a category the parameter does not have.
  Params& set(const std::string& name, const std::string& category);
  /// Same as set(name, std::string).
  Params& set(const std::string& name, const char* category) {
    return set(name, std::string(category));
  }

  /// Whether every parameter has a value.
  [[nodiscard]] bool complete() const;
  /// Whether `name` is a parameter of the space and has a value.
  [[nodiscard]] bool has(const std::string& name) const;
  /// The number of parameters that have a value.
  [[nodiscard]] std::size_t size() const;
  /// The parameter definitions (empty when bound to no space).
  [[nodiscard]] const std::vector<Parameter>& parameters() const;

  /// "x=1.5, layers=3, activation=relu" in declaration order (reals in the
  /// shortest form that reads back exactly); a parameter without a value shows "?".
  [[nodiscard]] std::string to_string() const;

  /// Equal when the parameter definitions are equal and every parameter has the
  /// same value (or lacks one in both).
  bool operator==(const Params& other) const;

 private:
  friend class Space;
  explicit Params(std::shared_ptr<const std::vector<Parameter>> parameters);
  [[nodiscard]] std::size_t position(const std::string& name) const;  // throws for unknown names
  [[nodiscard]] std::size_t checked(const std::string& name, ParameterType type) const;
  void assign(std::size_t i, double value);  // bounds-checks, then stores

  std::shared_ptr<const std::vector<Parameter>> parameters_;
  std::vector<double> values_;  // integer exactly; categorical: category index
  std::vector<bool> has_;
};

}  // namespace prospect
