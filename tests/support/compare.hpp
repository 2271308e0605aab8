#pragma once
// How a backend's values are compared with the reference: normalised mean squared error,
// sum((got - expected)^2) / sum(expected^2), as ggml's test-backend-ops does. Any NaN or infinity
// in what a backend computed fails the comparison (the reference's own values are checked to be
// finite by the harness). i32 values must match exactly.
#include <heed/host_tensor.hpp>

#include <string>
#include <vector>

namespace heed::test {

struct Comparison {
  double nmse = 0;          // +inf when a value is not finite or the shapes differ
  double max_abs_error = 0;
  int64_t worst = -1;       // the element with the largest error
  double worst_expected = 0, worst_got = 0;
  bool passes(double tolerance) const { return nmse <= tolerance; }
  std::string describe() const;
};

std::vector<double> to_doubles(const HostTensor& tensor);
Comparison compare(const std::vector<double>& expected, const std::vector<double>& got);
bool all_finite(const std::vector<double>& values);

}  // namespace heed::test
