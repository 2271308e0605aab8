#include "reference.hpp"

#include <heed/error.hpp>

#include <algorithm>
#include <cmath>

namespace heed::reference {

namespace {

bool is_leaf(Op op) { return op == Op::Parameter || op == Op::State || op == Op::Input || op == Op::Constant; }

// x rounded to nearest (ties to even) with `bits` significant bits, normal numbers from
// 2^min_exponent, and infinity past the largest finite value: bf16 and f16 straight from double.
double round_to_format(double x, int bits, int min_exponent, int max_exponent) {
  if (x == 0 || !std::isfinite(x)) return x;
  const int exponent = std::max(std::ilogb(x), min_exponent);  // of the binade whose spacing applies
  const int spacing = exponent - bits + 1;
  const double rounded = std::ldexp(std::nearbyint(std::ldexp(x, -spacing)), spacing);
  const double largest = std::ldexp(2.0 - std::ldexp(1.0, 1 - bits), max_exponent);
  return std::abs(rounded) > largest ? std::copysign(INFINITY, x) : rounded;
}

// f32 values stay in double; bf16 and f16 are rounded to their format; i32 arithmetic wraps as
// int32 does.
double as_dtype(DType dtype, double x) {
  if (dtype == bf16) return round_to_format(x, 8, -126, 127);
  if (dtype == f16) return round_to_format(x, 11, -14, 15);
  if (dtype == f32 || !std::isfinite(x)) return x;
  auto wide = static_cast<int64_t>(x);
  return static_cast<double>(static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(wide))));
}

}  // namespace

Array::Array(DType dtype_, Shape shape_, std::vector<double> data_) : dtype(dtype_), shape(std::move(shape_)), data(std::move(data_)) {
  if (static_cast<int64_t>(data.size()) != element_count(shape))
    fail("reference: {} values given for shape {}", data.size(), shape_string(shape));
}

Array from_host(const HostTensor& tensor) {
  Array array(tensor.dtype(), tensor.shape());
  if (tensor.dtype() == i32) {
    auto values = tensor.i32();
    for (size_t i = 0; i < values.size(); ++i) array.data[i] = static_cast<double>(values[i]);
  } else {
    std::vector<float> values = tensor.to_floats();  // exact for f32, bf16 and f16
    for (size_t i = 0; i < values.size(); ++i) array.data[i] = static_cast<double>(values[i]);
  }
  return array;
}

HostTensor to_host(const Array& array) {
  HostTensor tensor(array.dtype, array.shape);
  const auto count = static_cast<size_t>(tensor.size());
  switch (array.dtype) {
    case DType::f32:
      for (size_t i = 0; i < count; ++i) tensor.f32()[i] = static_cast<float>(array.data[i]);
      break;
    case DType::i32:
      for (size_t i = 0; i < count; ++i) tensor.i32()[i] = static_cast<int32_t>(array.data[i]);
      break;
    // The values are already rounded to the format, so going through float changes none.
    case DType::bf16:
      for (size_t i = 0; i < count; ++i) tensor.bf16()[i] = bfloat16(static_cast<float>(array.data[i]));
      break;
    case DType::f16:
      for (size_t i = 0; i < count; ++i) tensor.f16()[i] = float16(static_cast<float>(array.data[i]));
      break;
  }
  return tensor;
}

const KernelTable& kernels() {
  static const KernelTable table = [] {
    KernelTable t;
    add_creation_kernels(t);
    add_random_kernels(t);
    add_elementwise_kernels(t);
    add_reduction_kernels(t);
    add_shape_kernels(t);
    add_matmul_kernels(t);
    add_nn_kernels(t);
    add_attention_kernels(t);
    add_backward_kernels(t);
    add_optimizer_kernels(t);
    add_collective_kernels(t);
    return t;
  }();
  return table;
}

bool has_kernel(Op op) {
  auto i = static_cast<size_t>(op);
  return is_leaf(op) || kernels().values[i] != nullptr || kernels().effects[i] != nullptr;
}

Evaluator::Evaluator(const Graph& graph)
    : graph_(graph),
      values_(static_cast<size_t>(graph.size())),
      available_(static_cast<size_t>(graph.size()), 0),
      persistent_(static_cast<size_t>(graph.size())),
      fed_(static_cast<size_t>(graph.size()), 0) {
  for (NodeId id = 0; id < graph.size(); ++id) {
    const Node& node = graph.node(id);
    if (!has_kernel(node.op)) fail("reference: no kernel for op {}", op_name(node.op));
    if (is_persistent(node.op)) {
      if (!node.value) fail("reference: {} '{}' has no initial value", op_name(node.op), node.name);
      persistent_[static_cast<size_t>(id)] = from_host(*node.value);
    }
  }
}

void Evaluator::set(NodeId id, std::vector<double> values) {
  const Node& node = graph_.node(id);
  if (node.op != Op::Input && !is_persistent(node.op))
    fail("reference: set() takes an input, parameter or state, not {}", op_name(node.op));
  if (static_cast<int64_t>(values.size()) != element_count(node.shape))
    fail("reference: {} values for '{}' of shape {}", values.size(), node.name, shape_string(node.shape));
  Array array(node.dtype, node.shape, std::move(values));
  for (double& x : array.data) x = as_dtype(node.dtype, x);
  if (node.op == Op::Input) {
    values_[static_cast<size_t>(id)] = std::move(array);
    fed_[static_cast<size_t>(id)] = 1;
  } else {
    persistent_[static_cast<size_t>(id)] = std::move(array);
  }
}

void Evaluator::set(const Tensor& tensor, const HostTensor& values) {
  Array array = from_host(values);
  set(tensor.id(), std::move(array.data));
}

void Evaluator::compute(const std::vector<char>& wanted) {
  std::fill(available_.begin(), available_.end(), 0);
  std::vector<const Array*> inputs;
  for (NodeId id = 0; id < graph_.size(); ++id) {
    auto i = static_cast<size_t>(id);
    const Node& node = graph_.node(id);
    if (!wanted[i] || is_effect(node.op)) continue;
    switch (node.op) {
      case Op::Input: available_[i] = fed_[i]; continue;
      case Op::Parameter:
      case Op::State:
        values_[i] = persistent_[i];
        available_[i] = 1;
        continue;
      case Op::Constant:
        values_[i] = from_host(*node.value);
        available_[i] = 1;
        continue;
      default: break;
    }
    inputs.clear();
    bool ready = true;
    for (NodeId input : node.inputs) {
      ready = ready && available_[static_cast<size_t>(input)];
      inputs.push_back(&values_[static_cast<size_t>(input)]);
    }
    if (!ready) continue;
    Array out = kernels().values[static_cast<size_t>(node.op)](node, inputs);
    if (out.shape != node.shape || out.dtype != node.dtype)
      fail("reference: the {} kernel gave {}{} for a node of {}{}", op_name(node.op), dtype_name(out.dtype),
           shape_string(out.shape), dtype_name(node.dtype), shape_string(node.shape));
    for (double& x : out.data) x = as_dtype(node.dtype, x);
    values_[i] = std::move(out);
    available_[i] = 1;
  }
}

void Evaluator::run() {
  compute(std::vector<char>(static_cast<size_t>(graph_.size()), 1));
  // Effects in creation order, in place: a persistent input is read as it is now (after any
  // earlier effect of this run), any other input as computed above.
  std::vector<Array> copies;
  std::vector<Array*> inputs;
  for (NodeId id = 0; id < graph_.size(); ++id) {
    const Node& node = graph_.node(id);
    if (!is_effect(node.op)) continue;
    copies.clear();
    copies.reserve(node.inputs.size());
    inputs.clear();
    for (NodeId input : node.inputs) {
      auto j = static_cast<size_t>(input);
      if (is_persistent(graph_.node(input).op)) {
        inputs.push_back(&persistent_[j]);
        continue;
      }
      if (!available_[j])
        fail("reference: the effect {} (node {}) needs node {} ({}), which depends on an input that was not fed",
             op_name(node.op), id, input, op_name(graph_.node(input).op));
      copies.push_back(values_[j]);
      inputs.push_back(&copies.back());
    }
    kernels().effects[static_cast<size_t>(node.op)](node, inputs);
    for (NodeId input : node.inputs)
      if (is_persistent(graph_.node(input).op))
        for (double& x : persistent_[static_cast<size_t>(input)].data) x = as_dtype(graph_.node(input).dtype, x);
  }
}

void Evaluator::evaluate(std::span<const NodeId> targets) {
  std::vector<char> wanted(static_cast<size_t>(graph_.size()), 0);
  for (NodeId id : targets) wanted.at(static_cast<size_t>(id)) = 1;
  for (size_t i = wanted.size(); i-- > 0;)
    if (wanted[i])
      for (NodeId input : graph_.node(static_cast<NodeId>(i)).inputs) wanted[static_cast<size_t>(input)] = 1;
  compute(wanted);
}

const Array& Evaluator::value(NodeId id) const {
  if (id < 0 || id >= graph_.size()) fail("reference: no node {}", id);
  if (!available_[static_cast<size_t>(id)])
    fail("reference: node {} ({}) was not computed: it depends on an input that was not fed, or was not asked for", id,
         op_name(graph_.node(id).op));
  return values_[static_cast<size_t>(id)];
}

const Array& Evaluator::persistent(NodeId id) const {
  if (id < 0 || id >= graph_.size() || !is_persistent(graph_.node(id).op)) fail("reference: node {} is not persistent", id);
  return persistent_[static_cast<size_t>(id)];
}

}  // namespace heed::reference
