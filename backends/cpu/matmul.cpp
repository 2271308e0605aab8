// Batched matmul on oneDNN's matmul primitive. Transposes are strides of the operand's
// descriptor, never a copy; broadcast batch axes are size-1 dims, which oneDNN broadcasts. A
// product whose right operand is one matrix for every batch folds the batch into m, so a
// Linear layer on [batch, tokens, features] is a single plain GEMM.
#include "dnnl_support.hpp"

namespace heed::cpu {

namespace {

Shape padded(const Shape& shape, size_t rank) {
  Shape result(rank - shape.size(), 1);
  result.insert(result.end(), shape.begin(), shape.end());
  return result;
}

// One merged batch axis: neighbouring axes that both operands either walk fully or broadcast.
struct BatchAxis {
  int64_t dim;
  bool a_full, b_full;
  int64_t a_stride, b_stride;  // of the innermost axis merged in
};

}  // namespace

std::unique_ptr<Kernel> make_matmul(const CompileContext& context, NodeRef node) {
  const Shape& out = node.node.shape;
  const size_t rank = out.size(), batch_rank = rank - 2;
  const bool transpose_a = node.node.attrs.transpose_a, transpose_b = node.node.attrs.transpose_b;
  Shape a_shape = padded(context.input(node.node, 0).shape, rank), b_shape = padded(context.input(node.node, 1).shape, rank);
  std::vector<int64_t> a_strides = dense_strides(a_shape), b_strides = dense_strides(b_shape);
  int64_t m = out[rank - 2], n = out[rank - 1], k = transpose_a ? a_shape[rank - 2] : a_shape[rank - 1];
  if (element_count(out) == 0) return nullptr;
  if (k == 0) return zero_kernel(context.address(node.id), element_count(out) * 4);

  std::vector<BatchAxis> batch;
  for (size_t axis = 0; axis < batch_rank; ++axis) {
    if (out[axis] == 1) continue;
    bool a_full = a_shape[axis] == out[axis], b_full = b_shape[axis] == out[axis];
    if (!batch.empty() && batch.back().a_full == a_full && batch.back().b_full == b_full) {
      batch.back().dim *= out[axis];
      batch.back().a_stride = a_strides[axis];
      batch.back().b_stride = b_strides[axis];
    } else {
      batch.push_back({out[axis], a_full, b_full, a_strides[axis], b_strides[axis]});
    }
  }
  bool fold = !transpose_a;
  for (const BatchAxis& axis : batch) fold = fold && !axis.b_full;
  int64_t rows = m;
  if (fold) {
    for (const BatchAxis& axis : batch) rows *= axis.dim;
    batch.clear();
  }
  if (batch.size() + 2 > static_cast<size_t>(DNNL_MAX_NDIMS))
    fail("cpu backend: {} has more than {} separate batch axes", describe_node(context, node), DNNL_MAX_NDIMS - 2);

  dnnl::memory::dims a_dims, a_layout, b_dims, b_layout, out_dims;
  for (const BatchAxis& axis : batch) {
    a_dims.push_back(axis.a_full ? axis.dim : 1);
    a_layout.push_back(axis.a_full ? axis.a_stride : rows * k);
    b_dims.push_back(axis.b_full ? axis.dim : 1);
    b_layout.push_back(axis.b_full ? axis.b_stride : k * n);
    out_dims.push_back(axis.dim);
  }
  a_dims.insert(a_dims.end(), {rows, k});
  a_layout.insert(a_layout.end(), {transpose_a ? 1 : k, transpose_a ? rows : 1});
  b_dims.insert(b_dims.end(), {k, n});
  b_layout.insert(b_layout.end(), {transpose_b ? 1 : n, transpose_b ? k : 1});
  out_dims.insert(out_dims.end(), {rows, n});

  dnnl::memory::desc a_desc = strided_desc(a_dims, f32, a_layout), b_desc = strided_desc(b_dims, f32, b_layout);
  dnnl::memory::desc out_desc = dense_desc(Shape(out_dims.begin(), out_dims.end()), f32);
  dnnl::matmul::desc operation(a_desc, b_desc, out_desc);
  dnnl::matmul::primitive_desc descriptor(operation, primitive_attributes(), context.engine());
  return primitive_kernel<dnnl::matmul>(context, descriptor,
                                        {{DNNL_ARG_SRC, wrap(context, a_desc, context.input_address(node.node, 0))},
                                         {DNNL_ARG_WEIGHTS, wrap(context, b_desc, context.input_address(node.node, 1))},
                                         {DNNL_ARG_DST, wrap(context, out_desc, context.address(node.id))}});
}

}  // namespace heed::cpu
