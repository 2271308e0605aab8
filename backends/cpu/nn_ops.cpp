// Forward NN ops over the last axis. Softmax, log-softmax and layer norm run on oneDNN; the
// embedding gather and cross-entropy, which oneDNN lacks, are loops over rows.
#include "dnnl_support.hpp"
#include "parallel.hpp"
#include "rows.hpp"

#include <cmath>
#include <cstring>

namespace heed::cpu {

namespace {

class EmbeddingKernel final : public Kernel {
 public:
  EmbeddingKernel(const float* table, int64_t table_rows, const int32_t* indices, float* output, Rows rows)
      : table_(table), table_rows_(table_rows), indices_(indices), output_(output), rows_(rows) {}

  void run() override {
    parallel_ranges(rows_.rows, std::max<int64_t>(1, 16384 / rows_.width), [&](int64_t begin, int64_t end) {
      auto bytes = static_cast<size_t>(rows_.width) * sizeof(float);
      for (int64_t row = begin; row < end; ++row) {
        int64_t index = indices_[row];
        float* out = output_ + row * rows_.width;
        if (index >= 0 && index < table_rows_) std::memcpy(out, table_ + index * rows_.width, bytes);
        else std::memset(out, 0, bytes);  // an index outside the table gives a zero row
      }
    });
  }

 private:
  const float* table_;
  int64_t table_rows_;
  const int32_t* indices_;
  float* output_;
  Rows rows_;
};

class CrossEntropyKernel final : public Kernel {
 public:
  CrossEntropyKernel(const float* logits, const int32_t* targets, float* output, Rows rows, int64_t ignore_index)
      : logits_(logits), targets_(targets), output_(output), rows_(rows), ignore_index_(ignore_index), losses_(static_cast<size_t>(rows.rows)),
        counted_(static_cast<size_t>(rows.rows)) {}

  void run() override {
    // Per-row losses go to a buffer sized at compile time and are summed in row order, so the
    // result does not depend on the thread count.
    parallel_ranges(rows_.rows, std::max<int64_t>(1, 4096 / rows_.width), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        int64_t target = targets_[row];
        counted_[static_cast<size_t>(row)] = target != ignore_index_ && target >= 0 && target < rows_.width;
        if (!counted_[static_cast<size_t>(row)]) continue;
        const float* x = logits_ + row * rows_.width;
        float largest = x[0];
        for (int64_t i = 1; i < rows_.width; ++i) largest = std::max(largest, x[i]);
        double total = 0;
        for (int64_t i = 0; i < rows_.width; ++i) total += std::exp(static_cast<double>(x[i] - largest));
        losses_[static_cast<size_t>(row)] = std::log(total) + largest - x[target];
      }
    });
    double sum = 0;
    int64_t counted = 0;
    for (size_t row = 0; row < losses_.size(); ++row)
      if (counted_[row]) {
        sum += losses_[row];
        ++counted;
      }
    *output_ = counted == 0 ? 0.0f : static_cast<float>(sum / static_cast<double>(counted));
  }

 private:
  const float* logits_;
  const int32_t* targets_;
  float* output_;
  Rows rows_;
  int64_t ignore_index_;
  std::vector<double> losses_;
  std::vector<uint8_t> counted_;
};

}  // namespace

std::unique_ptr<Kernel> make_softmax(const CompileContext& context, NodeRef node) {
  Rows rows = rows_of(node.node.shape);
  if (rows.rows == 0) return nullptr;
  dnnl::memory::desc desc = dense_desc({rows.rows, rows.width}, f32);
  std::vector<std::pair<int, dnnl::memory>> arguments{{DNNL_ARG_SRC, wrap(context, desc, context.input_address(node.node, 0))},
                                                      {DNNL_ARG_DST, wrap(context, desc, context.address(node.id))}};
  if (node.node.op == Op::Softmax) {
    dnnl::softmax_forward::desc operation(dnnl::prop_kind::forward_inference, desc, 1);
    return primitive_kernel<dnnl::softmax_forward>(context, {operation, primitive_attributes(), context.engine()}, std::move(arguments));
  }
  dnnl::logsoftmax_forward::desc operation(dnnl::prop_kind::forward_inference, desc, 1);
  return primitive_kernel<dnnl::logsoftmax_forward>(context, {operation, primitive_attributes(), context.engine()}, std::move(arguments));
}

std::unique_ptr<Kernel> make_layer_norm(const CompileContext& context, NodeRef node) {
  Rows rows = rows_of(node.node.shape);
  if (rows.rows == 0) return nullptr;
  dnnl::memory::desc desc = dense_desc({rows.rows, rows.width}, f32), statistics = dense_desc({rows.rows}, f32);
  dnnl::memory::desc parameter = dense_desc({rows.width}, f32);
  std::vector<std::pair<int, dnnl::memory>> arguments{{DNNL_ARG_SRC, wrap(context, desc, context.input_address(node.node, 0))},
                                                      {DNNL_ARG_DST, wrap(context, desc, context.address(node.id))}};
  auto flags = dnnl::normalization_flags::none;
  if (node.node.inputs.size() > 1) {
    flags = flags | dnnl::normalization_flags::use_scale;
    arguments.emplace_back(DNNL_ARG_SCALE, wrap(context, parameter, context.input_address(node.node, 1)));
  }
  if (node.node.inputs.size() > 2) {
    flags = flags | dnnl::normalization_flags::use_shift;
    arguments.emplace_back(DNNL_ARG_SHIFT, wrap(context, parameter, context.input_address(node.node, 2)));
  }
  // Inference: oneDNN computes the row statistics into the scratchpad instead of outputs.
  dnnl::layer_normalization_forward::desc operation(dnnl::prop_kind::forward_inference, desc, statistics,
                                                    static_cast<float>(node.node.attrs.value), flags);
  return primitive_kernel<dnnl::layer_normalization_forward>(context, {operation, primitive_attributes(), context.engine()},
                                                             std::move(arguments));
}

std::unique_ptr<Kernel> make_embedding(const CompileContext& context, NodeRef node) {
  Rows rows = rows_of(node.node.shape);
  if (rows.rows == 0 || rows.width == 0) return nullptr;
  return std::make_unique<EmbeddingKernel>(reinterpret_cast<const float*>(context.input_address(node.node, 0)), context.input(node.node, 0).shape[0],
                                           reinterpret_cast<const int32_t*>(context.input_address(node.node, 1)),
                                           reinterpret_cast<float*>(context.address(node.id)), rows);
}

std::unique_ptr<Kernel> make_cross_entropy(const CompileContext& context, NodeRef node) {
  return std::make_unique<CrossEntropyKernel>(reinterpret_cast<const float*>(context.input_address(node.node, 0)),
                                              reinterpret_cast<const int32_t*>(context.input_address(node.node, 1)),
                                              reinterpret_cast<float*>(context.address(node.id)), rows_of(context.input(node.node, 0).shape),
                                              node.node.attrs.ignore_index);
}

}  // namespace heed::cpu
