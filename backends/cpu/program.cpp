#include "program.hpp"

#include "parallel.hpp"

#include <omp.h>

#include <chrono>
#include <cstring>
#include <map>

namespace heed::cpu {


CpuProgram::CpuProgram(const Graph& graph, const Plan& plan, const CompileOptions& options, const CpuProgram* source,
                       std::span<const std::pair<NodeId, NodeId>> shared)
    : threads_(resolve_threads(options.threads)), engine_(dnnl::engine::kind::cpu, 0), stream_(engine_),
      buffers_(graph, plan, source ? &source->buffers() : nullptr, shared) {
  // Primitives pick their blocking for the thread count they will run with.
  ThreadCount scope(threads_);
  CompileContext context(graph, plan, options, buffers_, scratchpad_, engine_, stream_);
  kernels_.reserve(plan.order.size());
  // A masked softmax runs at the softmax, so the nodes it stands for are claimed before any
  // earlier fusion could take them.
  const std::map<size_t, MaskedSoftmax> masked_softmaxes = find_masked_softmaxes(context);
  for (const auto& [position, pattern] : masked_softmaxes)
    for (size_t absorbed : pattern.absorbed) context.claim(absorbed);
  for (size_t position = 0; position < plan.order.size(); ++position) {
    NodeId id = plan.order[position];
    // An alias's bytes are its root's, whatever the op that made it.
    if (plan.values[static_cast<size_t>(id)].storage == Storage::Alias || context.claimed(position)) continue;
    std::unique_ptr<Kernel> kernel;
    std::optional<FusedKernel> fused;
    if (auto found = masked_softmaxes.find(position); found != masked_softmaxes.end()) fused = masked_softmax_kernel(context, position, found->second);
    else if (graph.node(id).op == Op::Matmul) fused = fuse_matmul(context, position);
    else fused = fuse_pointwise(context, position);
    if (fused) {
      std::string name = fused->name;
      if (name.empty()) {
        name = describe_node(graph, graph.node(id));
        for (size_t next = position + 1; next <= position + fused->absorbed; ++next)
          name += fmt::format(" + {}", op_name(graph.node(plan.order[next]).op));
        for (size_t next : fused->later) name += fmt::format(" + {} (later)", op_name(graph.node(plan.order[next]).op));
      }
      for (size_t next : fused->later) context.claim(next);
      kernels_.push_back(std::move(fused->kernel));
      kernel_names_.push_back(std::move(name));
      position += fused->absorbed;
      continue;
    }
    kernel = make_kernel(context, {id, graph.node(id)});
    if (kernel) {
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
  if (!profile_) {
    for (const std::unique_ptr<Kernel>& kernel : kernels_) kernel->run();
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
