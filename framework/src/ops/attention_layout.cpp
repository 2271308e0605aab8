#include <heed/backend/attention_layout.hpp>

namespace heed {

namespace {

Shape leading(const Shape& x) { return Shape(x.begin(), x.end() - 2); }

// q, k, v as separate inputs: problems are the leading axes, rows consecutive.
void separate(AttentionLayout& l, const std::vector<Shape>& in, bool backward) {
  const Shape &q = in[0], &k = in[1], &v = in[2];
  const size_t rank = q.size();
  l.batch = element_count(leading(q));
  l.queries = q[rank - 2];
  l.keys = k[rank - 2];
  l.width = q[rank - 1];
  l.value_width = v[rank - 1];
  l.q = {0, 1, l.queries * l.width, 0, l.width};
  l.k = {0, 1, l.keys * l.width, 0, l.width};
  l.v = {0, 1, l.keys * l.value_width, 0, l.value_width};
  l.output = {0, 1, l.queries * l.value_width, 0, l.value_width};
  l.scores = leading(q);
  if (backward) {
    l.output_input = 3;
    l.doutput_input = 4;
    l.statistics_input = 5;
    const int64_t packed = l.queries * l.width + l.keys * l.width + l.keys * l.value_width;
    l.dq = {0, 1, packed, 0, l.width};
    l.dk = {l.queries * l.width, 1, packed, 0, l.width};
    l.dv = {l.queries * l.width + l.keys * l.width, 1, packed, 0, l.value_width};
  }
  if (in.size() > (backward ? 6u : 3u)) l.mask_input = backward ? 6 : 3;
}

// One qkv [..., T, 3 * H * D]: problem b is head b % H of position b / H of the leading axes.
void packed(AttentionLayout& l, const std::vector<Shape>& in, bool backward) {
  const Shape& qkv = in[0];
  const size_t rank = qkv.size();
  const int64_t heads = l.heads, steps = qkv[rank - 2], row = qkv[rank - 1], head_width = row / (3 * heads);
  l.batch = element_count(leading(qkv)) * heads;
  l.queries = l.keys = steps;
  l.width = l.value_width = head_width;
  l.q_input = l.k_input = l.v_input = 0;
  l.q = {0, heads, steps * row, head_width, row};
  l.k = {heads * head_width, heads, steps * row, head_width, row};
  l.v = {2 * heads * head_width, heads, steps * row, head_width, row};
  l.output = {0, heads, steps * heads * head_width, head_width, heads * head_width};
  l.scores = leading(qkv);
  l.scores.push_back(heads);
  if (backward) {
    l.output_input = 1;
    l.doutput_input = 2;
    l.statistics_input = 3;
    l.dq = l.q;
    l.dk = l.k;
    l.dv = l.v;
  }
  if (in.size() > (backward ? 4u : 1u)) l.mask_input = backward ? 4 : 1;
}

}  // namespace

AttentionLayout attention_layout(const Node& node, const std::vector<Shape>& input_shapes) {
  AttentionLayout l;
  l.heads = node.attrs.heads;
  const bool backward = node.op == Op::AttentionBackward;
  if (l.heads > 0) packed(l, input_shapes, backward);
  else separate(l, input_shapes, backward);
  l.scores.push_back(l.queries);
  l.scores.push_back(l.keys);
  l.statistics = {0, 1, l.queries, 0, 1};
  return l;
}

bool describes(const Node& statistics, const Node& attention) {
  return statistics.op == Op::AttentionStatistics && attention.op == Op::Attention && statistics.inputs == attention.inputs &&
         statistics.attrs.value == attention.attrs.value && statistics.attrs.causal == attention.attrs.causal &&
         statistics.attrs.heads == attention.attrs.heads;
}

AttentionLayout attention_layout(const Graph& graph, const Node& node) {
  std::vector<Shape> shapes;
  for (NodeId input : node.inputs) shapes.push_back(graph.node(input).shape);
  return attention_layout(node, shapes);
}

}  // namespace heed
