// Two-input elementwise ops with numpy broadcasting. f32 goes to oneDNN's binary primitive when
// one operand has the output's full shape (oneDNN broadcasts src1 only), swapping the operands of
// commutative ops and mirroring comparisons so that more shapes qualify. The rest (both operands
// broadcast, a non-commutative op with a broadcast first operand, and every i32 op, which must be
// exact where oneDNN computes in f32) is a strided loop.
#include "dnnl_support.hpp"
#include "parallel.hpp"

#include <optional>

namespace heed::cpu {

namespace {

std::optional<dnnl::algorithm> binary_algorithm(Op op, bool swapped) {
  using dnnl::algorithm;
  switch (op) {
    case Op::Add: return algorithm::binary_add;
    case Op::Mul: return algorithm::binary_mul;
    case Op::Equal: return algorithm::binary_eq;
    case Op::NotEqual: return algorithm::binary_ne;
    // b < a is a > b: comparisons survive a swap of their operands when mirrored.
    case Op::Less: return swapped ? algorithm::binary_gt : algorithm::binary_lt;
    case Op::LessEqual: return swapped ? algorithm::binary_ge : algorithm::binary_le;
    case Op::Greater: return swapped ? algorithm::binary_lt : algorithm::binary_gt;
    case Op::GreaterEqual: return swapped ? algorithm::binary_le : algorithm::binary_ge;
    case Op::Sub: return swapped ? std::nullopt : std::optional(algorithm::binary_sub);
    case Op::Div: return swapped ? std::nullopt : std::optional(algorithm::binary_div);
    default: return std::nullopt;
  }
}

bool has_zero_stride(const StridedLoop<2>& loop, size_t operand) {
  for (int axis = 0; axis < loop.rank; ++axis)
    if (loop.strides[operand][static_cast<size_t>(axis)] == 0) return true;
  return false;
}

std::unique_ptr<Kernel> onednn_binary(const CompileContext& context, NodeRef node, const StridedLoop<2>& loop) {
  bool swapped = has_zero_stride(loop, 0);
  if (swapped && has_zero_stride(loop, 1)) return nullptr;
  std::optional<dnnl::algorithm> algorithm = binary_algorithm(node.node.op, swapped);
  if (!algorithm || loop.rank > DNNL_MAX_NDIMS) return nullptr;
  size_t full = swapped ? 1 : 0, other = 1 - full;
  dnnl::memory::dims dims(loop.dims.begin(), loop.dims.begin() + loop.rank), other_dims = dims;
  for (size_t axis = 0; axis < dims.size(); ++axis)
    if (loop.strides[other][axis] == 0) other_dims[axis] = 1;
  dnnl::memory::desc full_desc = dense_desc(Shape(dims.begin(), dims.end()), f32);
  dnnl::memory::desc other_desc = dense_desc(Shape(other_dims.begin(), other_dims.end()), f32);
  dnnl::binary::desc operation(*algorithm, full_desc, other_desc, full_desc);
  dnnl::binary::primitive_desc descriptor(operation, primitive_attributes(), context.engine());
  return primitive_kernel<dnnl::binary>(context, descriptor,
                                        {{DNNL_ARG_SRC_0, wrap(context, full_desc, context.input_address(node.node, full))},
                                         {DNNL_ARG_SRC_1, wrap(context, other_desc, context.input_address(node.node, other))},
                                         {DNNL_ARG_DST, wrap(context, full_desc, context.address(node.id))}});
}

template <typename T, typename Out, typename Function>
class StridedBinaryKernel final : public Kernel {
 public:
  StridedBinaryKernel(const T* a, const T* b, Out* output, StridedLoop<2> loop) : a_(a), b_(b), output_(output), loop_(loop) {}

  void run() override {
    run_strided_loop(loop_, elementwise_grain,
                     [&](int64_t position, const std::array<int64_t, 2>& offsets, const std::array<int64_t, 2>& strides, int64_t length) {
                       const T* a = a_ + offsets[0];
                       const T* b = b_ + offsets[1];
                       Out* out = output_ + position;
                       Function function;
                       // The common stride patterns get loops the compiler can vectorise.
                       if (strides[0] == 1 && strides[1] == 1) {
                         for (int64_t j = 0; j < length; ++j) out[j] = function(a[j], b[j]);
                       } else if (strides[0] == 1 && strides[1] == 0) {
                         T scalar = b[0];
                         for (int64_t j = 0; j < length; ++j) out[j] = function(a[j], scalar);
                       } else if (strides[0] == 0 && strides[1] == 1) {
                         T scalar = a[0];
                         for (int64_t j = 0; j < length; ++j) out[j] = function(scalar, b[j]);
                       } else {
                         for (int64_t j = 0; j < length; ++j) out[j] = function(a[j * strides[0]], b[j * strides[1]]);
                       }
                     });
  }

 private:
  const T* a_;
  const T* b_;
  Out* output_;
  StridedLoop<2> loop_;
};

// i32 arithmetic wraps around (through uint32_t) instead of overflowing into undefined behaviour.
template <typename T>
T wrapping_add(T a, T b) {
  if constexpr (std::is_integral_v<T>) return static_cast<T>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
  else return a + b;
}
template <typename T>
T wrapping_sub(T a, T b) {
  if constexpr (std::is_integral_v<T>) return static_cast<T>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
  else return a - b;
}
template <typename T>
T wrapping_mul(T a, T b) {
  if constexpr (std::is_integral_v<T>) return static_cast<T>(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));
  else return a * b;
}

template <typename T>
struct AddFunction {
  T operator()(T a, T b) const { return wrapping_add(a, b); }
};
template <typename T>
struct SubFunction {
  T operator()(T a, T b) const { return wrapping_sub(a, b); }
};
template <typename T>
struct MulFunction {
  T operator()(T a, T b) const { return wrapping_mul(a, b); }
};
template <typename T>
struct DivFunction {
  T operator()(T a, T b) const { return a / b; }
};
template <typename T>
struct EqualFunction {
  float operator()(T a, T b) const { return a == b ? 1.0f : 0.0f; }
};
template <typename T>
struct NotEqualFunction {
  float operator()(T a, T b) const { return a != b ? 1.0f : 0.0f; }
};
template <typename T>
struct LessFunction {
  float operator()(T a, T b) const { return a < b ? 1.0f : 0.0f; }
};
template <typename T>
struct LessEqualFunction {
  float operator()(T a, T b) const { return a <= b ? 1.0f : 0.0f; }
};
template <typename T>
struct GreaterFunction {
  float operator()(T a, T b) const { return a > b ? 1.0f : 0.0f; }
};
template <typename T>
struct GreaterEqualFunction {
  float operator()(T a, T b) const { return a >= b ? 1.0f : 0.0f; }
};

template <typename T, typename Out, template <typename> class Function>
std::unique_ptr<Kernel> strided(const CompileContext& context, NodeRef node, const StridedLoop<2>& loop) {
  return std::make_unique<StridedBinaryKernel<T, Out, Function<T>>>(reinterpret_cast<const T*>(context.input_address(node.node, 0)),
                                                                     reinterpret_cast<const T*>(context.input_address(node.node, 1)),
                                                                     reinterpret_cast<Out*>(context.address(node.id)), loop);
}

template <typename T>
std::unique_ptr<Kernel> strided_binary(const CompileContext& context, NodeRef node, const StridedLoop<2>& loop) {
  switch (node.node.op) {
    case Op::Add: return strided<T, T, AddFunction>(context, node, loop);
    case Op::Sub: return strided<T, T, SubFunction>(context, node, loop);
    case Op::Mul: return strided<T, T, MulFunction>(context, node, loop);
    case Op::Div:
      if constexpr (std::is_floating_point_v<T>) return strided<T, T, DivFunction>(context, node, loop);
      break;
    case Op::Equal: return strided<T, float, EqualFunction>(context, node, loop);
    case Op::NotEqual: return strided<T, float, NotEqualFunction>(context, node, loop);
    case Op::Less: return strided<T, float, LessFunction>(context, node, loop);
    case Op::LessEqual: return strided<T, float, LessEqualFunction>(context, node, loop);
    case Op::Greater: return strided<T, float, GreaterFunction>(context, node, loop);
    case Op::GreaterEqual: return strided<T, float, GreaterEqualFunction>(context, node, loop);
    default: break;
  }
  fail("cpu backend: no binary kernel for {}", describe_node(context.graph(), node.node));
}

}  // namespace

std::unique_ptr<Kernel> make_binary(const CompileContext& context, NodeRef node) {
  const Shape& shape = node.node.shape;
  if (element_count(shape) == 0) return nullptr;
  const Node& a = context.input(node.node, 0);
  const Node& b = context.input(node.node, 1);
  StridedLoop<2> loop = make_strided_loop<2>(shape, {broadcast_strides(a.shape, shape), broadcast_strides(b.shape, shape)},
                                             describe_node(context.graph(), node.node));
  if (a.dtype == i32) return strided_binary<int32_t>(context, node, loop);
  if (std::unique_ptr<Kernel> kernel = onednn_binary(context, node, loop)) return kernel;
  return strided_binary<float>(context, node, loop);
}

}  // namespace heed::cpu
