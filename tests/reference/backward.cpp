// The dedicated backward ops that VJPs emit.
#include "rows.hpp"

#include <numbers>

namespace heed::reference {

namespace {

Array softmax_backward(const Node& node, Inputs inputs) {
  const Array &y = *inputs[0], &dy = *inputs[1];
  Array out(f32, node.shape);
  const int64_t length = row_length(y.shape);
  for (int64_t r = 0; r < row_count(y.shape); ++r) {
    double dot = 0;
    for (int64_t j = 0; j < length; ++j) dot += dy[r * length + j] * y[r * length + j];
    for (int64_t j = 0; j < length; ++j) out[r * length + j] = y[r * length + j] * (dy[r * length + j] - dot);
  }
  return out;
}

Array log_softmax_backward(const Node& node, Inputs inputs) {
  const Array &y = *inputs[0], &dy = *inputs[1];
  Array out(f32, node.shape);
  const int64_t length = row_length(y.shape);
  for (int64_t r = 0; r < row_count(y.shape); ++r) {
    double total = 0;
    for (int64_t j = 0; j < length; ++j) total += dy[r * length + j];
    for (int64_t j = 0; j < length; ++j) out[r * length + j] = dy[r * length + j] - std::exp(y[r * length + j]) * total;
  }
  return out;
}

Array layer_norm_backward(const Node& node, Inputs inputs) {
  const Array &x = *inputs[0], &dy = *inputs[1];
  const Array* weight = inputs.size() > 2 ? inputs[2] : nullptr;
  Array out(f32, node.shape);
  const int64_t length = row_length(x.shape);
  std::vector<double> g(static_cast<size_t>(length)), xhat(static_cast<size_t>(length));
  for (int64_t r = 0; r < row_count(x.shape); ++r) {
    RowMoments m = moments(x.data.data() + r * length, length, node.attrs.value);
    double mean_g = 0, mean_gx = 0;
    for (int64_t j = 0; j < length; ++j) {
      auto k = static_cast<size_t>(j);
      xhat[k] = (x[r * length + j] - m.mean) * m.rstd;
      g[k] = dy[r * length + j] * (weight ? (*weight)[j] : 1.0);
      mean_g += g[k];
      mean_gx += g[k] * xhat[k];
    }
    mean_g /= static_cast<double>(length);
    mean_gx /= static_cast<double>(length);
    for (int64_t j = 0; j < length; ++j) {
      auto k = static_cast<size_t>(j);
      out[r * length + j] = m.rstd * (g[k] - mean_g - xhat[k] * mean_gx);
    }
  }
  return out;
}

Array embedding_backward(const Node& node, Inputs inputs) {
  const Array &dy = *inputs[0], &indices = *inputs[1];
  const int64_t rows = node.attrs.rows, width = row_length(dy.shape);
  Array out(f32, node.shape);
  for (int64_t i = 0; i < indices.size(); ++i) {
    auto r = static_cast<int64_t>(indices[i]);
    if (r < 0 || r >= rows) continue;
    for (int64_t j = 0; j < width; ++j) out[r * width + j] += dy[i * width + j];
  }
  return out;
}

Array cross_entropy_backward(const Node& node, Inputs inputs) {
  const Array &logits = *inputs[0], &targets = *inputs[1], &dloss = *inputs[2];
  const int64_t classes = row_length(logits.shape);
  int64_t counted = 0;
  for (int64_t r = 0; r < targets.size(); ++r) counted += counts(targets[r], classes, node.attrs.ignore_index);
  Array out(f32, node.shape);
  for (int64_t r = 0; r < targets.size(); ++r) {
    if (!counts(targets[r], classes, node.attrs.ignore_index)) continue;
    const double* row = logits.data.data() + r * classes;
    RowExp e = row_exp(row, classes);
    for (int64_t j = 0; j < classes; ++j) {
      double p = e.softmax(row[j]) - (j == static_cast<int64_t>(targets[r]) ? 1.0 : 0.0);
      out[r * classes + j] = dloss[0] * p / static_cast<double>(counted);
    }
  }
  return out;
}

Array gelu_backward(const Node& node, Inputs inputs) {
  const Array &x = *inputs[0], &dy = *inputs[1];
  Array out(f32, node.shape);
  for (int64_t i = 0; i < x.size(); ++i) {
    double cdf = 0.5 * (1.0 + std::erf(x[i] / std::numbers::sqrt2));
    double pdf = std::exp(-0.5 * x[i] * x[i]) / std::sqrt(2.0 * std::numbers::pi);
    out[i] = dy[i] * (cdf + x[i] * pdf);
  }
  return out;
}

}  // namespace

void add_backward_kernels(KernelTable& table) {
  table.add(Op::SoftmaxBackward, softmax_backward);
  table.add(Op::LogSoftmaxBackward, log_softmax_backward);
  table.add(Op::LayerNormBackward, layer_norm_backward);
  table.add(Op::EmbeddingBackward, embedding_backward);
  table.add(Op::CrossEntropyBackward, cross_entropy_backward);
  table.add(Op::GeluBackward, gelu_backward);
}

}  // namespace heed::reference
