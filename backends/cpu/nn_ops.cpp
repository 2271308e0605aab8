// Forward NN ops over the last axis. Softmax, log-softmax and layer norm run on oneDNN; the
// embedding gather, which oneDNN lacks, is a loop over rows.
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

}  // namespace

std::unique_ptr<Kernel> softmax_primitive(const CompileContext& context, bool logarithmic, Rows rows, const std::byte* source,
                                          std::byte* destination) {
  dnnl::memory::desc desc = dense_desc({rows.rows, rows.width}, f32);
  std::vector<std::pair<int, dnnl::memory>> arguments{{DNNL_ARG_SRC, wrap(context, desc, const_cast<std::byte*>(source))},
                                                      {DNNL_ARG_DST, wrap(context, desc, destination)}};
  if (!logarithmic) {
    dnnl::softmax_forward::desc operation(dnnl::prop_kind::forward_inference, desc, 1);
    return primitive_kernel<dnnl::softmax_forward>(context, {operation, primitive_attributes(), context.engine()}, std::move(arguments));
  }
  dnnl::logsoftmax_forward::desc operation(dnnl::prop_kind::forward_inference, desc, 1);
  return primitive_kernel<dnnl::logsoftmax_forward>(context, {operation, primitive_attributes(), context.engine()}, std::move(arguments));
}

std::unique_ptr<Kernel> make_softmax(const CompileContext& context, NodeRef node) {
  Rows rows = rows_of(node.node.shape);
  if (rows.rows == 0) return nullptr;
  return softmax_primitive(context, node.node.op == Op::LogSoftmax, rows, context.input_address(node.node, 0), context.address(node.id));
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

}  // namespace heed::cpu
