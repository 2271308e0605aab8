// Attention and its backward op, written as docs/ops.md states them: the whole [Tq, Tk] score
// matrix of each batch element in double, a full softmax per row, then the products.
#include "indexing.hpp"
#include "rows.hpp"

#include <heed/ops.hpp>

namespace heed::reference {

namespace {

struct Dims {
  int64_t batch, queries, keys, width, value_width;
};

Dims dims_of(const Array& q, const Array& k, const Array& v) {
  const size_t rank = q.shape.size();
  return {element_count(Shape(q.shape.begin(), q.shape.end() - 2)), q.shape[rank - 2], k.shape[rank - 2], q.shape[rank - 1],
          v.shape[rank - 1]};
}

// The softmax weights p [batch, Tq, Tk] and whether each score is masked.
struct Weights {
  std::vector<double> p;
  std::vector<char> masked;
};

Weights weights_of(const Node& node, const Array& q, const Array& k, const Array* mask, const Dims& d) {
  const double scale = node.attrs.value;
  Shape scores_shape(q.shape.begin(), q.shape.end() - 1);
  scores_shape.push_back(d.keys);
  std::vector<int64_t> mask_at = mask ? broadcast_map(scores_shape, mask->shape) : std::vector<int64_t>{};
  Weights w{std::vector<double>(static_cast<size_t>(d.batch * d.queries * d.keys)), std::vector<char>(static_cast<size_t>(d.batch * d.queries * d.keys))};
  std::vector<double> row(static_cast<size_t>(d.keys));
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t i = 0; i < d.queries; ++i) {
      const int64_t at = (b * d.queries + i) * d.keys;
      for (int64_t j = 0; j < d.keys; ++j) {
        double s = 0;
        for (int64_t c = 0; c < d.width; ++c) s += q[(b * d.queries + i) * d.width + c] * k[(b * d.keys + j) * d.width + c];
        bool masked = (mask && (*mask)[mask_at[static_cast<size_t>(at + j)]] == 0) || (node.attrs.causal && j > i + (d.keys - d.queries));
        w.masked[static_cast<size_t>(at + j)] = masked;
        row[static_cast<size_t>(j)] = masked ? masked_logit : s * scale;
      }
      RowExp e = row_exp(row.data(), d.keys);
      for (int64_t j = 0; j < d.keys; ++j) w.p[static_cast<size_t>(at + j)] = e.softmax(row[static_cast<size_t>(j)]);
    }
  return w;
}

Array attention(const Node& node, Inputs inputs) {
  const Array &q = *inputs[0], &k = *inputs[1], &v = *inputs[2];
  const Dims d = dims_of(q, k, v);
  const Weights w = weights_of(node, q, k, inputs.size() > 3 ? inputs[3] : nullptr, d);
  Array out(f32, node.shape);
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t i = 0; i < d.queries; ++i)
      for (int64_t j = 0; j < d.keys; ++j) {
        const double p = w.p[static_cast<size_t>((b * d.queries + i) * d.keys + j)];
        for (int64_t c = 0; c < d.value_width; ++c) out[(b * d.queries + i) * d.value_width + c] += p * v[(b * d.keys + j) * d.value_width + c];
      }
  return out;
}

// dq, dk, dv packed per batch element; D_i = do_i . o_i uses the given o, as the kernels do.
Array attention_backward(const Node& node, Inputs inputs) {
  const Array &q = *inputs[0], &k = *inputs[1], &v = *inputs[2], &o = *inputs[3], &dout = *inputs[4];
  const Dims d = dims_of(q, k, v);
  const Weights w = weights_of(node, q, k, inputs.size() > 5 ? inputs[5] : nullptr, d);
  const double scale = node.attrs.value;
  const int64_t packed = d.queries * d.width + d.keys * d.width + d.keys * d.value_width;
  Array out(f32, node.shape);
  for (int64_t b = 0; b < d.batch; ++b) {
    const int64_t dq = b * packed, dk = dq + d.queries * d.width, dv = dk + d.keys * d.width;
    for (int64_t i = 0; i < d.queries; ++i) {
      const int64_t row = b * d.queries + i;
      double rowsum = 0;
      for (int64_t c = 0; c < d.value_width; ++c) rowsum += dout[row * d.value_width + c] * o[row * d.value_width + c];
      for (int64_t j = 0; j < d.keys; ++j) {
        const auto at = static_cast<size_t>(row * d.keys + j);
        const double p = w.p[at];
        double dp = 0;
        for (int64_t c = 0; c < d.value_width; ++c) {
          dp += dout[row * d.value_width + c] * v[(b * d.keys + j) * d.value_width + c];
          out[dv + j * d.value_width + c] += p * dout[row * d.value_width + c];
        }
        const double ds = w.masked[at] ? 0.0 : p * (dp - rowsum);
        for (int64_t c = 0; c < d.width; ++c) {
          out[dq + i * d.width + c] += scale * ds * k[(b * d.keys + j) * d.width + c];
          out[dk + j * d.width + c] += scale * ds * q[row * d.width + c];
        }
      }
    }
  }
  return out;
}

}  // namespace

void add_attention_kernels(KernelTable& table) {
  table.add(Op::Attention, attention);
  table.add(Op::AttentionBackward, attention_backward);
}

}  // namespace heed::reference
