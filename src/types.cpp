#include "prospect/types.hpp"

#include "prospect/errors.hpp"

namespace prospect {

const char* to_string(Direction direction) {
  return direction == Direction::minimize ? "minimize" : "maximize";
}

Direction direction_from_string(const std::string& name) {
  if (name == "minimize" || name == "min") return Direction::minimize;
  if (name == "maximize" || name == "max") return Direction::maximize;
  throw InvalidArgument("direction: got \"" + name + "\", expected \"minimize\" or \"maximize\"");
}

}  // namespace prospect
