#pragma once
// Tests of failure paths check two things: that a heed::Error (not a crash, not another
// exception type) comes out, and that its message says what is wrong.
#include <heed/error.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace heed_test {

// The message of the heed::Error that `action` throws; fails the test if it throws none.
// Any other exception propagates, and doctest reports it as a failure.
template <typename Action>
std::string error_message(Action&& action) {
  try {
    action();
  } catch (const heed::Error& error) {
    return error.what();
  }
  FAIL_CHECK("expected a heed::Error; nothing was thrown");
  return {};
}

inline bool mentions(const std::string& message, std::string_view part) { return message.find(part) != std::string::npos; }

}  // namespace heed_test

// Checks that `expression` throws a heed::Error whose message contains `part`.
#define CHECK_ERROR_MENTIONS(expression, part)                                               \
  do {                                                                                       \
    std::string heed_test_message_ = heed_test::error_message([&] { (void)(expression); }); \
    CHECK_MESSAGE(heed_test::mentions(heed_test_message_, part), heed_test_message_);        \
  } while (false)
