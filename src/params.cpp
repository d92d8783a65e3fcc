// Params: typed, checked access to one point of a search space.
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "prospect/detail/format.hpp"
#include "prospect/errors.hpp"
#include "prospect/space.hpp"

namespace prospect {

namespace {

using detail::format_number;

const std::vector<Parameter>& no_parameters() {
  static const std::vector<Parameter> empty;
  return empty;
}

}  // namespace

const char* to_string(Scale scale) {
  return scale == Scale::log ? "log" : "linear";
}

Scale scale_from_string(const std::string& name) {
  if (name == "linear") return Scale::linear;
  if (name == "log") return Scale::log;
  throw InvalidArgument("scale: got \"" + name + "\", expected \"linear\" or \"log\"");
}

const char* to_string(ParameterType type) {
  switch (type) {
    case ParameterType::real:
      return "real";
    case ParameterType::integer:
      return "integer";
    case ParameterType::categorical:
      return "categorical";
  }
  return "unknown";
}

ParameterType parameter_type_from_string(const std::string& name) {
  if (name == "real") return ParameterType::real;
  if (name == "integer") return ParameterType::integer;
  if (name == "categorical") return ParameterType::categorical;
  throw InvalidArgument("parameter type: got \"" + name +
                        "\", expected \"real\", \"integer\" or \"categorical\"");
}

Params::Params(std::shared_ptr<const std::vector<Parameter>> parameters)
    : parameters_(std::move(parameters)),
      values_(parameters_->size(), 0.0),
      has_(parameters_->size(), false) {}

const std::vector<Parameter>& Params::parameters() const {
  return parameters_ ? *parameters_ : no_parameters();
}

std::size_t Params::position(const std::string& name) const {
  const auto& ps = parameters();
  for (std::size_t i = 0; i < ps.size(); ++i) {
    if (ps[i].name == name) return i;
  }
  std::string known;
  for (const auto& p : ps) known += (known.empty() ? "" : ", ") + p.name;
  throw InvalidArgument(
      "parameter name: got \"" + name + "\", expected one of the space's names (" +
      (known.empty() ? std::string("none: this Params is bound to no space") : known) + ")");
}

std::size_t Params::checked(const std::string& name, ParameterType type) const {
  const std::size_t i = position(name);
  const Parameter& p = (*parameters_)[i];
  if (p.type != type) {
    throw InvalidArgument("parameter \"" + name + "\" is " + prospect::to_string(p.type) +
                          ", not " + prospect::to_string(type) + "; use Params::" +
                          (p.type == ParameterType::real      ? "real"
                           : p.type == ParameterType::integer ? "integer"
                                                              : "category") +
                          "()");
  }
  if (!has_[i]) throw InvalidState("parameter \"" + name + "\" has no value yet; set() it first");
  return i;
}

double Params::real(const std::string& name) const {
  return values_[checked(name, ParameterType::real)];
}

long Params::integer(const std::string& name) const {
  return static_cast<long>(values_[checked(name, ParameterType::integer)]);
}

const std::string& Params::category(const std::string& name) const {
  const std::size_t i = checked(name, ParameterType::categorical);
  return (*parameters_)[i].categories[static_cast<std::size_t>(values_[i])];
}

std::vector<double> Params::values() const {
  if (!complete()) {
    std::string missing;
    const auto& ps = parameters();
    for (std::size_t i = 0; i < ps.size(); ++i) {
      if (!has_[i]) missing += (missing.empty() ? "" : ", ") + ps[i].name;
    }
    throw InvalidState("Params::values: parameters without a value: " + missing);
  }
  return values_;
}

void Params::assign(std::size_t i, double value) {
  const Parameter& p = (*parameters_)[i];
  if (!std::isfinite(value)) {
    throw InvalidArgument("parameter \"" + p.name + "\": got " + format_number(value) +
                          ", expected a finite number");
  }
  if (p.type == ParameterType::integer && value != std::floor(value)) {
    throw InvalidArgument("parameter \"" + p.name + "\" is integer: got " + format_number(value) +
                          ", expected an integral value");
  }
  if (value < p.lower || value > p.upper) {
    throw OutOfRange("parameter \"" + p.name + "\": got " + format_number(value) +
                     ", expected a value in [" + format_number(p.lower) + ", " +
                     format_number(p.upper) + "]");
  }
  values_[i] = value;
  has_[i] = true;
}

Params& Params::set(const std::string& name, double value) {
  const std::size_t i = position(name);
  if ((*parameters_)[i].type == ParameterType::categorical) {
    throw InvalidArgument("parameter \"" + name + "\" is categorical: got the number " +
                          format_number(value) + ", expected a category name");
  }
  assign(i, value);
  return *this;
}

Params& Params::set(const std::string& name, long value) {
  const std::size_t i = position(name);
  if ((*parameters_)[i].type == ParameterType::categorical) {
    throw InvalidArgument("parameter \"" + name + "\" is categorical: got the number " +
                          std::to_string(value) + ", expected a category name");
  }
  const Parameter& p = (*parameters_)[i];
  // Compare as integers first: a long beyond 2^53 would round when converted.
  if (p.type == ParameterType::integer &&
      (value < static_cast<long>(p.lower) || value > static_cast<long>(p.upper))) {
    throw OutOfRange("parameter \"" + name + "\": got " + std::to_string(value) +
                     ", expected a value in [" + format_number(p.lower) + ", " +
                     format_number(p.upper) + "]");
  }
  assign(i, static_cast<double>(value));
  return *this;
}

Params& Params::set(const std::string& name, const std::string& category) {
  const std::size_t i = position(name);
  const Parameter& p = (*parameters_)[i];
  if (p.type != ParameterType::categorical) {
    throw InvalidArgument("parameter \"" + name + "\" is " + prospect::to_string(p.type) +
                          ": got the string \"" + category + "\", expected a number");
  }
  for (std::size_t k = 0; k < p.categories.size(); ++k) {
    if (p.categories[k] == category) {
      values_[i] = static_cast<double>(k);
      has_[i] = true;
      return *this;
    }
  }
  std::string known;
  for (const auto& c : p.categories) known += (known.empty() ? "" : ", ") + c;
  throw OutOfRange("parameter \"" + name + "\": got category \"" + category +
                   "\", expected one of " + known);
}

bool Params::complete() const {
  for (bool h : has_) {
    if (!h) return false;
  }
  return true;
}

bool Params::has(const std::string& name) const {
  const auto& ps = parameters();
  for (std::size_t i = 0; i < ps.size(); ++i) {
    if (ps[i].name == name) return has_[i];
  }
  return false;
}

std::size_t Params::size() const {
  std::size_t n = 0;
  for (bool h : has_) n += h ? 1 : 0;
  return n;
}

std::string Params::to_string() const {
  std::string out;
  const auto& ps = parameters();
  for (std::size_t i = 0; i < ps.size(); ++i) {
    if (i > 0) out += ", ";
    out += ps[i].name + "=";
    if (!has_[i]) {
      out += "?";
    } else if (ps[i].type == ParameterType::categorical) {
      out += ps[i].categories[static_cast<std::size_t>(values_[i])];
    } else {
      out += format_number(values_[i]);
    }
  }
  return out;
}

bool Params::operator==(const Params& other) const {
  if (parameters_ != other.parameters_ && parameters() != other.parameters()) return false;
  if (has_ != other.has_) return false;
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (has_[i] && values_[i] != other.values_[i]) return false;
  }
  return true;
}

}  // namespace prospect
