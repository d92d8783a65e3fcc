// Each prospect error is catchable as prospect::Error and as its std:: base, and
// what() is the message it was built with.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>

#include "prospect/errors.hpp"

namespace {

template <class E, class StdBase>
void check_error() {
  static_assert(std::is_base_of_v<prospect::Error, E>);
  static_assert(std::is_base_of_v<StdBase, E>);
  const std::string message = std::string("parameter \"x\": got 3, expected ") + typeid(E).name();
  bool caught = false;
  try {
    throw E(message);
  } catch (const prospect::Error& e) {
    caught = true;
    CHECK(std::string(e.what()) == message);
  }
  CHECK(caught);
  caught = false;
  try {
    throw E(message);
  } catch (const StdBase& e) {
    caught = true;
    CHECK(std::string(e.what()) == message);
  }
  CHECK(caught);
  caught = false;
  try {
    throw E(message);
  } catch (const std::exception& e) {
    caught = true;
    CHECK(std::string(e.what()) == message);
  }
  CHECK(caught);
  // Copies keep the message.
  const E original(message);
  const E copy = original;
  CHECK(std::string(copy.what()) == message);
}

}  // namespace

TEST_CASE("errors: catchable as prospect::Error, as the std:: base and as std::exception") {
  check_error<prospect::InvalidArgument, std::invalid_argument>();
  check_error<prospect::OutOfRange, std::out_of_range>();
  check_error<prospect::UnknownTrial, std::out_of_range>();
  check_error<prospect::InvalidState, std::logic_error>();
  check_error<prospect::InvalidOptions, std::invalid_argument>();
  check_error<prospect::NumericalError, std::runtime_error>();
  check_error<prospect::StudyFileError, std::runtime_error>();
  check_error<prospect::IoError, std::runtime_error>();
}

TEST_CASE("errors: distinct types are not caught by each other's handlers") {
  bool right = false;
  try {
    throw prospect::UnknownTrial("trial id: got 9, expected an id the study knows");
  } catch (const prospect::OutOfRange&) {
    FAIL("UnknownTrial caught as OutOfRange");
  } catch (const prospect::UnknownTrial&) {
    right = true;
  }
  CHECK(right);
  right = false;
  try {
    throw prospect::InvalidOptions("options: contradictory");
  } catch (const prospect::InvalidArgument&) {
    FAIL("InvalidOptions caught as InvalidArgument");
  } catch (const std::invalid_argument&) {
    right = true;
  }
  CHECK(right);
}
