// Private: Options <-> JSON for study files. Built-in components are written by
// name and settings; a user's own Surrogate or Acquisition cannot be written and
// must be passed again to Optimizer::load.
#pragma once

#include <nlohmann/json.hpp>

#include "prospect/options.hpp"

namespace prospect::detail {

[[nodiscard]] nlohmann::json options_to_json(const Options& options);
/// Reads options written by options_to_json. A user's own surrogate or acquisition
/// recorded in the file is taken from `user` (StudyFileError when `user` lacks it).
[[nodiscard]] Options options_from_json(const nlohmann::json& j, const Options& user);

}  // namespace prospect::detail
