// From an op to the factory that compiles it: the one table to extend when an op is added.
#include "kernel.hpp"

#include <array>

namespace heed::cpu {

namespace {

std::unique_ptr<Kernel> no_kernel(const CompileContext&, NodeRef) { return nullptr; }

constexpr std::array<KernelFactory, op_count> factories() {
  std::array<KernelFactory, op_count> table{};
  auto set = [&table](Op op, KernelFactory factory) { table[static_cast<size_t>(op)] = factory; };
  // Leaves have their own buffers, filled at compile time or by run(); aliases share their input's.
  for (Op op : {Op::Parameter, Op::State, Op::Input, Op::Constant, Op::Reshape, Op::StopGradient}) set(op, &no_kernel);
  set(Op::Full, &make_creation);
  set(Op::Arange, &make_creation);
  for (Op op : {Op::RandomUniform, Op::RandomNormal, Op::RandomGumbel}) set(op, &make_random);
  for (Op op : {Op::Neg, Op::Exp, Op::Log, Op::Sqrt, Op::Rsqrt, Op::Tanh, Op::Sigmoid, Op::Relu}) set(op, &make_unary);
  set(Op::Gelu, &make_gelu);
  set(Op::Cast, &make_cast);
  for (Op op : {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Equal, Op::NotEqual, Op::Less, Op::LessEqual, Op::Greater, Op::GreaterEqual})
    set(op, &make_binary);
  set(Op::Pow, &make_pow);
  set(Op::Where, &make_where);
  set(Op::Sum, &make_reduction);
  set(Op::Max, &make_reduction);
  set(Op::Argmax, &make_argmax);
  set(Op::Permute, &make_permute);
  set(Op::Slice, &make_slice);
  set(Op::Concat, &make_concat);
  set(Op::Broadcast, &make_broadcast);
  set(Op::Matmul, &make_matmul);
  set(Op::Softmax, &make_softmax);
  set(Op::LogSoftmax, &make_softmax);
  set(Op::LayerNorm, &make_layer_norm);
  set(Op::Embedding, &make_embedding);
  set(Op::CrossEntropy, &make_cross_entropy);
  set(Op::Attention, &make_attention);
  set(Op::AttentionStatistics, &make_attention_statistics);
  set(Op::SoftmaxBackward, &make_softmax_backward);
  set(Op::LogSoftmaxBackward, &make_softmax_backward);
  set(Op::LayerNormBackward, &make_layer_norm_backward);
  set(Op::EmbeddingBackward, &make_embedding_backward);
  set(Op::CrossEntropyBackward, &make_cross_entropy_backward);
  set(Op::GeluBackward, &make_gelu_backward);
  set(Op::AttentionBackward, &make_attention_backward);
  set(Op::AllReduce, &make_all_reduce);
  set(Op::SgdUpdate, &make_optimizer);
  set(Op::AdamWUpdate, &make_optimizer);
  set(Op::Assign, &make_assign);
  return table;
}

constexpr std::array<KernelFactory, op_count> factory_table = factories();

}  // namespace

bool has_kernel(Op op) { return static_cast<int>(op) < op_count && factory_table[static_cast<size_t>(op)] != nullptr; }

std::unique_ptr<Kernel> make_kernel(const CompileContext& context, NodeRef node) {
  if (!has_kernel(node.node.op)) fail("cpu backend: no kernel for {}", describe_node(context.graph(), node.node));
  try {
    return factory_table[static_cast<size_t>(node.node.op)](context, node);
  } catch (const dnnl::error& error) {
    fail("cpu backend: oneDNN cannot compile {}: {} (status {})", describe_node(context.graph(), node.node), error.what(), static_cast<int>(error.status));
  }
}

}  // namespace heed::cpu
