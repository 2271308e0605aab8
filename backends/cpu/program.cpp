#include "program.hpp"

#include "parallel.hpp"

#include <omp.h>

#include <chrono>
#include <cstring>
#include <map>

namespace heed::cpu {

namespace {

// What this backend runs as one kernel (heed/backend/kernel_groups.hpp): oneDNN's matmul takes a
// bias with an eltwise post-op, or a binary post-op that adds a summand; a product whose result
// would overlap an operand is staged in its own bytes; the masked softmax kernel takes up to 8
// masks; the attention forward writes its rows' statistics.
const FusionCapabilities& fusion_capabilities() {
  static const FusionCapabilities capabilities{.bias_epilogue = true,
                                               .epilogue_activations = {Op::Tanh, Op::Sigmoid, Op::Relu, Op::Gelu},
                                               .epilogue_stores_sum = false,
                                               .epilogue_staged = true,
                                               .accumulate_epilogue = true,
                                               .masked_softmax_masks = 8,
                                               .attention_statistics = true};
  return capabilities;
}

}  // namespace


CpuProgram::CpuProgram(const Graph& graph, const Plan& plan, const CompileOptions& options, const CpuProgram* source,
                       std::span<const std::pair<NodeId, NodeId>> shared)
    : threads_(resolve_threads(options.threads)), engine_(dnnl::engine::kind::cpu, 0), stream_(engine_),
      buffers_(graph, plan, source ? &source->buffers() : nullptr, shared) {
  // Primitives pick their blocking for the thread count they will run with.
  ThreadCount scope(threads_);
  CompileContext context(graph, plan, options, buffers_, scratchpad_, engine_, stream_);
  kernels_.reserve(plan.order.size());
  const KernelGroups groups = plan_kernel_groups(graph, plan, context.uses(), fusion_capabilities(), options.fusion);
  for (size_t position = 0; position < plan.order.size(); ++position)
    if (groups.is_covered(position)) context.claim(position);
  for (size_t position = 0; position < plan.order.size(); ++position) {
    NodeId id = plan.order[position];
    // An alias's bytes are its root's, whatever the op that made it.
    if (plan.values[static_cast<size_t>(id)].storage == Storage::Alias || context.claimed(position)) continue;
    std::optional<FusedKernel> fused;
    if (auto found = groups.masked_softmaxes.find(position); found != groups.masked_softmaxes.end()) {
      fused = masked_softmax_kernel(context, position, found->second);
    } else if (auto group = groups.matmuls.find(position); group != groups.matmuls.end()) {
      fused = FusedKernel{make_matmul_group(context, group->second), 0};
      fused->name = describe_node(graph, graph.node(id));
      for (size_t covered : group->second.covered)
        if (plan.values[static_cast<size_t>(plan.order[covered])].storage != Storage::Alias)
          fused->name += fmt::format(" + {}{}", op_name(graph.node(plan.order[covered]).op),
                                     group->second.epilogue == MatmulGroup::Epilogue::accumulate ? " (later)" : "");
    } else if (auto attention = groups.attentions.find(position); attention != groups.attentions.end()) {
      fused = FusedKernel{make_attention_group(context, attention->second), 0};
      fused->name = describe_node(graph, graph.node(id)) + " + attention_statistics";
    } else {
      fused = fuse_pointwise(context, position);
    }
    if (fused) {
      std::string name = fused->name;
      if (name.empty()) {
        name = describe_node(graph, graph.node(id));
        for (size_t next = position + 1; next <= position + fused->absorbed; ++next) name += fmt::format(" + {}", op_name(graph.node(plan.order[next]).op));
      }
      if (fused->kernel) {
        kernels_.push_back(std::move(fused->kernel));
        kernel_names_.push_back(std::move(name));
      }
      position += fused->absorbed;
      continue;
    }
    if (std::unique_ptr<Kernel> kernel = make_kernel(context, {id, graph.node(id)})) {
      kernels_.push_back(std::move(kernel));
      kernel_names_.push_back(describe_node(graph, graph.node(id)));
    }
  }
  profile_ = options.profile;
  kernel_seconds_.assign(kernels_.size(), 0.0);
  scratchpad_.allocate();
}

void CpuProgram::run(std::span<const std::pair<NodeId, HostView>> inputs) {
  for (const auto& [id, values] : inputs)
    std::memcpy(buffers_.address(id), values.data, static_cast<size_t>(buffers_.bytes(id)));
  ThreadCount scope(threads_);
  if (!profile_ || !first_run_done_) {
    for (const std::unique_ptr<Kernel>& kernel : kernels_) kernel->run();
    first_run_done_ = true;
  } else {
    using clock = std::chrono::steady_clock;
    for (size_t i = 0; i < kernels_.size(); ++i) {
      auto start = clock::now();
      kernels_[i]->run();
      kernel_seconds_[i] += std::chrono::duration<double>(clock::now() - start).count();
    }
    ++runs_;
  }
  stream_.wait();
}

KernelProfile CpuProgram::profile() const {
  KernelProfile profile{.kernels = {}, .runs = runs_};
  if (!profile_) return profile;
  for (size_t i = 0; i < kernels_.size(); ++i) profile.kernels.push_back({kernel_names_[i], kernel_seconds_[i]});
  return profile;
}

void CpuProgram::read(NodeId id, void* destination) {
  if (std::byte* data = buffers_.address(id)) std::memcpy(destination, data, static_cast<size_t>(buffers_.bytes(id)));
  else fail("cpu backend: read: value {} has no storage in this program", id);
}

void CpuProgram::write(NodeId id, const void* source) {
  if (std::byte* data = buffers_.address(id)) std::memcpy(data, source, static_cast<size_t>(buffers_.bytes(id)));
  else fail("cpu backend: write: value {} has no storage in this program", id);
}

}  // namespace heed::cpu
