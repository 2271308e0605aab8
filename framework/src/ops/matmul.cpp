// Batched matmul with transposes and broadcast batch axes, and its VJP.
#include "vjp.hpp"

#include <heed/error.hpp>

namespace heed {

Tensor matmul(Tensor a, Tensor b, bool transpose_a, bool transpose_b) {
  if (&a.graph() != &b.graph()) fail("matmul: inputs belong to different graphs");
  // f32 operands, or bf16 ones: their products are exact in f32 and summed there, so the result
  // is f32 either way.
  if (!((a.dtype() == f32 && b.dtype() == f32) || (a.dtype() == bf16 && b.dtype() == bf16)))
    fail("matmul: takes two f32 or two bf16 operands, got {} and {}", describe(a), describe(b));
  if (a.rank() < 2 || b.rank() < 2) fail("matmul: both inputs need rank >= 2, got {} and {}", describe(a), describe(b));
  int64_t m = transpose_a ? a.dim(-1) : a.dim(-2), k_a = transpose_a ? a.dim(-2) : a.dim(-1);
  int64_t k_b = transpose_b ? b.dim(-1) : b.dim(-2), n = transpose_b ? b.dim(-2) : b.dim(-1);
  if (k_a != k_b)
    fail("matmul: inner dimensions differ: {}{} x {}{} ({} vs {})", describe(a), transpose_a ? "^T" : "", describe(b),
         transpose_b ? "^T" : "", k_a, k_b);
  Shape batch_a(a.shape().begin(), a.shape().end() - 2), batch_b(b.shape().begin(), b.shape().end() - 2);
  Shape shape = broadcast_shapes(batch_a, batch_b, "matmul (batch axes)");
  shape.push_back(m);
  shape.push_back(n);
  Attributes attrs;
  attrs.transpose_a = transpose_a;
  attrs.transpose_b = transpose_b;
  return a.graph().add_node(Op::Matmul, f32, std::move(shape), {a, b}, attrs);
}

namespace vjp {

// With A = op(a), B = op(b) and C = A B: dA = dC B^T and dB = A^T dC, transposed back where the
// operand was transposed, then summed over batch axes that were broadcast.
std::vector<Tensor> matmul(Graph& graph, const Node& node, Tensor, Tensor grad) {
  Tensor a = detail::input(graph, node, 0), b = detail::input(graph, node, 1);
  bool ta = node.attrs.transpose_a, tb = node.attrs.transpose_b;
  // bf16 operands take the gradient in bf16 too, and get theirs back in bf16, summed over
  // broadcast batch axes in f32 first.
  const DType operands = a.dtype();
  Tensor g = heed::cast(grad, operands);
  Tensor da = ta ? heed::matmul(b, g, tb, true) : heed::matmul(g, b, false, !tb);
  Tensor db = tb ? heed::matmul(g, a, true, ta) : heed::matmul(a, g, !ta, false);
  return {heed::cast(sum_to(da, a.shape()), operands), heed::cast(sum_to(db, b.shape()), operands)};
}

}  // namespace vjp

}  // namespace heed
