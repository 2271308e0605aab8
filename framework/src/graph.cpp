#include <heed/error.hpp>
#include <heed/graph.hpp>
#include <heed/ops.hpp>
#include <heed/backend/random_bits.hpp>

#include <algorithm>

namespace heed {

Graph& Tensor::graph() const {
  if (!graph_) fail("Tensor: this tensor is empty (default-constructed)");
  return *graph_;
}
const Node& Tensor::node() const { return graph().node(id_); }
const Shape& Tensor::shape() const { return node().shape; }
DType Tensor::dtype() const { return node().dtype; }
const std::string& Tensor::name() const { return node().name; }
int64_t Tensor::dim(int64_t axis) const { return shape()[static_cast<size_t>(normalize_axis(axis, rank(), "Tensor::dim"))]; }

std::string describe(const Tensor& tensor) {
  const Node& node = tensor.node();
  return node.name.empty() ? fmt::format("{} {}{}", op_name(node.op), dtype_name(node.dtype), shape_string(node.shape))
                           : fmt::format("'{}' {}{}", node.name, dtype_name(node.dtype), shape_string(node.shape));
}

std::string describe_node(const Graph& graph, const Node& node) {
  std::vector<std::string> inputs;
  for (NodeId input : node.inputs) {
    const Node& source = graph.node(input);
    inputs.push_back(fmt::format("{}{}", dtype_name(source.dtype), shape_string(source.shape)));
  }
  return fmt::format("{} {}{} of ({})", op_name(node.op), dtype_name(node.dtype), shape_string(node.shape), fmt::join(inputs, ", "));
}

Tensor Graph::add_leaf(Op op, std::string name, DType dtype, Shape shape, std::shared_ptr<const HostTensor> value) {
  for (int64_t dim : shape)
    if (dim < 0) fail("{} '{}': negative dimension in shape {}", op_name(op), name, shape_string(shape));
  if (!name.empty() && find(name))
    fail("{} '{}': the name is already taken in this graph", op_name(op), name);
  nodes_.push_back(Node{op, dtype, std::move(shape), {}, {}, std::move(name), std::move(value)});
  return {this, size() - 1};
}

Tensor Graph::input(std::string name, Shape shape, DType dtype) {
  if (name.empty()) fail("input: an input needs a name");
  return add_leaf(Op::Input, std::move(name), dtype, std::move(shape), nullptr);
}

Tensor Graph::parameter(std::string name, HostTensor initial) {
  if (name.empty()) fail("parameter: a parameter needs a name");
  if (initial.dtype() != f32) fail("parameter '{}': parameters are f32, got {}", name, dtype_name(initial.dtype()));
  Shape shape = initial.shape();
  return add_leaf(Op::Parameter, std::move(name), f32, std::move(shape), std::make_shared<const HostTensor>(std::move(initial)));
}

Tensor Graph::state(std::string name, HostTensor initial) {
  if (name.empty()) fail("state: a state needs a name");
  DType dtype = initial.dtype();
  Shape shape = initial.shape();
  return add_leaf(Op::State, std::move(name), dtype, std::move(shape), std::make_shared<const HostTensor>(std::move(initial)));
}

Tensor Graph::constant(HostTensor values) {
  DType dtype = values.dtype();
  Shape shape = values.shape();
  return add_leaf(Op::Constant, {}, dtype, std::move(shape), std::make_shared<const HostTensor>(std::move(values)));
}

Tensor Graph::add_node(Op op, DType dtype, Shape shape, std::vector<Tensor> inputs, Attributes attrs) {
  std::vector<NodeId> ids;
  ids.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].valid()) fail("{}: input {} is an empty tensor", op_name(op), i);
    if (&inputs[i].graph() != this) fail("{}: input {} ({}) belongs to another graph", op_name(op), i, describe(inputs[i]));
    ids.push_back(inputs[i].id());
  }
  // bf16 and f16 store values; computing on them is what casts to f32 are for, so every op but
  // the cast, and a matmul of bf16 operands, refuses them here, before any backend sees one.
  if (op != Op::Cast) {
    for (const Tensor& input : inputs)
      if (is_16_bit(input.dtype()) && !(op == Op::Matmul && input.dtype() == bf16)) fail("{}: takes no {} values, got {}; cast it to f32 first", op_name(op), dtype_name(input.dtype()), describe(input));
    if (is_16_bit(dtype)) fail("{}: gives no {} values; compute in f32 and cast the result", op_name(op), dtype_name(dtype));
  }
  nodes_.push_back(Node{op, dtype, std::move(shape), std::move(ids), std::move(attrs), {}, nullptr});
  return {this, size() - 1};
}

void Graph::output(Tensor tensor) {
  if (&tensor.graph() != this) fail("output: {} belongs to another graph", describe(tensor));
  if (is_effect(tensor.node().op)) fail("output: an effect ({}) has no value to keep", op_name(tensor.node().op));
  if (std::find(outputs_.begin(), outputs_.end(), tensor.id()) == outputs_.end()) outputs_.push_back(tensor.id());
}

std::vector<Tensor> Graph::parameters() {
  std::vector<Tensor> result;
  for (NodeId id = 0; id < size(); ++id)
    if (nodes_[static_cast<size_t>(id)].op == Op::Parameter) result.emplace_back(this, id);
  return result;
}

std::vector<Tensor> Graph::states() {
  std::vector<Tensor> result;
  for (NodeId id = 0; id < size(); ++id)
    if (nodes_[static_cast<size_t>(id)].op == Op::State) result.emplace_back(this, id);
  return result;
}

std::vector<Tensor> Graph::persistent_values() {
  std::vector<Tensor> result = parameters();
  for (const Tensor& state : states()) result.push_back(state);
  return result;
}

std::optional<Tensor> Graph::find(std::string_view name) {
  for (NodeId id = 0; id < size(); ++id) {
    const Node& node = nodes_[static_cast<size_t>(id)];
    if (!node.name.empty() && node.name == name) return Tensor{this, id};
  }
  return std::nullopt;
}

uint32_t Graph::next_seed() { return random_bits::mix(seed_ * 0x9e3779b9U + seeds_issued_++); }

uint64_t Graph::next_host_random() {
  // splitmix64: a small, well-mixed generator for parameter initialisation on the host.
  uint64_t z = (host_random_state_ += 0x9e3779b97f4a7c15ULL) ^ (static_cast<uint64_t>(seed_) << 32);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Tensor Graph::random_counter() {
  if (random_counter_) return {this, *random_counter_};
  Tensor counter = state("random.counter", HostTensor(i32, {}));
  random_counter_ = counter.id();
  assign(counter, add(counter, full(*this, {}, 1, i32)));
  return counter;
}

}  // namespace heed
