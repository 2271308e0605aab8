// The dedicated backward ops the VJPs emit (gelu's is in gelu.cpp). Softmax and log-softmax use
// oneDNN's backward primitives (with a forward descriptor as the hint they need; the forward
// never runs). Layer norm's needs the row statistics as inputs, which these graphs do not keep,
// so it is a loop that recomputes them; the embedding scatter-add is a loop oneDNN has no primitive for.
#include "dnnl_support.hpp"
#include "isa_clones.hpp"
#include "parallel.hpp"
#include "rows.hpp"
#include "vector_math.hpp"

#include <cmath>
#include <cstring>

namespace heed::cpu {

namespace {

// With xhat = (x - mean) rstd and g = dy weight: dx = rstd (g - mean(g) - xhat mean(g xhat)), for
// the rows [begin, end). Compiled once per instruction set (the library is built for any x86-64),
// so the 16 lanes are one AVX-512 register rather than four SSE ones.
template <bool weighted>
HEED_ISA_CLONES void layer_norm_backward_rows(
    const float* x_rows, const float* dy_rows, const float* weight, float* dx_rows, int64_t width, float eps, int64_t begin, int64_t end) {
  const float inverse_width = 1.0f / static_cast<float>(width);
  for (int64_t row = begin; row < end; ++row) {
    const float* x = x_rows + row * width;
    const float* dy = dy_rows + row * width;
    float* dx = dx_rows + row * width;
    // g = dy weight is stored first (dx never shares bytes with x or dy): rounded once, the same
    // value enters mean(g) and g - mean(g), which a fused multiply-add would otherwise take
    // unrounded, leaving the product's rounding error where the difference is exactly 0.
    if constexpr (weighted)
      for (int64_t i = 0; i < width; ++i) dx[i] = dy[i] * weight[i];
    const float* g_values = weighted ? dx : dy;
    auto g = [&](int64_t i) { return g_values[i]; };
    const float mean = vector_math::lane_sum(width, [&](int64_t i) { return x[i]; }) * inverse_width;
    const float variance = vector_math::lane_sum(width, [&](int64_t i) { return (x[i] - mean) * (x[i] - mean); }) * inverse_width;
    const float rstd = 1.0f / std::sqrt(variance + eps);
    const float g_mean = vector_math::lane_sum(width, g) * inverse_width;
    const float g_xhat_mean = vector_math::lane_sum(width, [&](int64_t i) { return g(i) * (x[i] - mean); }) * rstd * inverse_width;
    for (int64_t i = 0; i < width; ++i) dx[i] = rstd * (g(i) - g_mean - (x[i] - mean) * rstd * g_xhat_mean);
  }
}

template <bool weighted>
class LayerNormBackwardKernel final : public Kernel {
 public:
  LayerNormBackwardKernel(const float* x, const float* dy, const float* weight, float* dx, Rows rows, double eps)
      : x_(x), dy_(dy), weight_(weight), dx_(dx), rows_(rows), eps_(static_cast<float>(eps)) {}

  void run() override {
    parallel_ranges(rows_.rows, row_grain(rows_), [&](int64_t begin, int64_t end) {
      layer_norm_backward_rows<weighted>(x_, dy_, weight_, dx_, rows_.width, eps_, begin, end);
    });
  }

 private:
  const float* x_;
  const float* dy_;
  const float* weight_;  // null without a weight
  float* dx_;
  Rows rows_;
  float eps_;
};

// Deterministic scatter-add: each thread owns a range of table rows and walks every index in
// order, adding only the rows it owns, so sums happen in index order with no atomics.
class EmbeddingBackwardKernel final : public Kernel {
 public:
  EmbeddingBackwardKernel(const float* dy, const int32_t* indices, float* dtable, int64_t positions, int64_t table_rows, int64_t width)
      : dy_(dy), indices_(indices), dtable_(dtable), positions_(positions), table_rows_(table_rows), width_(width) {}

  void run() override {
    parallel_ranges(table_rows_, std::max<int64_t>(1, 4096 / std::max<int64_t>(width_, 1)), [&](int64_t begin, int64_t end) {
      std::memset(dtable_ + begin * width_, 0, static_cast<size_t>((end - begin) * width_) * sizeof(float));
      for (int64_t position = 0; position < positions_; ++position) {
        int64_t index = indices_[position];
        if (index < begin || index >= end) continue;  // another thread's row, or out of range
        float* out = dtable_ + index * width_;
        const float* in = dy_ + position * width_;
        for (int64_t i = 0; i < width_; ++i) out[i] += in[i];
      }
    });
  }

 private:
  const float* dy_;
  const int32_t* indices_;
  float* dtable_;
  int64_t positions_, table_rows_, width_;
};

template <typename T>
const T* input_as(const CompileContext& context, const Node& node, size_t index) {
  return reinterpret_cast<const T*>(context.input_address(node, index));
}

}  // namespace

// softmax: dx = y (dy - sum(dy y)); log_softmax: dx = dy - exp(y) sum(dy); y is the forward output.
std::unique_ptr<Kernel> make_softmax_backward(const CompileContext& context, NodeRef node) {
  Rows rows = rows_of(node.node.shape);
  if (rows.rows == 0) return nullptr;
  dnnl::memory::desc desc = dense_desc({rows.rows, rows.width}, f32);
  std::vector<std::pair<int, dnnl::memory>> arguments{{DNNL_ARG_DST, wrap(context, desc, context.input_address(node.node, 0))},
                                                      {DNNL_ARG_DIFF_DST, wrap(context, desc, context.input_address(node.node, 1))},
                                                      {DNNL_ARG_DIFF_SRC, wrap(context, desc, context.address(node.id))}};
  if (node.node.op == Op::SoftmaxBackward) {
    dnnl::softmax_forward::primitive_desc forward({dnnl::prop_kind::forward_training, desc, 1}, primitive_attributes(), context.engine());
    dnnl::softmax_backward::primitive_desc descriptor({desc, desc, 1}, primitive_attributes(), context.engine(), forward);
    return primitive_kernel<dnnl::softmax_backward>(context, descriptor, std::move(arguments));
  }
  dnnl::logsoftmax_forward::primitive_desc forward({dnnl::prop_kind::forward_training, desc, 1}, primitive_attributes(), context.engine());
  dnnl::logsoftmax_backward::primitive_desc descriptor({desc, desc, 1}, primitive_attributes(), context.engine(), forward);
  return primitive_kernel<dnnl::logsoftmax_backward>(context, descriptor, std::move(arguments));
}

std::unique_ptr<Kernel> make_layer_norm_backward(const CompileContext& context, NodeRef node) {
  Rows rows = rows_of(node.node.shape);
  if (rows.rows == 0) return nullptr;
  const float* x = input_as<float>(context, node.node, 0);
  const float* dy = input_as<float>(context, node.node, 1);
  auto* dx = reinterpret_cast<float*>(context.address(node.id));
  if (node.node.inputs.size() > 2)
    return std::make_unique<LayerNormBackwardKernel<true>>(x, dy, input_as<float>(context, node.node, 2), dx, rows, node.node.attrs.value);
  return std::make_unique<LayerNormBackwardKernel<false>>(x, dy, nullptr, dx, rows, node.node.attrs.value);
}

std::unique_ptr<Kernel> make_embedding_backward(const CompileContext& context, NodeRef node) {
  const Shape& shape = node.node.shape;  // [rows, width]
  if (element_count(shape) == 0) return nullptr;
  return std::make_unique<EmbeddingBackwardKernel>(input_as<float>(context, node.node, 0), input_as<int32_t>(context, node.node, 1),
                                                   reinterpret_cast<float*>(context.address(node.id)), element_count(context.input(node.node, 1).shape),
                                                   shape[0], shape[1]);
}

}  // namespace heed::cpu
