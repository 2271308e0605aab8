#pragma once
// What the Program suites share: a check that an action throws a heed::Error mentioning every
// fragment, and a body run once on every backend under test.
#include "../support/backends.hpp"

#include <doctest/doctest.h>
#include <heed/error.hpp>

#include <functional>
#include <string>
#include <vector>

namespace heed::test {

inline void check_message(const std::function<void()>& action, const std::vector<std::string>& fragments) {
  try {
    action();
    FAIL_CHECK("no heed::Error was thrown; expected one mentioning " << fragments.front());
  } catch (const Error& error) {
    std::string message = error.what();
    for (const std::string& fragment : fragments)
      CHECK_MESSAGE(message.find(fragment) != std::string::npos, "'" << message << "' does not mention '" << fragment << "'");
  }
}

template <typename Body>
void on_every_backend(Body body) {
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    body(*backend);
  }
}

}  // namespace heed::test
