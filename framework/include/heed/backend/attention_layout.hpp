#pragma once
// Where the kernels of Attention, AttentionStatistics (Attention's inputs) and AttentionBackward
// find their operands, in either of the op's two forms (docs/ops.md):
//   separate: q [..., Tq, D], k [..., Tk, D], v [..., Tk, Dv], o and do [..., Tq, Dv]; the
//     backward packs dq, dk, dv per batch element along its last axis;
//   packed (attrs.heads = H > 0): one qkv [..., T, 3 * H * D] as a fused projection gives it
//     (q's heads, then k's, then v's, each head D consecutive floats), o and do [..., T, H * D],
//     and the backward gives dqkv in qkv's layout. No copy splits or merges the heads.
// Either way a kernel sees `batch` independent problems (the leading axes, times H when packed,
// heads innermost) and reads row i of problem b of each operand at AttentionRows::at(b, i). The
// statistics hold one float per row, problem after problem.
#include <heed/graph.hpp>

#include <optional>
#include <vector>

namespace heed {

// Row i of problem b lies at base + (b / heads) * outer + (b % heads) * head + i * row (floats).
struct AttentionRows {
  int64_t base = 0, heads = 1, outer = 0, head = 0, row = 0;
  int64_t at(int64_t b, int64_t i) const { return base + b / heads * outer + b % heads * head + i * row; }
};

struct AttentionLayout {
  int64_t batch = 0, queries = 0, keys = 0, width = 0, value_width = 0;
  int64_t heads = 0;  // attrs.heads: 0 when q, k, v are separate inputs
  // Input positions; q, k and v are all 0 when packed. `output`, `doutput`, `statistics`: backward only.
  size_t q_input = 0, k_input = 1, v_input = 2, output_input = 0, doutput_input = 0, statistics_input = 0;
  std::optional<size_t> mask_input;
  AttentionRows q, k, v;      // within their inputs
  AttentionRows output;       // o and do (backward), or the forward's own output
  AttentionRows dq, dk, dv;   // within the backward's output
  AttentionRows statistics;   // one float per row
  Shape scores;               // [..., (H,) Tq, Tk]: what the mask broadcasts to
};

// The layout of an Attention, AttentionStatistics or AttentionBackward node, given its inputs' shapes in order.
AttentionLayout attention_layout(const Node& node, const std::vector<Shape>& input_shapes);
AttentionLayout attention_layout(const Graph& graph, const Node& node);

// Whether `statistics` (an AttentionStatistics) describes `attention` (an Attention): the same
// inputs and attributes.
bool describes(const Node& statistics, const Node& attention);

}  // namespace heed
