#include "backends.hpp"

#include <doctest/doctest.h>
#include <heed/error.hpp>

#include <cstdlib>

#ifndef HEED_TEST_BACKENDS
#error "tests/meson.build sets HEED_TEST_BACKENDS to the backends this build made"
#endif

namespace heed::test {

std::vector<std::string> backends_under_test() {
  const char* overridden = std::getenv("HEED_TEST_BACKENDS");
  std::string text = overridden && *overridden ? overridden : HEED_TEST_BACKENDS;
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) names.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return names;
}

std::shared_ptr<Backend> load_for_test(const std::string& name) {
  try {
    return load_backend(name);
  } catch (const std::exception& error) {
    FAIL_CHECK("backend '" << name << "' is under test but did not load: " << std::string(error.what()));
    return nullptr;
  }
}

}  // namespace heed::test
