// Attention, its statistics and its backward op, written as docs/ops.md states them: the whole
// [Tq, Tk] score matrix of each batch element in double, a full softmax per row, then the products.
#include "indexing.hpp"
#include "rows.hpp"

#include <heed/backend/attention_layout.hpp>
#include <heed/ops.hpp>

namespace heed::reference {

namespace {

AttentionLayout layout_of(const Node& node, Inputs inputs) {
  std::vector<Shape> shapes;
  for (const Array* input : inputs) shapes.push_back(input->shape);
  return attention_layout(node, shapes);
}

// The softmax weights p [batch, Tq, Tk], whether each score is masked, and each row's logsumexp.
struct Weights {
  std::vector<double> p;
  std::vector<char> masked;
  std::vector<double> logsumexp;
};

Weights weights_of(const Node& node, const Array& q, const Array& k, const Array* mask, const AttentionLayout& d) {
  const double scale = node.attrs.value;
  std::vector<int64_t> mask_at = mask ? broadcast_map(d.scores, mask->shape) : std::vector<int64_t>{};
  Weights w{std::vector<double>(static_cast<size_t>(d.batch * d.queries * d.keys)), std::vector<char>(static_cast<size_t>(d.batch * d.queries * d.keys)),
            std::vector<double>(static_cast<size_t>(d.batch * d.queries))};
  std::vector<double> row(static_cast<size_t>(d.keys));
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t i = 0; i < d.queries; ++i) {
      const int64_t at = (b * d.queries + i) * d.keys;
      for (int64_t j = 0; j < d.keys; ++j) {
        double s = 0;
        for (int64_t c = 0; c < d.width; ++c) s += q[d.q.at(b, i) + c] * k[d.k.at(b, j) + c];
        bool masked = (mask && (*mask)[mask_at[static_cast<size_t>(at + j)]] == 0) || (node.attrs.causal && j > i + (d.keys - d.queries));
        w.masked[static_cast<size_t>(at + j)] = masked;
        row[static_cast<size_t>(j)] = masked ? masked_logit : s * scale;
      }
      RowExp e = row_exp(row.data(), d.keys);
      w.logsumexp[static_cast<size_t>(b * d.queries + i)] = e.top + std::log(e.total);
      for (int64_t j = 0; j < d.keys; ++j) w.p[static_cast<size_t>(at + j)] = e.softmax(row[static_cast<size_t>(j)]);
    }
  return w;
}

const Array* mask_of(const AttentionLayout& d, Inputs inputs) { return d.mask_input ? inputs[*d.mask_input] : nullptr; }

Array attention(const Node& node, Inputs inputs) {
  const AttentionLayout d = layout_of(node, inputs);
  const Array &q = *inputs[d.q_input], &k = *inputs[d.k_input], &v = *inputs[d.v_input];
  const Weights w = weights_of(node, q, k, mask_of(d, inputs), d);
  Array out(f32, node.shape);
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t i = 0; i < d.queries; ++i)
      for (int64_t j = 0; j < d.keys; ++j) {
        const double p = w.p[static_cast<size_t>((b * d.queries + i) * d.keys + j)];
        for (int64_t c = 0; c < d.value_width; ++c) out[d.output.at(b, i) + c] += p * v[d.v.at(b, j) + c];
      }
  return out;
}

Array attention_statistics(const Node& node, Inputs inputs) {
  const AttentionLayout d = layout_of(node, inputs);
  const Weights w = weights_of(node, *inputs[d.q_input], *inputs[d.k_input], mask_of(d, inputs), d);
  Array out(f32, node.shape);
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t i = 0; i < d.queries; ++i) out[d.statistics.at(b, i)] = w.logsumexp[static_cast<size_t>(b * d.queries + i)];
  return out;
}

// dq, dk, dv where the layout puts them; D_i = do_i . o_i uses the given o, as the kernels do.
// The given statistics are taken to be the attention's own: p is recomputed from q and k.
Array attention_backward(const Node& node, Inputs inputs) {
  const AttentionLayout d = layout_of(node, inputs);
  const Array &q = *inputs[d.q_input], &k = *inputs[d.k_input], &v = *inputs[d.v_input];
  const Array &o = *inputs[d.output_input], &dout = *inputs[d.doutput_input];
  const Weights w = weights_of(node, q, k, mask_of(d, inputs), d);
  const double scale = node.attrs.value;
  Array out(f32, node.shape);
  for (int64_t b = 0; b < d.batch; ++b) {
    for (int64_t i = 0; i < d.queries; ++i) {
      const int64_t row = d.output.at(b, i);
      double rowsum = 0;
      for (int64_t c = 0; c < d.value_width; ++c) rowsum += dout[row + c] * o[row + c];
      for (int64_t j = 0; j < d.keys; ++j) {
        const auto at = static_cast<size_t>((b * d.queries + i) * d.keys + j);
        const double p = w.p[at];
        double dp = 0;
        for (int64_t c = 0; c < d.value_width; ++c) {
          dp += dout[row + c] * v[d.v.at(b, j) + c];
          out[d.dv.at(b, j) + c] += p * dout[row + c];
        }
        const double ds = w.masked[at] ? 0.0 : p * (dp - rowsum);
        for (int64_t c = 0; c < d.width; ++c) {
          out[d.dq.at(b, i) + c] += scale * ds * k[d.k.at(b, j) + c];
          out[d.dk.at(b, j) + c] += scale * ds * q[d.q.at(b, i) + c];
        }
      }
    }
  }
  return out;
}

}  // namespace

void add_attention_kernels(KernelTable& table) {
  table.add(Op::Attention, attention);
  table.add(Op::AttentionStatistics, attention_statistics);
  table.add(Op::AttentionBackward, attention_backward);
}

}  // namespace heed::reference
