// Softmax, log-softmax, layer norm, embedding and cross-entropy.
#include "rows.hpp"

namespace heed::reference {

namespace {

Array softmax(const Node& node, Inputs inputs) {
  const Array& x = *inputs[0];
  Array out(f32, node.shape);
  const int64_t length = row_length(x.shape);
  for (int64_t r = 0; r < row_count(x.shape); ++r) {
    const double* row = x.data.data() + r * length;
    RowExp e = row_exp(row, length);
    for (int64_t j = 0; j < length; ++j) out[r * length + j] = e.softmax(row[j]);
  }
  return out;
}

Array log_softmax(const Node& node, Inputs inputs) {
  const Array& x = *inputs[0];
  Array out(f32, node.shape);
  const int64_t length = row_length(x.shape);
  for (int64_t r = 0; r < row_count(x.shape); ++r) {
    const double* row = x.data.data() + r * length;
    RowExp e = row_exp(row, length);
    for (int64_t j = 0; j < length; ++j) out[r * length + j] = e.log_softmax(row[j]);
  }
  return out;
}

Array layer_norm(const Node& node, Inputs inputs) {
  const Array& x = *inputs[0];
  const Array* weight = inputs.size() > 1 ? inputs[1] : nullptr;
  const Array* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  Array out(f32, node.shape);
  const int64_t length = row_length(x.shape);
  for (int64_t r = 0; r < row_count(x.shape); ++r) {
    const double* row = x.data.data() + r * length;
    RowMoments m = moments(row, length, node.attrs.value);
    for (int64_t j = 0; j < length; ++j) {
      double y = (row[j] - m.mean) * m.rstd;
      if (weight) y *= (*weight)[j];
      if (bias) y += (*bias)[j];
      out[r * length + j] = y;
    }
  }
  return out;
}

Array embedding(const Node& node, Inputs inputs) {
  const Array &weight = *inputs[0], &indices = *inputs[1];
  const int64_t rows = weight.shape[0], width = weight.shape[1];
  Array out(f32, node.shape);
  for (int64_t i = 0; i < indices.size(); ++i) {
    auto r = static_cast<int64_t>(indices[i]);
    if (r < 0 || r >= rows) continue;  // out of range: a zero row
    for (int64_t j = 0; j < width; ++j) out[i * width + j] = weight[r * width + j];
  }
  return out;
}

Array cross_entropy(const Node& node, Inputs inputs) {
  const Array &logits = *inputs[0], &targets = *inputs[1];
  const int64_t classes = row_length(logits.shape);
  double total = 0;
  int64_t counted = 0;
  for (int64_t r = 0; r < targets.size(); ++r) {
    if (!counts(targets[r], classes, node.attrs.ignore_index)) continue;
    const double* row = logits.data.data() + r * classes;
    total -= row_exp(row, classes).log_softmax(row[static_cast<int64_t>(targets[r])]);
    ++counted;
  }
  return Array(f32, {}, {counted == 0 ? 0.0 : total / static_cast<double>(counted)});
}

}  // namespace

void add_nn_kernels(KernelTable& table) {
  table.add(Op::Softmax, softmax);
  table.add(Op::LogSoftmax, log_softmax);
  table.add(Op::LayerNorm, layer_norm);
  table.add(Op::Embedding, embedding);
  table.add(Op::CrossEntropy, cross_entropy);
}

}  // namespace heed::reference
