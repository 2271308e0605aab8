#pragma once
// A compiled program: the value buffers, one kernel per scheduled node, and the oneDNN engine
// and stream they run on.
#include "buffers.hpp"
#include "kernel.hpp"

#include <heed/backend/module.hpp>

namespace heed::cpu {

class CpuProgram final : public Executable {
 public:
  // With a source, the persistent values paired in `shared` (new node, source node) take the
  // source's buffers.
  CpuProgram(const Graph& graph, const Plan& plan, const CompileOptions& options, const CpuProgram* source = nullptr,
             std::span<const std::pair<NodeId, NodeId>> shared = {});

  void run(std::span<const std::pair<NodeId, HostView>> inputs) override;
  void read(NodeId id, void* destination) override;
  void write(NodeId id, const void* source) override;
  int64_t kernels() const override { return static_cast<int64_t>(kernels_.size()); }
  KernelProfile profile() const override;
  const ValueBuffers& buffers() const { return buffers_; }

 private:
  int threads_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  ValueBuffers buffers_;
  Scratchpad scratchpad_;
  std::vector<std::unique_ptr<Kernel>> kernels_;
  // With CompileOptions::profile: seconds spent in each kernel over the runs after the first. The
  // first run generates oneDNN's code for each shape (its kernels are made at their first
  // execution, tens of milliseconds each), which would land on the first kernel of each shape.
  bool profile_ = false;
  bool first_run_done_ = false;
  std::vector<std::string> kernel_names_;
  std::vector<double> kernel_seconds_;
  int64_t runs_ = 0;
};

}  // namespace heed::cpu
