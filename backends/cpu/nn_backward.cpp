// The dedicated backward ops the VJPs emit. Gelu's is oneDNN's eltwise backward; the row ops are
// loops over rows with double accumulators for the per-row sums: oneDNN's softmax and layer norm
// backward primitives want statistics and forward outputs these graphs do not keep, and the
// formulas are short.
#include "dnnl_support.hpp"
#include "parallel.hpp"
#include "rows.hpp"

#include <cmath>
#include <cstring>

namespace heed::cpu {

namespace {

// softmax: dx = y (dy - sum(dy y)); log_softmax: dx = dy - exp(y) sum(dy).
class SoftmaxBackwardKernel final : public Kernel {
 public:
  SoftmaxBackwardKernel(bool logarithmic, const float* y, const float* dy, float* dx, Rows rows)
      : logarithmic_(logarithmic), y_(y), dy_(dy), dx_(dx), rows_(rows) {}

  void run() override {
    parallel_ranges(rows_.rows, row_grain(rows_), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        const float* y = y_ + row * rows_.width;
        const float* dy = dy_ + row * rows_.width;
        float* dx = dx_ + row * rows_.width;
        double total = 0;
        if (logarithmic_) {
          for (int64_t i = 0; i < rows_.width; ++i) total += dy[i];
          auto sum = static_cast<float>(total);
          for (int64_t i = 0; i < rows_.width; ++i) dx[i] = dy[i] - std::exp(y[i]) * sum;
        } else {
          for (int64_t i = 0; i < rows_.width; ++i) total += static_cast<double>(dy[i]) * y[i];
          auto sum = static_cast<float>(total);
          for (int64_t i = 0; i < rows_.width; ++i) dx[i] = y[i] * (dy[i] - sum);
        }
      }
    });
  }

 private:
  bool logarithmic_;
  const float* y_;
  const float* dy_;
  float* dx_;
  Rows rows_;
};

// With xhat = (x - mean) rstd and g = dy weight: dx = rstd (g - mean(g) - xhat mean(g xhat)).
class LayerNormBackwardKernel final : public Kernel {
 public:
  LayerNormBackwardKernel(const float* x, const float* dy, const float* weight, float* dx, Rows rows, double eps)
      : x_(x), dy_(dy), weight_(weight), dx_(dx), rows_(rows), eps_(eps) {}

  void run() override {
    parallel_ranges(rows_.rows, row_grain(rows_), [&](int64_t begin, int64_t end) {
      const auto width = static_cast<double>(rows_.width);
      for (int64_t row = begin; row < end; ++row) {
        const float* x = x_ + row * rows_.width;
        const float* dy = dy_ + row * rows_.width;
        float* dx = dx_ + row * rows_.width;
        double sum = 0;
        for (int64_t i = 0; i < rows_.width; ++i) sum += x[i];
        double mean = sum / width, squares = 0;
        for (int64_t i = 0; i < rows_.width; ++i) squares += (x[i] - mean) * (x[i] - mean);
        double rstd = 1.0 / std::sqrt(squares / width + eps_);
        double g_sum = 0, g_xhat_sum = 0;
        for (int64_t i = 0; i < rows_.width; ++i) {
          double g = weight_ ? static_cast<double>(dy[i]) * weight_[i] : dy[i];
          g_sum += g;
          g_xhat_sum += g * (x[i] - mean) * rstd;
        }
        double g_mean = g_sum / width, g_xhat_mean = g_xhat_sum / width;
        for (int64_t i = 0; i < rows_.width; ++i) {
          double g = weight_ ? static_cast<double>(dy[i]) * weight_[i] : dy[i];
          dx[i] = static_cast<float>(rstd * (g - g_mean - (x[i] - mean) * rstd * g_xhat_mean));
        }
      }
    });
  }

 private:
  const float* x_;
  const float* dy_;
  const float* weight_;  // null without a weight
  float* dx_;
  Rows rows_;
  double eps_;
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

// dlogits = dloss (softmax(row) - one_hot(target)) / count on counted rows, 0 elsewhere.
class CrossEntropyBackwardKernel final : public Kernel {
 public:
  CrossEntropyBackwardKernel(const float* logits, const int32_t* targets, const float* dloss, float* dlogits, Rows rows, int64_t ignore_index)
      : logits_(logits), targets_(targets), dloss_(dloss), dlogits_(dlogits), rows_(rows), ignore_index_(ignore_index) {}

  bool counts(int64_t target) const { return target != ignore_index_ && target >= 0 && target < rows_.width; }

  void run() override {
    int64_t counted = 0;
    for (int64_t row = 0; row < rows_.rows; ++row) counted += counts(targets_[row]);
    const double scale = counted == 0 ? 0.0 : static_cast<double>(*dloss_) / static_cast<double>(counted);
    parallel_ranges(rows_.rows, row_grain(rows_), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        const float* x = logits_ + row * rows_.width;
        float* dx = dlogits_ + row * rows_.width;
        int64_t target = targets_[row];
        if (!counts(target)) {
          std::memset(dx, 0, static_cast<size_t>(rows_.width) * sizeof(float));
          continue;
        }
        float largest = x[0];
        for (int64_t i = 1; i < rows_.width; ++i) largest = std::max(largest, x[i]);
        double total = 0;
        for (int64_t i = 0; i < rows_.width; ++i) total += std::exp(static_cast<double>(x[i] - largest));
        double factor = scale / total;
        for (int64_t i = 0; i < rows_.width; ++i) dx[i] = static_cast<float>(std::exp(static_cast<double>(x[i] - largest)) * factor);
        dx[target] = static_cast<float>(static_cast<double>(dx[target]) - scale);
      }
    });
  }

 private:
  const float* logits_;
  const int32_t* targets_;
  const float* dloss_;
  float* dlogits_;
  Rows rows_;
  int64_t ignore_index_;
};

template <typename T>
const T* input_as(const CompileContext& context, const Node& node, size_t index) {
  return reinterpret_cast<const T*>(context.input_address(node, index));
}

}  // namespace

std::unique_ptr<Kernel> make_softmax_backward(const CompileContext& context, NodeRef node) {
  Rows rows = rows_of(node.node.shape);
  if (rows.rows == 0) return nullptr;
  return std::make_unique<SoftmaxBackwardKernel>(node.node.op == Op::LogSoftmaxBackward, input_as<float>(context, node.node, 0),
                                                 input_as<float>(context, node.node, 1), reinterpret_cast<float*>(context.address(node.id)), rows);
}

std::unique_ptr<Kernel> make_layer_norm_backward(const CompileContext& context, NodeRef node) {
  Rows rows = rows_of(node.node.shape);
  if (rows.rows == 0) return nullptr;
  const float* weight = node.node.inputs.size() > 2 ? input_as<float>(context, node.node, 2) : nullptr;
  return std::make_unique<LayerNormBackwardKernel>(input_as<float>(context, node.node, 0), input_as<float>(context, node.node, 1), weight,
                                                   reinterpret_cast<float*>(context.address(node.id)), rows, node.node.attrs.value);
}

std::unique_ptr<Kernel> make_embedding_backward(const CompileContext& context, NodeRef node) {
  const Shape& shape = node.node.shape;  // [rows, width]
  if (element_count(shape) == 0) return nullptr;
  return std::make_unique<EmbeddingBackwardKernel>(input_as<float>(context, node.node, 0), input_as<int32_t>(context, node.node, 1),
                                                   reinterpret_cast<float*>(context.address(node.id)), element_count(context.input(node.node, 1).shape),
                                                   shape[0], shape[1]);
}

std::unique_ptr<Kernel> make_cross_entropy_backward(const CompileContext& context, NodeRef node) {
  Rows rows = rows_of(node.node.shape);
  if (rows.rows == 0) return nullptr;
  return std::make_unique<CrossEntropyBackwardKernel>(input_as<float>(context, node.node, 0), input_as<int32_t>(context, node.node, 1),
                                                      input_as<float>(context, node.node, 2), reinterpret_cast<float*>(context.address(node.id)), rows,
                                                      node.node.attrs.ignore_index);
}

// dy (Phi(x) + x phi(x)): oneDNN's gelu_erf backward, which needs a forward descriptor as a hint
// but never runs the forward.
std::unique_ptr<Kernel> make_gelu_backward(const CompileContext& context, NodeRef node) {
  int64_t count = element_count(node.node.shape);
  if (count == 0) return nullptr;
  dnnl::memory::desc desc = dense_desc({count}, f32);
  dnnl::eltwise_forward::primitive_desc forward(
      {dnnl::prop_kind::forward_training, dnnl::algorithm::eltwise_gelu_erf, desc, 0.0f, 0.0f}, primitive_attributes(), context.engine());
  dnnl::eltwise_backward::primitive_desc descriptor({dnnl::algorithm::eltwise_gelu_erf, desc, desc, 0.0f, 0.0f}, primitive_attributes(),
                                                    context.engine(), forward);
  return primitive_kernel<dnnl::eltwise_backward>(context, descriptor,
                                                  {{DNNL_ARG_SRC, wrap(context, desc, context.input_address(node.node, 0))},
                                                   {DNNL_ARG_DIFF_DST, wrap(context, desc, context.input_address(node.node, 1))},
                                                   {DNNL_ARG_DIFF_SRC, wrap(context, desc, context.address(node.id))}});
}

}  // namespace heed::cpu
