#pragma once
// The reference evaluator: a plain, slow, double-precision interpreter of a whole heed::Graph that
// implements docs/ops.md exactly. Every backend's every op is checked against it, and every VJP
// against central finite differences computed on it. It shares no code with the core or the
// backends beyond the public headers (shapes, attributes, random_bits).
#include <heed/graph.hpp>

#include <array>
#include <span>
#include <vector>

namespace heed::reference {

// A value: its dtype, shape and elements in row-major order, always held as doubles (i32 values
// are whole numbers).
struct Array {
  DType dtype = f32;
  Shape shape;
  std::vector<double> data;

  Array() = default;
  Array(DType dtype_, Shape shape_) : dtype(dtype_), shape(std::move(shape_)), data(static_cast<size_t>(element_count(shape)), 0.0) {}
  Array(DType dtype_, Shape shape_, std::vector<double> data_);
  int64_t size() const { return static_cast<int64_t>(data.size()); }
  double operator[](int64_t i) const { return data[static_cast<size_t>(i)]; }
  double& operator[](int64_t i) { return data[static_cast<size_t>(i)]; }
};

Array from_host(const HostTensor& tensor);
HostTensor to_host(const Array& array);  // rounds f32 values to float, i32 values to int32

// Kernels. A value kernel computes a node's output from its inputs; an effect kernel updates the
// persistent values it is given (inputs[0], and the optimiser states) in place.
using Inputs = std::span<const Array* const>;
using ValueKernel = Array (*)(const Node& node, Inputs inputs);
using EffectKernel = void (*)(const Node& node, std::span<Array* const> inputs);

struct KernelTable {
  std::array<ValueKernel, op_count> values{};
  std::array<EffectKernel, op_count> effects{};
  void add(Op op, ValueKernel kernel) { values[static_cast<size_t>(op)] = kernel; }
  void add(Op op, EffectKernel kernel) { effects[static_cast<size_t>(op)] = kernel; }
};

// One function per op family fills its rows (tests/reference/<family>.cpp).
void add_creation_kernels(KernelTable& table);
void add_random_kernels(KernelTable& table);
void add_elementwise_kernels(KernelTable& table);
void add_reduction_kernels(KernelTable& table);
void add_shape_kernels(KernelTable& table);
void add_matmul_kernels(KernelTable& table);
void add_nn_kernels(KernelTable& table);
void add_attention_kernels(KernelTable& table);  // Attention and AttentionBackward
void add_backward_kernels(KernelTable& table);
void add_optimizer_kernels(KernelTable& table);
void add_collective_kernels(KernelTable& table);

const KernelTable& kernels();  // every family's rows
bool has_kernel(Op op);        // leaves count: the evaluator handles them itself

class Evaluator {
 public:
  // Persistent values (parameters, states) start from their node's initial value.
  explicit Evaluator(const Graph& graph);

  // Feeds an input, or overwrites a persistent value. Values are given as doubles; f32 values
  // are used as given (not rounded), which is what finite differences need.
  void set(NodeId id, std::vector<double> values);
  void set(const Tensor& tensor, std::vector<double> values) { set(tensor.id(), std::move(values)); }
  void set(const Tensor& tensor, const HostTensor& values);

  // Computes every node whose inputs are available (a node that depends on an input never fed
  // is left unavailable), then applies the effects in creation order, as a compiled program does.
  void run();
  // Computes only the nodes that `targets` depend on and applies no effect.
  void evaluate(std::span<const NodeId> targets);
  void evaluate(std::initializer_list<NodeId> targets) { evaluate(std::span<const NodeId>(targets.begin(), targets.size())); }

  // A value computed by the last run() or evaluate(); throws if it was not computed.
  const Array& value(NodeId id) const;
  const Array& value(const Tensor& tensor) const { return value(tensor.id()); }
  // The current value of a persistent node (after the effects of every run so far).
  const Array& persistent(NodeId id) const;
  const Array& persistent(const Tensor& tensor) const { return persistent(tensor.id()); }

 private:
  void compute(const std::vector<char>& wanted);
  const Graph& graph_;
  std::vector<Array> values_;
  std::vector<char> available_;
  std::vector<Array> persistent_;  // indexed by node id; only persistent nodes are filled
  std::vector<char> fed_;
};

}  // namespace heed::reference
