// prospect/detail/format.hpp — number formatting shared by error messages and reports.
#pragma once

#include <charconv>
#include <string>

namespace prospect::detail {

/// The shortest decimal form that reads back to the same double ("0.1", "nan", "inf").
inline std::string format_number(double v) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, result.ptr);
}

}  // namespace prospect::detail
