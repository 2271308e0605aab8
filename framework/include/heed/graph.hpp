#pragma once
// A Graph is a static list of nodes in topological order (a node's inputs always come before it).
// Tensor is a cheap handle to one node of one graph; op builders (ops.hpp) append nodes and check
// shapes as they do, so a bad shape fails where the model is written, not where it runs.
#include <heed/host_tensor.hpp>
#include <heed/op.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace heed {

using NodeId = int32_t;

struct Node {
  Op op;
  DType dtype;
  Shape shape;
  std::vector<NodeId> inputs;
  Attributes attrs;
  std::string name;                         // leaves: the parameter, state or input name
  std::shared_ptr<const HostTensor> value;  // Constant: its values; Parameter, State: initial values
};

class Tensor {
 public:
  Tensor() = default;
  Tensor(Graph* graph, NodeId id) : graph_(graph), id_(id) {}

  bool valid() const { return graph_ != nullptr; }
  explicit operator bool() const { return valid(); }
  Graph& graph() const;
  NodeId id() const { return id_; }
  const Node& node() const;
  const Shape& shape() const;
  DType dtype() const;
  int64_t rank() const { return static_cast<int64_t>(shape().size()); }
  int64_t dim(int64_t axis) const;  // negative axes count from the end
  int64_t size() const { return element_count(shape()); }
  const std::string& name() const;

  bool operator==(const Tensor& other) const { return graph_ == other.graph_ && id_ == other.id_; }

 private:
  Graph* graph_ = nullptr;
  NodeId id_ = -1;
};

class Graph;

// A graph rebuilt node by node by a compile-time pass (the precision policy): ids[n] is the node
// of `graph` that stands for node n of the source.
struct RewrittenGraph {
  std::unique_ptr<Graph> graph;
  std::vector<NodeId> ids;
};
// What a pass does with one node, given its inputs already rebuilt in `target`: the node(s) that
// replace it, or an empty tensor to copy it as it is.
using NodeRewrite = std::function<Tensor(Graph& target, const Node& node, const std::vector<Tensor>& inputs)>;
// Copies `source` with its leaves, outputs and random streams, letting `rewrite` replace any node
// that is not a leaf. A replacement must have the node's shape and dtype.
RewrittenGraph rewrite_graph(const Graph& source, const NodeRewrite& rewrite);

class Graph {
 public:
  Graph() = default;
  explicit Graph(uint32_t seed) : seed_(seed) {}
  Graph(const Graph&) = delete;  // tensors point at their graph
  Graph& operator=(const Graph&) = delete;

  // Leaves. Names must be unique among parameters, states and inputs.
  Tensor input(std::string name, Shape shape, DType dtype = f32);
  Tensor parameter(std::string name, HostTensor initial);
  Tensor state(std::string name, HostTensor initial);
  Tensor constant(HostTensor values);

  // Appends a node after checking its inputs belong to this graph. Builders call this once they
  // have inferred the output's shape and dtype.
  Tensor add_node(Op op, DType dtype, Shape shape, std::vector<Tensor> inputs, Attributes attrs = {});

  // Values a compiled program must keep readable after run(); effects and outputs decide what runs.
  void output(Tensor tensor);
  const std::vector<NodeId>& outputs() const { return outputs_; }

  const Node& node(NodeId id) const { return nodes_.at(static_cast<size_t>(id)); }
  const std::deque<Node>& nodes() const { return nodes_; }
  int32_t size() const { return static_cast<int32_t>(nodes_.size()); }
  Tensor tensor(NodeId id) { return {this, id}; }

  std::vector<Tensor> parameters();  // in creation order
  std::vector<Tensor> states();      // optimiser moments, hyperparameters, counters: in creation order
  // What a checkpoint must hold to resume exactly: parameters first, then states.
  std::vector<Tensor> persistent_values();
  std::optional<Tensor> find(std::string_view name);  // a parameter, state or input

  // Seeds for random ops: each call gives a distinct stream derived from the graph's seed.
  uint32_t next_seed();
  // An i32 scalar state that advances by one after every run, so that random ops draw new
  // values each step while staying reproducible (it is saved with a checkpoint like any state).
  Tensor random_counter();

  // Parameter initialisation draws from this host generator (seeded by the graph's seed).
  uint64_t next_host_random();

 private:
  friend RewrittenGraph rewrite_graph(const Graph& source, const NodeRewrite& rewrite);
  Tensor add_leaf(Op op, std::string name, DType dtype, Shape shape, std::shared_ptr<const HostTensor> value);

  // A deque: appending never moves a node, so a shape or node read by reference stays valid
  // while builders and VJPs append more nodes.
  std::deque<Node> nodes_;
  std::vector<NodeId> outputs_;
  uint32_t seed_ = 0x5eed;
  uint32_t seeds_issued_ = 0;
  uint64_t host_random_state_ = 0;
  std::optional<NodeId> random_counter_;
};

std::string describe(const Tensor& tensor);  // "'name' f32[2, 3]" or "mul f32[2, 3]"
// A node with its inputs, for messages and profiles: "matmul f32[2, 3] of (f32[2, 4], f32[4, 3])".
std::string describe_node(const Graph& graph, const Node& node);

}  // namespace heed
