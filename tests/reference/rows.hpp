#pragma once
// Row helpers for the ops that work over the last axis (softmax family, layer norm, cross-entropy).
#include "reference.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace heed::reference {

inline int64_t row_length(const Shape& shape) { return shape.empty() ? 1 : shape.back(); }
inline int64_t row_count(const Shape& shape) {
  int64_t length = row_length(shape);
  return length == 0 ? 0 : element_count(shape) / length;
}

// A row's maximum and sum(exp(row - maximum)): softmax is exp(x - top) / total and
// logsumexp(row) - x is (top - x) + log(total). Kept apart because with masked logits (-1e30)
// top + log(total) would lose log(total) entirely.
struct RowExp {
  double top = -std::numeric_limits<double>::infinity(), total = 0;
  double softmax(double x) const { return std::exp(x - top) / total; }
  double log_softmax(double x) const { return (x - top) - std::log(total); }
};
inline RowExp row_exp(const double* row, int64_t length) {
  RowExp r;
  for (int64_t j = 0; j < length; ++j) r.top = std::max(r.top, row[j]);
  for (int64_t j = 0; j < length; ++j) r.total += std::exp(row[j] - r.top);
  return r;
}

struct RowMoments {
  double mean = 0, rstd = 0;
};
inline RowMoments moments(const double* row, int64_t length, double eps) {
  RowMoments m;
  for (int64_t j = 0; j < length; ++j) m.mean += row[j];
  m.mean /= static_cast<double>(length);
  double variance = 0;
  for (int64_t j = 0; j < length; ++j) variance += (row[j] - m.mean) * (row[j] - m.mean);
  variance /= static_cast<double>(length);
  m.rstd = 1.0 / std::sqrt(variance + eps);
  return m;
}

// Whether a cross-entropy target counts: not ignored and a valid class.
inline bool counts(double target, int64_t classes, int64_t ignore_index) {
  auto t = static_cast<int64_t>(target);
  return t != ignore_index && t >= 0 && t < classes;
}

}  // namespace heed::reference
