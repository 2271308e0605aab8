#pragma once
// Shared by the model tests: the backends under test, and element-wise closeness with a report
// of the worst element.
#include <heed/heed.hpp>

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

namespace heed::testing {

// Every backend this build made (from meson); one that fails to load fails the test.
inline std::vector<std::string> backends_under_test() {
  std::vector<std::string> names;
  std::stringstream list(HEED_TEST_BACKENDS);
  for (std::string name; std::getline(list, name, ',');)
    if (!name.empty()) names.push_back(name);
  REQUIRE_MESSAGE(!names.empty(), "this build made no backend to test");
  return names;
}

// |actual - expected| <= relative * |expected| + absolute everywhere; describes the worst element.
inline std::string compare(const HostTensor& actual, const HostTensor& expected, double relative, double absolute) {
  if (actual.shape() != expected.shape())
    return fmt::format("shape {} instead of {}", shape_string(actual.shape()), shape_string(expected.shape()));
  auto value = [](const HostTensor& t, int64_t i) {
    return t.dtype() == f32 ? static_cast<double>(t.f32()[static_cast<size_t>(i)]) : static_cast<double>(t.i32()[static_cast<size_t>(i)]);
  };
  int64_t bad = 0, worst = -1;
  double worst_excess = 0;
  for (int64_t i = 0; i < actual.size(); ++i) {
    double a = value(actual, i), e = value(expected, i);
    double excess = std::abs(a - e) - (relative * std::abs(e) + absolute);
    if (!(excess <= 0)) {  // NaN fails too
      ++bad;
      if (worst < 0 || !(excess <= worst_excess)) worst = i, worst_excess = excess;
    }
  }
  if (bad == 0) return {};
  return fmt::format("{} of {} elements differ; worst at {}: {} instead of {}", bad, actual.size(), worst, value(actual, worst),
                     value(expected, worst));
}

}  // namespace heed::testing
