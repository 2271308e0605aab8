#pragma once
// The kernel interface. Compiling a program turns every scheduled node into a Kernel that is
// bound, once, to the addresses of its inputs and output; run() then only calls Kernel::run in
// order, which must not allocate.
#include "buffers.hpp"

#include <heed/backend.hpp>
#include <heed/error.hpp>
#include <heed/graph.hpp>
#include <heed/backend/kernel_groups.hpp>
#include <heed/backend/plan.hpp>

#include <dnnl.hpp>

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace heed::cpu {

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual void run() = 0;
};

// One scratch buffer shared by every primitive of a program: kernels run one at a time, so the
// largest request is enough. Memory objects are bound to it once all kernels exist.
class Scratchpad {
 public:
  dnnl::memory bind(const dnnl::engine& engine, const dnnl::memory::desc& desc);
  void allocate();  // after the last bind()

 private:
  std::vector<dnnl::memory> users_;
  int64_t bytes_ = 0;
  AlignedBuffer buffer_;
};

// What a kernel factory sees while compiling one node.
class CompileContext {
 public:
  CompileContext(const Graph& graph, const Plan& plan, const CompileOptions& options, const ValueBuffers& buffers, Scratchpad& scratchpad,
                 const dnnl::engine& engine, const dnnl::stream& stream)
      : graph_(graph), plan_(plan), options_(options), buffers_(buffers), scratchpad_(scratchpad), engine_(engine), stream_(stream),
        uses_(graph, plan), claimed_(plan.order.size(), 0) {}

  const Graph& graph() const { return graph_; }
  const Plan& plan() const { return plan_; }
  // Whether kernels may do the work of several nodes, or pick a special kernel for a shape
  // (off: every node the plain way, the reference).
  bool fusion() const { return options_.fusion; }
  bool pointwise_chains() const { return options_.fusion && options_.pointwise_chains; }
  Communicator* communicator() const { return options_.communicator; }  // null: one rank
  const Node& input(const Node& node, size_t index) const { return graph_.node(node.inputs.at(index)); }
  std::byte* address(NodeId id) const;  // fails if the plan gave the value no storage
  std::byte* input_address(const Node& node, size_t index) const { return address(node.inputs.at(index)); }
  const dnnl::engine& engine() const { return engine_; }
  const dnnl::stream& stream() const { return stream_; }
  Scratchpad& scratchpad() const { return scratchpad_; }
  int64_t bytes(NodeId id) const { return buffers_.bytes(id); }

  // How the schedule reads each value (heed/backend/kernel_groups.hpp).
  const ValueUses& uses() const { return uses_; }
  int consumers(NodeId id) const { return uses_.direct_readers(id); }
  bool is_output(NodeId id) const { return uses_.kept(id); }
  int root_consumers(NodeId root) const { return uses_.root_readers(root); }
  bool root_is_output(NodeId root) const { return uses_.root_kept(root); }
  int64_t position(NodeId id) const { return uses_.position(id); }
  // Positions whose work a kernel further back already does: no later fusion may take them.
  void claim(size_t position) const { claimed_[position] = 1; }
  bool claimed(size_t position) const { return claimed_[position] != 0; }
  std::span<const char> claimed_positions() const { return claimed_; }

 private:
  const Graph& graph_;
  const Plan& plan_;
  const CompileOptions& options_;
  const ValueBuffers& buffers_;
  Scratchpad& scratchpad_;
  const dnnl::engine& engine_;
  const dnnl::stream& stream_;
  ValueUses uses_;
  mutable std::vector<char> claimed_;
};

// A node with its id, so that factories can name it in errors and find its output.
struct NodeRef {
  NodeId id;
  const Node& node;
};


// Kernel factories, one per family of ops; dispatch.cpp picks one by Op. A factory may return
// null for a node that needs no work (an empty output).
using KernelFactory = std::unique_ptr<Kernel> (*)(const CompileContext& context, NodeRef node);

std::unique_ptr<Kernel> make_kernel(const CompileContext& context, NodeRef node);

// A kernel that also does the work of nodes after its own in the schedule, which then need no
// kernel of their own.
struct FusedKernel {
  std::unique_ptr<Kernel> kernel;
  size_t absorbed;  // how many nodes after the first one's position it covers
  std::string name = {};  // for the profile; empty: the covered nodes' names
};
// A matmul with its epilogue, as the core's pass grouped them (matmul.cpp).
std::unique_ptr<Kernel> make_matmul_group(const CompileContext& context, const MatmulGroup& group);
// An attention that also writes its rows' statistics (attention_kernel.cpp).
std::unique_ptr<Kernel> make_attention_group(const CompileContext& context, const AttentionGroup& group);
// A run of pointwise nodes starting at `position` as one kernel (fusion.cpp).
std::optional<FusedKernel> fuse_pointwise(const CompileContext& context, size_t position);
// The kernel that runs a masked, scaled softmax at the softmax's position (masked_softmax.cpp).
FusedKernel masked_softmax_kernel(const CompileContext& context, size_t position, const MaskedSoftmax& pattern);

// Copies bytes unchanged (a reduction over size-1 axes, a concat of one non-empty part).
std::unique_ptr<Kernel> copy_kernel(const std::byte* source, std::byte* destination, int64_t bytes);
// Copies bytes where source and destination may overlap, on the calling thread.
std::unique_ptr<Kernel> move_kernel(const std::byte* source, std::byte* destination, int64_t bytes);
// Runs kernels one after the other.
std::unique_ptr<Kernel> sequence_kernel(std::vector<std::unique_ptr<Kernel>> kernels);
// Writes zero bytes (a sum over an empty axis, a matmul with an empty inner dimension).
std::unique_ptr<Kernel> zero_kernel(std::byte* destination, int64_t bytes);
bool has_kernel(Op op);

std::unique_ptr<Kernel> make_creation(const CompileContext& context, NodeRef node);     // Full, Arange
std::unique_ptr<Kernel> make_random(const CompileContext& context, NodeRef node);       // RandomUniform/Normal/Gumbel
std::unique_ptr<Kernel> make_unary(const CompileContext& context, NodeRef node);        // Neg ... Relu
std::unique_ptr<Kernel> make_gelu(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_cast(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_binary(const CompileContext& context, NodeRef node);       // arithmetic and comparisons
std::unique_ptr<Kernel> make_pow(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_where(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_reduction(const CompileContext& context, NodeRef node);    // Sum, Max
std::unique_ptr<Kernel> make_argmax(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_permute(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_slice(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_concat(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_broadcast(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_matmul(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_softmax(const CompileContext& context, NodeRef node);      // Softmax, LogSoftmax
std::unique_ptr<Kernel> make_layer_norm(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_embedding(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_cross_entropy(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_attention(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_attention_statistics(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_softmax_backward(const CompileContext& context, NodeRef node);  // both softmax flavours
std::unique_ptr<Kernel> make_layer_norm_backward(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_embedding_backward(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_cross_entropy_backward(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_gelu_backward(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_attention_backward(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_all_reduce(const CompileContext& context, NodeRef node);
std::unique_ptr<Kernel> make_optimizer(const CompileContext& context, NodeRef node);    // SgdUpdate, AdamWUpdate
std::unique_ptr<Kernel> make_assign(const CompileContext& context, NodeRef node);

}  // namespace heed::cpu
