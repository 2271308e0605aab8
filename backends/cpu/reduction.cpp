// Sum and Max on oneDNN's reduction primitive; Argmax (which oneDNN lacks) as a loop.
#include "dnnl_support.hpp"
#include "parallel.hpp"

#include <algorithm>

namespace heed::cpu {

namespace {

class ArgmaxKernel final : public Kernel {
 public:
  ArgmaxKernel(const float* input, int32_t* output, int64_t outer, int64_t length, int64_t inner)
      : input_(input), output_(output), outer_(outer), length_(length), inner_(inner) {}

  void run() override {
    parallel_ranges(outer_ * inner_, std::max<int64_t>(1, 16384 / std::max<int64_t>(length_, 1)), [&](int64_t begin, int64_t end) {
      for (int64_t item = begin; item < end; ++item) {
        const float* x = input_ + (item / inner_) * length_ * inner_ + item % inner_;
        int64_t best = 0;
        float best_value = x[0];
        for (int64_t i = 1; i < length_; ++i)
          if (x[i * inner_] > best_value) {  // strictly greater: the first maximum wins ties
            best_value = x[i * inner_];
            best = i;
          }
        output_[item] = static_cast<int32_t>(best);
      }
    });
  }

 private:
  const float* input_;
  int32_t* output_;
  int64_t outer_, length_, inner_;
};

}  // namespace

std::unique_ptr<Kernel> make_reduction(const CompileContext& context, NodeRef node) {
  const Node& input = context.input(node.node, 0);
  int64_t output_count = element_count(node.node.shape);
  if (output_count == 0) return nullptr;
  auto* output = reinterpret_cast<float*>(context.address(node.id));
  // A sum over an empty axis is 0 everywhere (the builder refuses max over one).
  if (element_count(input.shape) == 0) return zero_kernel(context.address(node.id), output_count * 4);

  // Size-1 axes go, and neighbours that are both reduced or both kept merge: fewer, longer axes
  // give oneDNN's faster implementations a chance and stay within its rank limit.
  dnnl::memory::dims source, destination;
  bool last_reduced = false;
  for (size_t axis = 0; axis < input.shape.size(); ++axis) {
    int64_t dim = input.shape[axis];
    if (dim == 1) continue;
    bool reduced = std::binary_search(node.node.attrs.axes.begin(), node.node.attrs.axes.end(), static_cast<int64_t>(axis));
    if (!source.empty() && reduced == last_reduced) {
      source.back() *= dim;
      if (!reduced) destination.back() *= dim;
    } else {
      source.push_back(dim);
      destination.push_back(reduced ? 1 : dim);
    }
    last_reduced = reduced;
  }
  if (source == destination) return copy_kernel(context.input_address(node.node, 0), context.address(node.id), output_count * 4);
  if (source.size() > static_cast<size_t>(DNNL_MAX_NDIMS))
    fail("cpu backend: {} reduces over more than {} separate axes", describe_node(context, node), DNNL_MAX_NDIMS);

  dnnl::memory::desc source_desc = dense_desc(Shape(source.begin(), source.end()), f32);
  dnnl::memory::desc destination_desc = dense_desc(Shape(destination.begin(), destination.end()), f32);
  dnnl::algorithm algorithm = node.node.op == Op::Sum ? dnnl::algorithm::reduction_sum : dnnl::algorithm::reduction_max;
  dnnl::reduction::desc operation(algorithm, source_desc, destination_desc, 0.0f, 0.0f);
  dnnl::reduction::primitive_desc descriptor(operation, primitive_attributes(), context.engine());
  return primitive_kernel<dnnl::reduction>(context, descriptor,
                                           {{DNNL_ARG_SRC, wrap(context, source_desc, context.input_address(node.node, 0))},
                                            {DNNL_ARG_DST, wrap(context, destination_desc, output)}});
}

std::unique_ptr<Kernel> make_argmax(const CompileContext& context, NodeRef node) {
  const Shape& shape = context.input(node.node, 0).shape;
  auto axis = static_cast<size_t>(node.node.attrs.axis);
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < axis; ++i) outer *= shape[i];
  for (size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
  if (outer * inner == 0) return nullptr;
  return std::make_unique<ArgmaxKernel>(reinterpret_cast<const float*>(context.input_address(node.node, 0)),
                                        reinterpret_cast<int32_t*>(context.address(node.id)), outer, shape[axis], inner);
}

}  // namespace heed::cpu
