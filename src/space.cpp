// Space: parameter definitions, validation and the unit-cube encoding.
#include "prospect/space.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <utility>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"

namespace prospect {

namespace {

using detail::format_number;

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// ln of the integer cell edges of a log-scaled integer parameter.
double log_edge_low(const Parameter& p) {
  return std::log(p.lower - 0.5);
}
double log_edge_high(const Parameter& p) {
  return std::log(p.upper + 0.5);
}

}  // namespace

Space::Space() : parameters_(std::make_shared<const std::vector<Parameter>>()) {}

void Space::append(Parameter parameter) {
  if (parameter.name.empty()) {
    throw InvalidArgument("parameter name: got an empty string, expected a non-empty name");
  }
  for (const auto& p : *parameters_) {
    if (p.name == parameter.name) {
      throw InvalidArgument("parameter name: got " + quoted(parameter.name) +
                            ", expected a name not already in the space");
    }
  }
  parameter.width = parameter.type == ParameterType::categorical
                        ? static_cast<Eigen::Index>(parameter.categories.size())
                        : 1;
  // Copy on write: Params made earlier keep the old definitions alive and valid.
  auto grown = std::make_shared<std::vector<Parameter>>(*parameters_);
  grown->push_back(std::move(parameter));
  // Design columns first, then the fidelity columns: models find the fidelity at the end.
  Eigen::Index column = 0;
  Eigen::Index fidelities = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& p : *grown) {
      if (p.fidelity != (pass == 1)) continue;
      p.column = column;
      column += p.width;
      fidelities += p.fidelity ? 1 : 0;
    }
  }
  dimension_ = column;
  fidelity_dimension_ = fidelities;
  parameters_ = std::move(grown);
}

Space& Space::add_real(const std::string& name, double lower, double upper, Scale scale) {
  const std::string what = "real parameter " + quoted(name);
  if (!std::isfinite(lower) || !std::isfinite(upper)) {
    throw InvalidArgument(what + ": got bounds [" + format_number(lower) + ", " +
                          format_number(upper) + "], expected finite bounds");
  }
  if (!(lower < upper)) {
    throw InvalidArgument(what + ": got bounds [" + format_number(lower) + ", " +
                          format_number(upper) + "], expected lower < upper");
  }
  if (!std::isfinite(upper - lower)) {
    throw InvalidArgument(what + ": got bounds [" + format_number(lower) + ", " +
                          format_number(upper) + "], expected a width upper - lower below " +
                          format_number(std::numeric_limits<double>::max()));
  }
  if (scale == Scale::log && !(lower > 0.0)) {
    throw InvalidArgument(what + ": got lower bound " + format_number(lower) +
                          " with a log scale, expected lower > 0");
  }
  append(Parameter{name, ParameterType::real, lower, upper, scale, {}, 0, 1});
  return *this;
}

Space& Space::add_integer(const std::string& name, long lower, long upper, Scale scale) {
  const std::string what = "integer parameter " + quoted(name);
  const std::string bounds =
      std::string("[") + std::to_string(lower) + ", " + std::to_string(upper) + "]";
  if (lower > upper) {
    throw InvalidArgument(what + ": got bounds " + bounds + ", expected lower <= upper");
  }
  if (lower < -max_integer_magnitude || upper > max_integer_magnitude) {
    throw InvalidArgument(what + ": got bounds " + bounds + ", expected bounds within +-2^40 (" +
                          std::to_string(max_integer_magnitude) + ")");
  }
  if (scale == Scale::log && lower < 1) {
    throw InvalidArgument(what + ": got lower bound " + std::to_string(lower) +
                          " with a log scale, expected lower >= 1");
  }
  append(Parameter{name,
                   ParameterType::integer,
                   static_cast<double>(lower),
                   static_cast<double>(upper),
                   scale,
                   {},
                   0,
                   1});
  return *this;
}

Space& Space::add_categorical(const std::string& name, std::vector<std::string> categories) {
  const std::string what = "categorical parameter " + quoted(name);
  if (categories.size() < 2) {
    throw InvalidArgument(what + ": got " + std::to_string(categories.size()) +
                          " categories, expected at least 2");
  }
  std::set<std::string> seen;
  for (const auto& c : categories) {
    if (c.empty())
      throw InvalidArgument(what + ": got an empty category, expected non-empty names");
    if (!seen.insert(c).second) {
      throw InvalidArgument(what + ": got category " + quoted(c) +
                            " twice, expected distinct categories");
    }
  }
  const double upper = static_cast<double>(categories.size() - 1);
  append(Parameter{name, ParameterType::categorical, 0.0, upper, Scale::linear,
                   std::move(categories), 0, 1});
  return *this;
}

Space& Space::add_fidelity(const std::string& name, double lower, double upper, double target,
                           Scale scale) {
  if (!(target >= lower && target <= upper)) {
    throw InvalidArgument("fidelity parameter " + quoted(name) + ": got target " +
                          format_number(target) + ", expected a value in [" + format_number(lower) +
                          ", " + format_number(upper) + "]");
  }
  Space grown = *this;  // add_real validates; nothing changes here on throw
  grown.add_real(name, lower, upper, scale);
  Parameter p = grown.parameters().back();
  p.fidelity = true;
  p.target = target;
  append(std::move(p));
  return *this;
}

Space& Space::add_fidelity_levels(const std::string& name, long lower, long upper, long target) {
  const std::string what = "fidelity parameter " + quoted(name);
  const std::string bounds =
      std::string("[") + std::to_string(lower) + ", " + std::to_string(upper) + "]";
  if (!(lower < upper)) {
    throw InvalidArgument(what + ": got levels " + bounds +
                          ", expected at least 2 levels (lower < upper)");
  }
  if (target < lower || target > upper) {
    throw InvalidArgument(what + ": got target " + std::to_string(target) +
                          ", expected a level in " + bounds);
  }
  Space grown = *this;
  grown.add_integer(name, lower, upper);
  Parameter p = grown.parameters().back();
  p.fidelity = true;
  p.target = static_cast<double>(target);
  append(std::move(p));
  return *this;
}

Vector Space::target_fidelity() const {
  Vector target(fidelity_dimension_);
  for (const auto& p : *parameters_) {
    if (!p.fidelity) continue;
    const double v = p.target;
    double u = 0.0;
    if (p.type == ParameterType::integer) {
      u = (v - p.lower) / (p.upper - p.lower);
    } else {
      u = p.scale == Scale::log
              ? (std::log(v) - std::log(p.lower)) / (std::log(p.upper) - std::log(p.lower))
              : (v - p.lower) / (p.upper - p.lower);
    }
    target(p.column - (dimension_ - fidelity_dimension_)) = std::clamp(u, 0.0, 1.0);
  }
  return target;
}

Params Space::at_target(const Params& p) const {
  validate(p);
  Params out = p;
  for (std::size_t i = 0; i < size(); ++i) {
    if ((*parameters_)[i].fidelity) out.values_[i] = (*parameters_)[i].target;
  }
  return out;
}

bool Space::is_at_target(const Params& p) const {
  validate(p);
  for (std::size_t i = 0; i < size(); ++i) {
    if ((*parameters_)[i].fidelity && p.values_[i] != (*parameters_)[i].target) return false;
  }
  return true;
}

std::size_t Space::index(const std::string& name) const {
  const auto& ps = *parameters_;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    if (ps[i].name == name) return i;
  }
  std::string known;
  for (const auto& p : ps) known += (known.empty() ? "" : ", ") + p.name;
  throw InvalidArgument("parameter name: got " + quoted(name) +
                        ", expected one of the space's names (" +
                        (known.empty() ? std::string("none: the space is empty") : known) + ")");
}

const Parameter& Space::parameter(const std::string& name) const {
  return (*parameters_)[index(name)];
}

Params Space::params() const {
  return Params(parameters_);
}

void Space::validate(const Params& p) const {
  if (p.parameters_ != parameters_ && p.parameters() != *parameters_) {
    throw InvalidArgument("params: got a point of another space (" + p.to_string() +
                          "), expected a point of this space (from Space::params() or decode())");
  }
  if (!p.complete()) {
    std::string missing;
    for (std::size_t i = 0; i < size(); ++i) {
      if (!p.has_[i]) missing += (missing.empty() ? "" : ", ") + (*parameters_)[i].name;
    }
    throw InvalidArgument("params: no value for " + missing +
                          ", expected a value for every parameter");
  }
}

Vector Space::encode(const Params& p) const {
  validate(p);
  Vector u = Vector::Zero(dimension_);
  for (std::size_t i = 0; i < size(); ++i) {
    const Parameter& q = (*parameters_)[i];
    const double v = p.values_[i];
    switch (q.type) {
      case ParameterType::real:
        u(q.column) = q.scale == Scale::log ? (std::log(v) - std::log(q.lower)) /
                                                  (std::log(q.upper) - std::log(q.lower))
                                            : (v - q.lower) / (q.upper - q.lower);
        break;
      case ParameterType::integer:
        if (q.fidelity) {
          u(q.column) = (v - q.lower) / (q.upper - q.lower);  // levels at i / (L - 1)
        } else if (q.scale == Scale::log) {
          const double a = log_edge_low(q);
          u(q.column) = (std::log(v) - a) / (log_edge_high(q) - a);
        } else {
          u(q.column) = (v - q.lower + 0.5) / (q.upper - q.lower + 1.0);
        }
        break;
      case ParameterType::categorical:
        u(q.column + static_cast<Eigen::Index>(v)) = 1.0;
        break;
    }
    u(q.column) = std::clamp(u(q.column), 0.0, 1.0);  // guards rounding at the ends
  }
  return u;
}

Params Space::decode(VectorCRef u) const {
  if (u.size() != dimension_) {
    throw InvalidArgument("decode: got a vector of size " + std::to_string(u.size()) +
                          ", expected the space's dimension " + std::to_string(dimension_));
  }
  for (Eigen::Index j = 0; j < u.size(); ++j) {
    if (std::isnan(u(j))) {
      throw InvalidArgument("decode: got NaN at column " + std::to_string(j) +
                            ", expected numbers (clamped to [0, 1])");
    }
  }
  Params p(parameters_);
  for (std::size_t i = 0; i < size(); ++i) {
    const Parameter& q = (*parameters_)[i];
    const double x = std::clamp(u(q.column), 0.0, 1.0);
    double v = 0.0;
    switch (q.type) {
      case ParameterType::real:
        v = q.scale == Scale::log
                ? std::exp(std::log(q.lower) + x * (std::log(q.upper) - std::log(q.lower)))
                : q.lower + x * (q.upper - q.lower);
        v = std::clamp(v, q.lower, q.upper);
        break;
      case ParameterType::integer:
        if (q.fidelity) {
          v = std::round(q.lower + x * (q.upper - q.lower));
        } else if (q.scale == Scale::log) {
          const double a = log_edge_low(q);
          v = std::round(std::exp(a + x * (log_edge_high(q) - a)));
        } else {
          const double levels = q.upper - q.lower + 1.0;
          // x == 1 would give one level past the top: the clamp maps it to upper.
          v = q.lower + std::floor(x * levels);
        }
        v = std::clamp(v, q.lower, q.upper);
        break;
      case ParameterType::categorical: {
        const auto group = u.segment(q.column, q.width);
        Eigen::Index best = 0;
        // Strict > keeps the first of tied maxima; compare clamped values so that
        // everything >= 1 ties, as it would after clamping the whole vector.
        for (Eigen::Index k = 1; k < q.width; ++k) {
          if (std::clamp(group(k), 0.0, 1.0) > std::clamp(group(best), 0.0, 1.0)) best = k;
        }
        v = static_cast<double>(best);
        break;
      }
    }
    p.values_[i] = v;
    p.has_[i] = true;
  }
  return p;
}

Vector Space::snap(VectorCRef u) const {
  return encode(decode(u));
}

bool Space::operator==(const Space& other) const {
  return parameters_ == other.parameters_ || *parameters_ == *other.parameters_;
}

}  // namespace prospect
