#pragma once
// The backends under test: every backend this build made (the HEED_TEST_BACKENDS compile
// definition, set by tests/meson.build from the list of built backends), or the comma-separated
// list in $HEED_TEST_BACKENDS. A backend that does not load is a failure, never a skip.
#include <heed/backend.hpp>

#include <memory>
#include <string>
#include <vector>

namespace heed::test {

std::vector<std::string> backends_under_test();

// Loads a backend through the registry (cached by the registry itself). On failure records a
// doctest failure naming the backend and the registry's explanation, and returns null.
std::shared_ptr<Backend> load_for_test(const std::string& name);

}  // namespace heed::test
