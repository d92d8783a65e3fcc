// JSON forms of Space, Params and Trial, with path-naming validation.
#include "json_io.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "prospect/errors.hpp"

namespace prospect::detail {

namespace {

std::string shown(const std::string& path) {
  return path.empty() ? "/" : path;
}

// A short description of a JSON value for error messages.
std::string describe(const Json& j) {
  std::string text = j.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return std::string(j.type_name()) + " " + text;
}

}  // namespace

void fail(const std::string& path, const std::string& expected, const Json& got) {
  throw StudyFileError("study file: at " + shown(path) + ": expected " + expected + ", got " +
                       describe(got));
}

std::string child(const std::string& path, const std::string& key) {
  // JSON pointer escaping (RFC 6901): ~ -> ~0, / -> ~1.
  std::string escaped;
  for (char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return path + "/" + escaped;
}

std::string child(const std::string& path, std::size_t index) {
  return path + "/" + std::to_string(index);
}

const Json& as_object(const Json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "an object", j);
  return j;
}

const Json& as_array(const Json& j, const std::string& path) {
  if (!j.is_array()) fail(path, "an array", j);
  return j;
}

const Json& member(const Json& j, const std::string& key, const std::string& path) {
  as_object(j, path);
  const auto it = j.find(key);
  if (it == j.end()) {
    throw StudyFileError("study file: at " + shown(path) + ": expected a member \"" + key +
                         "\", found none");
  }
  return *it;
}

std::string as_string(const Json& j, const std::string& path) {
  if (!j.is_string()) fail(path, "a string", j);
  return j.get<std::string>();
}

bool as_bool(const Json& j, const std::string& path) {
  if (!j.is_boolean()) fail(path, "true or false", j);
  return j.get<bool>();
}

double as_number(const Json& j, const std::string& path) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  fail(path, "a number", j);
}

long as_integer(const Json& j, const std::string& path) {
  if (j.is_number_unsigned()) {
    const auto v = j.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<long>::max())) {
      fail(path, "an integer that fits a long", j);
    }
    return static_cast<long>(v);
  }
  if (j.is_number_integer()) return j.get<long>();
  if (j.is_number_float()) {
    const double v = j.get<double>();
    // 2^62 bounds the values a double can hold exactly as a long here.
    if (std::isfinite(v) && v == std::floor(v) && std::abs(v) < 0x1.0p62)
      return static_cast<long>(v);
  }
  fail(path, "an integer", j);
}

std::uint64_t as_unsigned(const Json& j, const std::string& path) {
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  if (j.is_number_integer() && j.get<long>() >= 0) return static_cast<std::uint64_t>(j.get<long>());
  fail(path, "a non-negative integer", j);
}

Json number_to_json(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

// ---- Space ------------------------------------------------------------------

Json space_to_json(const Space& space) {
  Json list = Json::array();
  for (const auto& p : space.parameters()) {
    Json entry = {{"name", p.name}, {"type", to_string(p.type)}};
    switch (p.type) {
      case ParameterType::real:
        entry["lower"] = p.lower;
        entry["upper"] = p.upper;
        entry["scale"] = to_string(p.scale);
        break;
      case ParameterType::integer:
        entry["lower"] = static_cast<long>(p.lower);
        entry["upper"] = static_cast<long>(p.upper);
        entry["scale"] = to_string(p.scale);
        break;
      case ParameterType::categorical:
        entry["categories"] = p.categories;
        break;
    }
    if (p.fidelity) {
      entry["fidelity"] = true;
      entry["target"] = p.target;
    }
    list.push_back(std::move(entry));
  }
  return Json{{"parameters", std::move(list)}};
}

Space space_from_json(const Json& j, const std::string& path) {
  const std::string list_path = child(path, "parameters");
  const Json& list = as_array(member(j, "parameters", path), list_path);
  Space space;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = child(list_path, i);
    const Json& entry = as_object(list[i], at);
    const std::string name = as_string(member(entry, "name", at), child(at, "name"));
    const std::string type_name = as_string(member(entry, "type", at), child(at, "type"));
    try {
      const ParameterType type = parameter_type_from_string(type_name);
      if (type == ParameterType::categorical) {
        const std::string cat_path = child(at, "categories");
        const Json& cats = as_array(member(entry, "categories", at), cat_path);
        std::vector<std::string> categories;
        for (std::size_t k = 0; k < cats.size(); ++k) {
          categories.push_back(as_string(cats[k], child(cat_path, k)));
        }
        space.add_categorical(name, std::move(categories));
        continue;
      }
      Scale scale = Scale::linear;
      if (entry.contains("scale")) {
        scale = scale_from_string(as_string(entry["scale"], child(at, "scale")));
      }
      const bool fidelity = entry.contains("fidelity") && entry["fidelity"].is_boolean() &&
                            entry["fidelity"].get<bool>();
      if (fidelity && type == ParameterType::real) {
        space.add_fidelity(name, as_number(member(entry, "lower", at), child(at, "lower")),
                           as_number(member(entry, "upper", at), child(at, "upper")),
                           as_number(member(entry, "target", at), child(at, "target")), scale);
      } else if (fidelity) {
        space.add_fidelity_levels(name, as_integer(member(entry, "lower", at), child(at, "lower")),
                                  as_integer(member(entry, "upper", at), child(at, "upper")),
                                  as_integer(member(entry, "target", at), child(at, "target")));
      } else if (type == ParameterType::real) {
        space.add_real(name, as_number(member(entry, "lower", at), child(at, "lower")),
                       as_number(member(entry, "upper", at), child(at, "upper")), scale);
      } else {
        space.add_integer(name, as_integer(member(entry, "lower", at), child(at, "lower")),
                          as_integer(member(entry, "upper", at), child(at, "upper")), scale);
      }
    } catch (const InvalidArgument& e) {
      throw StudyFileError("study file: at " + shown(at) + ": invalid parameter: " + e.what());
    }
  }
  return space;
}

// ---- Params -----------------------------------------------------------------

Json params_to_json(const Params& params) {
  Json out = Json::object();
  for (const auto& p : params.parameters()) {
    if (!params.has(p.name)) continue;
    switch (p.type) {
      case ParameterType::real:
        out[p.name] = params.real(p.name);
        break;
      case ParameterType::integer:
        out[p.name] = params.integer(p.name);
        break;
      case ParameterType::categorical:
        out[p.name] = params.category(p.name);
        break;
    }
  }
  return out;
}

Params params_from_json(const Json& j, const Space& space, const std::string& path,
                        bool require_complete) {
  as_object(j, path);
  Params params = space.params();
  for (const auto& [key, value] : j.items()) {
    const std::string at = child(path, key);
    const Parameter* parameter = nullptr;
    for (const auto& p : space.parameters()) {
      if (p.name == key) parameter = &p;
    }
    if (parameter == nullptr) {
      throw StudyFileError("study file: at " + shown(at) + ": \"" + key +
                           "\" is not a parameter of the study's space");
    }
    try {
      switch (parameter->type) {
        case ParameterType::real:
          if (!value.is_number()) fail(at, "a number", value);
          params.set(key, value.get<double>());
          break;
        case ParameterType::integer:
          params.set(key, as_integer(value, at));
          break;
        case ParameterType::categorical:
          params.set(key, as_string(value, at));
          break;
      }
    } catch (const InvalidArgument& e) {
      throw StudyFileError("study file: at " + shown(at) + ": " + e.what());
    } catch (const OutOfRange& e) {
      throw StudyFileError("study file: at " + shown(at) + ": " + e.what());
    }
  }
  if (require_complete && !params.complete()) {
    std::string missing;
    for (const auto& p : space.parameters()) {
      if (!params.has(p.name)) missing += (missing.empty() ? "" : ", ") + p.name;
    }
    throw StudyFileError("study file: at " + shown(path) +
                         ": expected a value for every parameter, missing " + missing);
  }
  return params;
}

// ---- Trial ------------------------------------------------------------------

Json trial_to_json(const Trial& trial) {
  Json intermediate = Json::array();
  for (const auto& [step, value] : trial.intermediate) {
    intermediate.push_back(Json::array({step, number_to_json(value)}));
  }
  return Json{{"id", trial.id},
              {"status", to_string(trial.status)},
              {"params", params_to_json(trial.params)},
              {"value", trial.value ? number_to_json(*trial.value) : Json(nullptr)},
              {"message", trial.message},
              {"cost", trial.cost ? number_to_json(*trial.cost) : Json(nullptr)},
              {"intermediate", std::move(intermediate)}};
}

Trial trial_from_json(const Json& j, const Space& space, const std::string& path) {
  as_object(j, path);
  Trial trial;
  trial.id = as_unsigned(member(j, "id", path), child(path, "id"));
  const std::string status_path = child(path, "status");
  const std::string status = as_string(member(j, "status", path), status_path);
  try {
    trial.status = trial_status_from_string(status);
  } catch (const InvalidArgument& e) {
    throw StudyFileError("study file: at " + status_path + ": " + e.what());
  }
  trial.params = params_from_json(member(j, "params", path), space, child(path, "params"));
  if (j.contains("value") && !j["value"].is_null()) {
    trial.value = as_number(j["value"], child(path, "value"));
  }
  if (trial.status == TrialStatus::complete && !trial.value) {
    throw StudyFileError("study file: at " + shown(path) +
                         ": expected a \"value\" for a complete trial, found none");
  }
  if (j.contains("message")) trial.message = as_string(j["message"], child(path, "message"));
  if (j.contains("cost") && !j["cost"].is_null()) {
    trial.cost = as_number(j["cost"], child(path, "cost"));
  }
  if (j.contains("intermediate")) {
    const std::string list_path = child(path, "intermediate");
    const Json& list = as_array(j["intermediate"], list_path);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = child(list_path, i);
      if (!list[i].is_array() || list[i].size() != 2) fail(at, "a [step, value] pair", list[i]);
      trial.intermediate.emplace_back(as_integer(list[i][0], child(at, 0)),
                                      as_number(list[i][1], child(at, 1)));
    }
  }
  return trial;
}

}  // namespace prospect::detail
