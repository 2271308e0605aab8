#include "compare.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace heed::test {

std::string Comparison::describe() const {
  if (worst < 0) return fmt::format("nmse {:.3g}", nmse);
  return fmt::format("nmse {:.3g}, max abs error {:.3g} at element {} (expected {:.9g}, got {:.9g})", nmse, max_abs_error, worst,
                     worst_expected, worst_got);
}

std::vector<double> to_doubles(const HostTensor& tensor) {
  std::vector<double> values(static_cast<size_t>(tensor.size()));
  if (tensor.dtype() == DType::i32) {
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(tensor.i32()[i]);
  } else {
    std::vector<float> floats = tensor.to_floats();
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(floats[i]);
  }
  return values;
}

bool all_finite(const std::vector<double>& values) {
  for (double x : values)
    if (!std::isfinite(x)) return false;
  return true;
}

Comparison compare(const std::vector<double>& expected, const std::vector<double>& got) {
  Comparison c;
  if (expected.size() != got.size()) {
    c.nmse = std::numeric_limits<double>::infinity();
    return c;
  }
  double error = 0, norm = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    double diff = got[i] - expected[i];
    if (!std::isfinite(got[i])) diff = std::numeric_limits<double>::infinity();
    error += diff * diff;
    norm += expected[i] * expected[i];
    if (!(std::abs(diff) <= c.max_abs_error)) {
      c.max_abs_error = std::abs(diff);
      c.worst = static_cast<int64_t>(i);
      c.worst_expected = expected[i];
      c.worst_got = got[i];
    }
  }
  // An all-zero expectation is compared absolutely.
  c.nmse = norm > 0 ? error / norm : error;
  if (std::isnan(c.nmse)) c.nmse = std::numeric_limits<double>::infinity();
  return c;
}

}  // namespace heed::test
