// json_io.hpp (private) — JSON forms of Space, Params and Trial for study files.
//
// Forms:
//   Space   {"parameters": [{"name": "x", "type": "real", "lower": 0.0, "upper": 1.0,
//             "scale": "linear"}, {"name": "n", "type": "integer", "lower": 1, "upper": 8,
//             "scale": "log"}, {"name": "c", "type": "categorical", "categories": ["a", "b"]}]}
//   Params  {"x": 0.25, "n": 3, "c": "b"}   (only parameters with a value)
//   Trial   {"id": 0, "status": "complete", "params": {...}, "value": 1.5 (or null),
//            "message": "", "intermediate": [[step, value], ...]}
// A non-finite number (a value is never one in a study, but be robust) is written
// as the string "nan", "inf" or "-inf" and read back.
//
// Every *_from_json validates and throws StudyFileError naming the JSON pointer
// path of the offending element and what was expected. `path` is the pointer of
// the element passed in ("" for the document root).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "prospect/space.hpp"
#include "prospect/trial.hpp"

namespace prospect::detail {

using Json = nlohmann::json;

[[nodiscard]] Json space_to_json(const Space& space);
[[nodiscard]] Space space_from_json(const Json& j, const std::string& path = "");

[[nodiscard]] Json params_to_json(const Params& params);
/// Reads params of `space`; with require_complete every parameter must have a value.
[[nodiscard]] Params params_from_json(const Json& j, const Space& space,
                                      const std::string& path = "", bool require_complete = true);

[[nodiscard]] Json trial_to_json(const Trial& trial);
[[nodiscard]] Trial trial_from_json(const Json& j, const Space& space,
                                    const std::string& path = "");

/// Short names for the *_to_json functions above.
[[nodiscard]] inline Json to_json(const Space& space) {
  return space_to_json(space);
}
[[nodiscard]] inline Json to_json(const Params& params) {
  return params_to_json(params);
}
[[nodiscard]] inline Json to_json(const Trial& trial) {
  return trial_to_json(trial);
}

// Checked accessors for other study-file readers. Each throws StudyFileError
// "study file: at <path>: expected <what>, got <type>".
/// Throws StudyFileError at `path` saying `expected`, describing what `got` is.
[[noreturn]] void fail(const std::string& path, const std::string& expected, const Json& got);
/// The member `key` of object j (j must be an object holding key).
[[nodiscard]] const Json& member(const Json& j, const std::string& key, const std::string& path);
/// The JSON pointer of member `key` / element `index` below `path`.
[[nodiscard]] std::string child(const std::string& path, const std::string& key);
[[nodiscard]] std::string child(const std::string& path, std::size_t index);
const Json& as_object(const Json& j, const std::string& path);
const Json& as_array(const Json& j, const std::string& path);
[[nodiscard]] std::string as_string(const Json& j, const std::string& path);
[[nodiscard]] bool as_bool(const Json& j, const std::string& path);
/// A number; also the strings "nan", "inf", "-inf".
[[nodiscard]] double as_number(const Json& j, const std::string& path);
/// An integer (an integral float is accepted too).
[[nodiscard]] long as_integer(const Json& j, const std::string& path);
[[nodiscard]] std::uint64_t as_unsigned(const Json& j, const std::string& path);
/// A number as JSON: finite as a number, non-finite as "nan" / "inf" / "-inf".
[[nodiscard]] Json number_to_json(double v);

}  // namespace prospect::detail
