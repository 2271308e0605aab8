// Batched matmul on oneDNN's matmul primitive. Transposes are strides of the operand's
// descriptor, never a copy; broadcast batch axes are size-1 dims, which oneDNN broadcasts. A
// product whose right operand is one matrix for every batch folds the batch into m, so a
// Linear layer on [batch, tokens, features] is a single plain GEMM. A bias add (and an
// activation) scheduled right after the product become the primitive's bias and post-op.
#include "dnnl_support.hpp"
#include "gemv.hpp"
#include "parallel.hpp"


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

// The product as oneDNN sees it.
struct MatmulProblem {
  bool empty = false;       // no output element: nothing to do
  bool no_inner = false;    // k == 0: the output is all zeros
  dnnl::memory::desc a, b, out;
  int64_t multiply_adds = 0;
  // One row and no batch: a product gemv.cpp does by hand.
  bool single_row = false;
  bool transpose_b = false;
  int64_t k = 0, n = 0;
  // One [k, m]^T [k, n] product and no batch: a weight's gradient, X^T dY.
  bool transposed_left = false;
  int64_t m = 0;
  // One batch axis of products with one row, one column or k = 1 (addresses still unset).
  std::optional<SmallProducts> small;
  DType operands = f32;  // f32 or bf16; the hand-written kernels and sgemm take f32 only
};

// Products under this many multiply-adds (tens of microseconds on one core) run on the calling
// thread alone; see parallel_threshold. oneDNN plans a matmul's split over threads when the
// descriptor is made, so the count is set then too.
constexpr int64_t parallel_multiply_adds = int64_t{1} << 20;

Threads matmul_threads(const MatmulProblem& problem) { return problem.multiply_adds < parallel_multiply_adds ? Threads::One : Threads::All; }

MatmulProblem describe_problem(const CompileContext& context, NodeRef node) {
  const Shape& out = node.node.shape;
  const size_t rank = out.size(), batch_rank = rank - 2;
  const bool transpose_a = node.node.attrs.transpose_a, transpose_b = node.node.attrs.transpose_b;
  Shape a_shape = padded(context.input(node.node, 0).shape, rank), b_shape = padded(context.input(node.node, 1).shape, rank);
  std::vector<int64_t> a_strides = dense_strides(a_shape), b_strides = dense_strides(b_shape);
  int64_t m = out[rank - 2], n = out[rank - 1], k = transpose_a ? a_shape[rank - 2] : a_shape[rank - 1];
  MatmulProblem problem;
  problem.empty = element_count(out) == 0;
  problem.no_inner = k == 0;
  problem.multiply_adds = element_count(out) * k;
  if (problem.empty || problem.no_inner) return problem;

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
    fail("cpu backend: {} has more than {} separate batch axes", describe_node(context.graph(), node.node), DNNL_MAX_NDIMS - 2);

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
  problem.operands = context.input(node.node, 0).dtype;
  if (problem.operands == bf16) require_bf16_products(describe_node(context.graph(), node.node));
  const bool single_precision = problem.operands == f32;
  problem.single_row = single_precision && batch.empty() && rows == 1;
  if (single_precision && batch.size() == 1 && (rows == 1 || n == 1 || k == 1)) {
    const BatchAxis& axis = batch.front();
    problem.small = SmallProducts{nullptr, nullptr, nullptr, nullptr, axis.dim, rows, k, n,
                                  axis.a_full ? axis.a_stride : 0, transpose_a ? 1 : k, transpose_a ? rows : 1,
                                  axis.b_full ? axis.b_stride : 0, transpose_b ? 1 : n, transpose_b ? k : 1};
  }
  problem.transpose_b = transpose_b;
  problem.transposed_left = single_precision && batch.empty() && transpose_a;
  problem.m = rows;
  problem.k = k;
  problem.n = n;
  problem.a = strided_desc(a_dims, problem.operands, a_layout);
  problem.b = strided_desc(b_dims, problem.operands, b_layout);
  problem.out = dense_desc(Shape(out_dims.begin(), out_dims.end()), f32);
  return problem;
}

std::optional<dnnl::algorithm> activation_algorithm(Op op) {
  switch (op) {
    case Op::Relu: return dnnl::algorithm::eltwise_relu;
    case Op::Gelu: return dnnl::algorithm::eltwise_gelu_erf;
    case Op::Tanh: return dnnl::algorithm::eltwise_tanh;
    case Op::Sigmoid: return dnnl::algorithm::eltwise_logistic;
    default: return std::nullopt;
  }
}

// The hand-written kernel for a one-row product, when it covers the fused work.
std::optional<Gemv> single_row(const CompileContext& context, const MatmulProblem& problem, const Node& matmul_node, std::byte* out,
                               std::optional<dnnl::algorithm> activation = std::nullopt) {
  if (!problem.single_row || !context.fusion()) return std::nullopt;
  Gemv gemv{reinterpret_cast<const float*>(context.input_address(matmul_node, 0)), reinterpret_cast<const float*>(context.input_address(matmul_node, 1)),
            problem.transpose_b, problem.k, problem.n, reinterpret_cast<float*>(out)};
  if (activation) {
    if (*activation == dnnl::algorithm::eltwise_relu) gemv.activation = GemvActivation::Relu;
    else if (*activation == dnnl::algorithm::eltwise_tanh) gemv.activation = GemvActivation::Tanh;
    else if (*activation == dnnl::algorithm::eltwise_logistic) gemv.activation = GemvActivation::Sigmoid;
    else return std::nullopt;
  }
  return gemv;
}

std::optional<SmallProducts> small_products(const CompileContext& context, const MatmulProblem& problem, const Node& matmul_node, std::byte* out) {
  if (!problem.small || !context.fusion()) return std::nullopt;
  SmallProducts products = *problem.small;
  products.a = reinterpret_cast<const float*>(context.input_address(matmul_node, 0));
  products.b = reinterpret_cast<const float*>(context.input_address(matmul_node, 1));
  products.out = reinterpret_cast<float*>(out);
  return products;
}

// oneDNN 2.6's matmul primitive runs X^T dY, with X's rows thousands long, at 75-85 % of the
// speed of its sgemm (measured with cold caches on the reference workloads' shapes); on the
// other transposes the primitive is as fast or faster. sgemm's packing buffers are its own.
class TransposedLeftKernel final : public Kernel {
 public:
  TransposedLeftKernel(const MatmulProblem& problem, const float* a, const float* b, float* out)
      : problem_(problem), a_(a), b_(b), out_(out) {}
  void run() override {
    const MatmulProblem& p = problem_;
    dnnl_status_t status = dnnl_sgemm('T', p.transpose_b ? 'T' : 'N', p.m, p.n, p.k, 1.0f, a_, p.m, b_, p.transpose_b ? p.k : p.n, 0.0f, out_, p.n);
    if (status != dnnl_success) fail("cpu backend: oneDNN's sgemm failed on a [{}, {}]^T [{}, {}] product (status {})", p.k, p.m, p.k, p.n, static_cast<int>(status));
  }

 private:
  MatmulProblem problem_;
  const float *a_, *b_;
  float* out_;
};

}  // namespace

std::unique_ptr<Kernel> make_matmul(const CompileContext& context, NodeRef node) {
  MatmulProblem problem = describe_problem(context, node);
  if (problem.empty) return nullptr;
  if (problem.no_inner) return zero_kernel(context.address(node.id), element_count(node.node.shape) * 4);
  if (std::optional<Gemv> gemv = single_row(context, problem, node.node, context.address(node.id))) return gemv_kernel(*gemv);
  if (std::optional<SmallProducts> products = small_products(context, problem, node.node, context.address(node.id))) return small_products_kernel(*products);
  const Threads threads = matmul_threads(problem);
  if (problem.transposed_left && threads == Threads::All && context.fusion())
    return std::make_unique<TransposedLeftKernel>(problem, reinterpret_cast<const float*>(context.input_address(node.node, 0)),
                                                  reinterpret_cast<const float*>(context.input_address(node.node, 1)),
                                                  reinterpret_cast<float*>(context.address(node.id)));
  std::optional<ThreadCount> scope;
  if (threads == Threads::One) scope.emplace(1);
  dnnl::matmul::primitive_desc descriptor({problem.a, problem.b, problem.out}, primitive_attributes(), context.engine());
  return primitive_kernel<dnnl::matmul>(context, descriptor,
                                        {{DNNL_ARG_SRC, wrap(context, problem.a, context.input_address(node.node, 0))},
                                         {DNNL_ARG_WEIGHTS, wrap(context, problem.b, context.input_address(node.node, 1))},
                                         {DNNL_ARG_DST, wrap(context, problem.out, context.address(node.id))}},
                                        threads);
}

// A matmul group of the core's pass (heed/backend/kernel_groups.hpp) as one kernel at the
// matmul's position: oneDNN's bias and an eltwise post-op, or a binary add post-op that adds the
// other summand while the product is still in registers; the one-row and small products by hand.
namespace {

std::unique_ptr<Kernel> accumulate_kernel(const CompileContext& context, const MatmulGroup& group, const MatmulProblem& problem) {
  const Node& matmul_node = context.graph().node(group.matmul);
  if (std::optional<Gemv> gemv = single_row(context, problem, matmul_node, context.address(group.result))) {
    gemv->addend = reinterpret_cast<const float*>(context.address(group.addend));
    return gemv_kernel(*gemv);
  }
  if (std::optional<SmallProducts> products = small_products(context, problem, matmul_node, context.address(group.result))) {
    products->addend = reinterpret_cast<const float*>(context.address(group.addend));
    return small_products_kernel(*products);
  }
  const Threads threads = matmul_threads(problem);
  std::optional<ThreadCount> scope;
  if (threads == Threads::One) scope.emplace(1);
  dnnl::primitive_attr attributes = primitive_attributes();
  dnnl::post_ops post_ops;
  post_ops.append_binary(dnnl::algorithm::binary_add, problem.out);
  attributes.set_post_ops(post_ops);
  dnnl::matmul::primitive_desc descriptor({problem.a, problem.b, problem.out}, attributes, context.engine());
  return primitive_kernel<dnnl::matmul>(context, descriptor,
                                        {{DNNL_ARG_SRC, wrap(context, problem.a, context.input_address(matmul_node, 0))},
                                         {DNNL_ARG_WEIGHTS, wrap(context, problem.b, context.input_address(matmul_node, 1))},
                                         {DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, wrap(context, problem.out, context.address(group.addend))},
                                         {DNNL_ARG_DST, wrap(context, problem.out, context.address(group.result))}},
                                        threads);
}

std::unique_ptr<Kernel> bias_kernel(const CompileContext& context, const MatmulGroup& group, const MatmulProblem& problem) {
  const Node& matmul_node = context.graph().node(group.matmul);
  const std::optional<dnnl::algorithm> activation = group.activation ? activation_algorithm(*group.activation) : std::nullopt;
  if (group.activation && !activation) fail("cpu backend: {} is no matmul epilogue (internal error)", op_name(*group.activation));
  // A staged product goes to the matmul's own bytes, which never overlap its inputs, and is
  // moved into place once read: still one pass instead of one per node of the group.
  const NodeId destination = group.staged ? group.matmul : group.result;
  std::unique_ptr<Kernel> kernel;
  if (std::optional<Gemv> gemv = single_row(context, problem, matmul_node, context.address(destination), activation)) {
    gemv->bias = reinterpret_cast<const float*>(context.address(group.addend));
    kernel = gemv_kernel(*gemv);
  } else {
    const Threads threads = matmul_threads(problem);
    std::optional<ThreadCount> scope;
    if (threads == Threads::One) scope.emplace(1);
    dnnl::memory::dims bias_dims(static_cast<size_t>(problem.out.dims().size()), 1);
    bias_dims.back() = matmul_node.shape.back();
    dnnl::memory::desc bias_desc = dense_desc(Shape(bias_dims.begin(), bias_dims.end()), f32);
    dnnl::primitive_attr attributes = primitive_attributes();
    if (activation) {
      dnnl::post_ops post_ops;
      post_ops.append_eltwise(1.0f, *activation, 0.0f, 0.0f);
      attributes.set_post_ops(post_ops);
    }
    dnnl::matmul::primitive_desc descriptor({problem.a, problem.b, bias_desc, problem.out}, attributes, context.engine());
    kernel = primitive_kernel<dnnl::matmul>(context, descriptor,
                                            {{DNNL_ARG_SRC, wrap(context, problem.a, context.input_address(matmul_node, 0))},
                                             {DNNL_ARG_WEIGHTS, wrap(context, problem.b, context.input_address(matmul_node, 1))},
                                             {DNNL_ARG_BIAS, wrap(context, bias_desc, context.address(group.addend))},
                                             {DNNL_ARG_DST, wrap(context, problem.out, context.address(destination))}},
                                            threads);
  }
  if (!group.staged) return kernel;
  std::vector<std::unique_ptr<Kernel>> steps;
  steps.push_back(std::move(kernel));
  steps.push_back(move_kernel(context.address(group.matmul), context.address(group.result), context.bytes(group.result)));
  return sequence_kernel(std::move(steps));
}

}  // namespace

std::unique_ptr<Kernel> make_matmul_group(const CompileContext& context, const MatmulGroup& group) {
  const MatmulProblem problem = describe_problem(context, {group.matmul, context.graph().node(group.matmul)});
  try {
    return group.epilogue == MatmulGroup::Epilogue::accumulate ? accumulate_kernel(context, group, problem) : bias_kernel(context, group, problem);
  } catch (const dnnl::error&) {
    // oneDNN cannot fuse this one: the group's nodes run one after the other here, which is
    // safe where running them as one kernel here is.
    std::vector<std::unique_ptr<Kernel>> steps;
    const Plan& plan = context.plan();
    std::vector<size_t> positions{static_cast<size_t>(context.position(group.matmul))};
    positions.insert(positions.end(), group.covered.begin(), group.covered.end());
    for (size_t position : positions) {
      const NodeId id = plan.order[position];
      if (plan.values[static_cast<size_t>(id)].storage == Storage::Alias) continue;
      if (std::unique_ptr<Kernel> kernel = make_kernel(context, {id, context.graph().node(id)})) steps.push_back(std::move(kernel));
    }
    return sequence_kernel(std::move(steps));
  }
}

}  // namespace heed::cpu
