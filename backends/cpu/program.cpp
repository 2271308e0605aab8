#include "program.hpp"

#include <omp.h>

#include <cstring>

namespace heed::cpu {

namespace {

// OpenMP's thread count is per calling thread; a program sets its own while it compiles or runs
// and gives the caller's back, so programs with different counts can share a thread.
class ThreadCount {
 public:
  explicit ThreadCount(int threads) : previous_(omp_get_max_threads()) { omp_set_num_threads(threads); }
  ~ThreadCount() { omp_set_num_threads(previous_); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;

 private:
  int previous_;
};

}  // namespace

CpuProgram::CpuProgram(const Graph& graph, const Plan& plan, int threads)
    : threads_(threads), engine_(dnnl::engine::kind::cpu, 0), stream_(engine_), buffers_(graph, plan) {
  // Primitives pick their blocking for the thread count they will run with.
  ThreadCount scope(threads_);
  CompileContext context(graph, plan, buffers_, scratchpad_, engine_, stream_);
  kernels_.reserve(plan.order.size());
  for (NodeId id : plan.order) {
    // An alias's bytes are its root's, whatever the op that made it.
    if (plan.values[static_cast<size_t>(id)].storage == Storage::Alias) continue;
    if (std::unique_ptr<Kernel> kernel = make_kernel(context, {id, graph.node(id)})) kernels_.push_back(std::move(kernel));
  }
  scratchpad_.allocate();
}

void CpuProgram::run(std::span<const std::pair<NodeId, HostView>> inputs) {
  for (const auto& [id, values] : inputs)
    std::memcpy(buffers_.address(id), values.data, static_cast<size_t>(buffers_.bytes(id)));
  ThreadCount scope(threads_);
  for (const std::unique_ptr<Kernel>& kernel : kernels_) kernel->run();
  stream_.wait();
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
