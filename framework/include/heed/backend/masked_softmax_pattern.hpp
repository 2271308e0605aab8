#pragma once
// A pattern of the schedule that a backend may run as one kernel (DESIGN.md: fusion is a
// backend's choice at compile time; the unfused graph stays the reference): the softmax of
// scaled, masked scores, as attention weights and masked softmaxes are built,
//   softmax(where(m_k, ... where(m_1, x * scale, fill_1) ..., fill_k))
// over the last axis, with the scale optional (a scalar fill on either side of the mul), each
// where keeping the value where its f32 mask (broadcast to x) is non-zero and a scalar fill
// elsewhere. The kernel runs at the softmax's position in place of every node it stands for.
#include <heed/backend/plan.hpp>

#include <optional>
#include <vector>

namespace heed {

struct MaskedSoftmax {
  struct Mask {
    NodeId values = -1;  // f32, broadcasting to x's shape
    float fill = 0;
  };
  NodeId x = -1;              // the scores, of the softmax's shape
  float scale = 1;
  std::vector<Mask> masks;    // in the order they apply, innermost first
  std::vector<size_t> absorbed;  // the schedule positions of the mul and wheres
};

// The pattern ending at the softmax at plan.order[position], with at most `max_masks` masks.
// Matched only where running it late is safe: each absorbed node is read by the next alone and
// kept by no output, no node scheduled in between writes bytes of x or of a mask, and the
// softmax's output shares no bytes with a mask and either none or all of x's (rows in place).
std::optional<MaskedSoftmax> match_masked_softmax(const Graph& graph, const Plan& plan, size_t position, size_t max_masks);

}  // namespace heed
