// The softmax of scaled, masked scores as one kernel (heed/backend/masked_softmax_pattern.hpp): per row,
// the scores scaled and filled where a mask is zero, then max-subtracted and normalised, all in
// the output row. Unfused, the mul and each where write the whole [rows, cols] once more and the
// softmax reads it back.
#include "kernel.hpp"
#include "parallel.hpp"
#include "vector_math.hpp"

#include <heed/backend/masked_softmax_pattern.hpp>

#include <algorithm>
#include <cstdlib>

namespace heed::cpu {

namespace {

struct RowMask {
  const float* values;
  std::vector<int64_t> row_offsets;  // per row of the scores
  int64_t column_stride;
  float fill;
};

class MaskedSoftmaxKernel final : public Kernel {
 public:
  MaskedSoftmaxKernel(const float* x, float* out, int64_t rows, int64_t cols, float scale, std::vector<RowMask> masks)
      : x_(x), out_(out), rows_(rows), cols_(cols), scale_(scale), masks_(std::move(masks)) {}

  void run() override {
    parallel_ranges(rows_, std::max<int64_t>(1, elementwise_grain / cols_), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) softmax_row(row);
    });
  }

 private:
  // Reads x's row before writing the output's, so the two may be the same bytes.
  void softmax_row(int64_t row) const {
    const float* x = x_ + row * cols_;
    float* y = out_ + row * cols_;
    for (int64_t j = 0; j < cols_; ++j) y[j] = x[j] * scale_;
    for (const RowMask& mask : masks_) {
      const float* keep = mask.values + mask.row_offsets[static_cast<size_t>(row)];
      for (int64_t j = 0; j < cols_; ++j)
        if (keep[j * mask.column_stride] == 0.0f) y[j] = mask.fill;
    }
    float top = y[0];
    for (int64_t j = 1; j < cols_; ++j) top = std::max(top, y[j]);
    float sum = 0;
    for (int64_t j = 0; j < cols_; ++j) {
      y[j] = vector_math::exp(y[j] - top);
      sum += y[j];
    }
    const float inverse = 1.0f / sum;
    for (int64_t j = 0; j < cols_; ++j) y[j] *= inverse;
  }

  const float* x_;
  float* out_;
  int64_t rows_, cols_;
  float scale_;
  std::vector<RowMask> masks_;
};

RowMask row_mask(const CompileContext& context, const MaskedSoftmax::Mask& mask, const Shape& scores) {
  const std::vector<int64_t> strides = broadcast_strides(context.graph().node(mask.values).shape, scores);
  return {reinterpret_cast<const float*>(context.address(mask.values)), row_offsets(Shape(scores.begin(), scores.end() - 1), strides),
          strides.back(), mask.fill};
}

}  // namespace

FusedKernel masked_softmax_kernel(const CompileContext& context, size_t position, const MaskedSoftmax& pattern) {
  const NodeId softmax = context.plan().order[position];
  const Shape& shape = context.graph().node(softmax).shape;
  std::vector<RowMask> masks;
  std::string name = fmt::format("softmax f32{} of scale", shape_string(shape));
  for (const MaskedSoftmax::Mask& mask : pattern.masks) {
    masks.push_back(row_mask(context, mask, shape));
    name += " where";
  }
  const int64_t cols = shape.back();
  FusedKernel fused{std::make_unique<MaskedSoftmaxKernel>(reinterpret_cast<const float*>(context.address(pattern.x)),
                                                          reinterpret_cast<float*>(context.address(softmax)), element_count(shape) / cols, cols,
                                                          pattern.scale, std::move(masks)),
                    0};
  fused.name = std::move(name);
  return fused;
}

}  // namespace heed::cpu
