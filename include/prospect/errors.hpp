// prospect/errors.hpp — the typed errors every public function throws.
//
// Each error derives from prospect::Error (catch everything prospect throws) and from
// the matching std:: exception (catch it the standard way). Messages name the
// parameter, the value and what was expected. A function that throws leaves the
// object it was called on exactly as it was.
#pragma once

#include <stdexcept>
#include <string>

namespace prospect {

/// Base of every error prospect throws. Not derived from std::exception itself so
/// that the concrete errors can derive from the matching std:: exception without an
/// ambiguous base; what() is forwarded.
class Error {
 public:
  virtual ~Error() = default;
  /// The message: what was wrong, the value given, and what was expected.
  [[nodiscard]] virtual const char* what() const noexcept = 0;
};

namespace detail {
template <class StdException>
class ErrorOf : public StdException, public Error {
 public:
  explicit ErrorOf(const std::string& message) : StdException(message) {}
  [[nodiscard]] const char* what() const noexcept override { return StdException::what(); }
};
}  // namespace detail

/// A parameter had a wrong value or type (wrong dimension, unknown name, NaN ...).
class InvalidArgument : public detail::ErrorOf<std::invalid_argument> {
  using ErrorOf::ErrorOf;
};
/// A value lies outside the range its parameter allows (bounds, levels, indices).
class OutOfRange : public detail::ErrorOf<std::out_of_range> {
  using ErrorOf::ErrorOf;
};
/// A trial id the study does not know.
class UnknownTrial : public detail::ErrorOf<std::out_of_range> {
  using ErrorOf::ErrorOf;
};
/// A call not allowed in the current state (telling a trial twice, best() of an
/// empty study, asking a surrogate before fit()).
class InvalidState : public detail::ErrorOf<std::logic_error> {
  using ErrorOf::ErrorOf;
};
/// Options that contradict each other or cannot work; Options::validate() lists them.
class InvalidOptions : public detail::ErrorOf<std::invalid_argument> {
  using ErrorOf::ErrorOf;
};
/// A numerical failure that could not be repaired (a matrix that stays indefinite
/// after jitter escalation, a non-finite likelihood everywhere).
class NumericalError : public detail::ErrorOf<std::runtime_error> {
  using ErrorOf::ErrorOf;
};
/// A study file that is missing, truncated, corrupt, of another format or version.
class StudyFileError : public detail::ErrorOf<std::runtime_error> {
  using ErrorOf::ErrorOf;
};
/// A GPU was required (Device::cuda) but none is usable, or a CUDA, cuBLAS or cuSOLVER
/// call failed (out of device memory, a driver error). The message names the call.
class DeviceError : public detail::ErrorOf<std::runtime_error> {
  using ErrorOf::ErrorOf;
};
/// A file could not be written or read (permissions, disk full).
class IoError : public detail::ErrorOf<std::runtime_error> {
  using ErrorOf::ErrorOf;
};

}  // namespace prospect
