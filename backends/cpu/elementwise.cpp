// One-input elementwise ops on oneDNN's eltwise primitive, and the elementwise ops oneDNN has
// no primitive for (pow, where) as strided loops that broadcast numpy-style. Log is a loop
// too: oneDNN 2.6's eltwise_log is off by up to 7e-5 relative near x = 1, where log is small.
#include "dnnl_support.hpp"
#include "parallel.hpp"

#include <cmath>
#include <limits>

namespace heed::cpu {

namespace {

struct EltwiseAlgorithm {
  dnnl::algorithm algorithm;
  float alpha = 0, beta = 0;  // oneDNN's parameters: linear is alpha x + beta, pow is alpha x^beta
};

EltwiseAlgorithm eltwise_algorithm(Op op) {
  using dnnl::algorithm;
  switch (op) {
    case Op::Neg: return {algorithm::eltwise_linear, -1.0f, 0.0f};
    case Op::Exp: return {algorithm::eltwise_exp};
    case Op::Sqrt: return {algorithm::eltwise_sqrt};
    case Op::Rsqrt: return {algorithm::eltwise_pow, 1.0f, -0.5f};
    case Op::Tanh: return {algorithm::eltwise_tanh};
    case Op::Sigmoid: return {algorithm::eltwise_logistic};
    case Op::Relu: return {algorithm::eltwise_relu, 0.0f};
    default: fail("cpu backend: {} is not a one-input elementwise op", op_name(op));
  }
}

class LogKernel final : public Kernel {
 public:
  LogKernel(const float* input, float* output, int64_t count) : input_(input), output_(output), count_(count) {}
  void run() override {
    parallel_ranges(count_, 4096, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) output_[i] = std::log(input_[i]);
    });
  }

 private:
  const float* input_;
  float* output_;
  int64_t count_;
};

class PowKernel final : public Kernel {
 public:
  PowKernel(const float* base, const float* exponent, float* output, StridedLoop<2> loop)
      : base_(base), exponent_(exponent), output_(output), loop_(loop) {}

  void run() override {
    run_strided_loop(loop_, 4096, [&](int64_t position, const std::array<int64_t, 2>& offsets, const std::array<int64_t, 2>& strides, int64_t length) {
      const float* a = base_ + offsets[0];
      const float* b = exponent_ + offsets[1];
      float* out = output_ + position;
      for (int64_t j = 0; j < length; ++j) out[j] = std::pow(a[j * strides[0]], b[j * strides[1]]);
    });
  }

 private:
  const float* base_;
  const float* exponent_;
  float* output_;
  StridedLoop<2> loop_;
};

// The condition may be f32 or i32 and the values either dtype; the values are copied as 4-byte
// words, which is exact for both.
template <typename Condition>
class WhereKernel final : public Kernel {
 public:
  WhereKernel(const Condition* condition, const uint32_t* then, const uint32_t* otherwise, uint32_t* output, StridedLoop<3> loop)
      : condition_(condition), then_(then), otherwise_(otherwise), output_(output), loop_(loop) {}

  void run() override {
    run_strided_loop(loop_, elementwise_grain,
                     [&](int64_t position, const std::array<int64_t, 3>& offsets, const std::array<int64_t, 3>& strides, int64_t length) {
                       const Condition* c = condition_ + offsets[0];
                       const uint32_t* t = then_ + offsets[1];
                       const uint32_t* o = otherwise_ + offsets[2];
                       uint32_t* out = output_ + position;
                       // Masks and relu gradients read whole rows and a scalar: loops the compiler vectorises.
                       if (strides[0] == 1 && strides[1] == 1 && strides[2] == 1) {
                         for (int64_t j = 0; j < length; ++j) out[j] = c[j] != 0 ? t[j] : o[j];
                       } else if (strides[0] == 1 && strides[1] == 1 && strides[2] == 0) {
                         const uint32_t scalar = o[0];
                         for (int64_t j = 0; j < length; ++j) out[j] = c[j] != 0 ? t[j] : scalar;
                       } else if (strides[0] == 1 && strides[1] == 0 && strides[2] == 1) {
                         const uint32_t scalar = t[0];
                         for (int64_t j = 0; j < length; ++j) out[j] = c[j] != 0 ? scalar : o[j];
                       } else {
                         for (int64_t j = 0; j < length; ++j) out[j] = c[j * strides[0]] != 0 ? t[j * strides[1]] : o[j * strides[2]];
                       }
                     });
  }

 private:
  const Condition* condition_;
  const uint32_t* then_;
  const uint32_t* otherwise_;
  uint32_t* output_;
  StridedLoop<3> loop_;
};

}  // namespace

std::unique_ptr<Kernel> make_unary(const CompileContext& context, NodeRef node) {
  int64_t count = element_count(node.node.shape);
  if (count == 0) return nullptr;
  if (node.node.op == Op::Log)
    return std::make_unique<LogKernel>(reinterpret_cast<const float*>(context.input_address(node.node, 0)),
                                       reinterpret_cast<float*>(context.address(node.id)), count);
  EltwiseAlgorithm algorithm = eltwise_algorithm(node.node.op);
  dnnl::memory::desc desc = dense_desc({count}, f32);
  dnnl::eltwise_forward::desc operation(dnnl::prop_kind::forward_inference, algorithm.algorithm, desc, algorithm.alpha, algorithm.beta);
  dnnl::eltwise_forward::primitive_desc descriptor(operation, primitive_attributes(), context.engine());
  return primitive_kernel<dnnl::eltwise_forward>(
      context, descriptor,
      {{DNNL_ARG_SRC, wrap(context, desc, context.input_address(node.node, 0))}, {DNNL_ARG_DST, wrap(context, desc, context.address(node.id))}});
}

std::unique_ptr<Kernel> make_pow(const CompileContext& context, NodeRef node) {
  const Shape& shape = node.node.shape;
  StridedLoop<2> loop = make_strided_loop<2>(
      shape, {broadcast_strides(context.input(node.node, 0).shape, shape), broadcast_strides(context.input(node.node, 1).shape, shape)},
      describe_node(context.graph(), node.node));
  return std::make_unique<PowKernel>(reinterpret_cast<const float*>(context.input_address(node.node, 0)),
                                     reinterpret_cast<const float*>(context.input_address(node.node, 1)),
                                     reinterpret_cast<float*>(context.address(node.id)), loop);
}

std::unique_ptr<Kernel> make_where(const CompileContext& context, NodeRef node) {
  const Shape& shape = node.node.shape;
  StridedLoop<3> loop = make_strided_loop<3>(shape,
                                             {broadcast_strides(context.input(node.node, 0).shape, shape),
                                              broadcast_strides(context.input(node.node, 1).shape, shape),
                                              broadcast_strides(context.input(node.node, 2).shape, shape)},
                                             describe_node(context.graph(), node.node));
  const auto* then = reinterpret_cast<const uint32_t*>(context.input_address(node.node, 1));
  const auto* otherwise = reinterpret_cast<const uint32_t*>(context.input_address(node.node, 2));
  auto* output = reinterpret_cast<uint32_t*>(context.address(node.id));
  if (context.input(node.node, 0).dtype == f32)
    return std::make_unique<WhereKernel<float>>(reinterpret_cast<const float*>(context.input_address(node.node, 0)), then, otherwise, output, loop);
  return std::make_unique<WhereKernel<int32_t>>(reinterpret_cast<const int32_t*>(context.input_address(node.node, 0)), then, otherwise, output,
                                                loop);
}

}  // namespace heed::cpu
