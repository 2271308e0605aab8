#pragma once
// What a backend module implements: the Executable a compiled graph becomes, and the one C entry
// point through which the registry finds the module and checks that it was built for this core.
#include <heed/backend.hpp>
#include <heed/backend/plan.hpp>

namespace heed {

// What a backend returns from compile; Program wraps it.
class Executable {
 public:
  virtual ~Executable() = default;
  // Values are checked against the graph before these are called.
  virtual void run(std::span<const std::pair<NodeId, HostView>> inputs) = 0;
  virtual void read(NodeId id, void* destination) = 0;  // a kept or persistent value
  virtual void write(NodeId id, const void* source) = 0;  // a persistent value
  virtual int64_t submissions() const { return 0; }  // device submissions so far (Vulkan)
  virtual int64_t kernels() const = 0;                 // kernels (dispatches) one run launches
  virtual KernelProfile profile() const { return {}; }  // with CompileOptions::profile, where timed
};

// CompileOptions::share_persistent_values as the core hands it to compile_plan, checked: every
// value the new plan keeps as Storage::Persistent is paired with the node of the source's graph
// (same name, op, shape and dtype) whose storage it takes. `source` is null when nothing is
// shared; a backend refuses a source that it did not compile.
struct SharedPersistentValues {
  Executable* source = nullptr;
  std::vector<std::pair<NodeId, NodeId>> values;  // (node of the new graph, node of the source's graph)
};

// The ABI between the core and a module: the one C entry point, heed_backend_entry, returns this.
inline constexpr uint32_t backend_abi_version = 8;  // 3: shared persistent values; 4: fusion and profiling in CompileOptions; 5: AttentionStatistics;
                                                    // 6: AllReduce and CompileOptions::communicator; 7: bf16, f16 and supports(DType);
                                                    // 8: CompileOptions::precision
struct BackendModule {
  uint32_t abi_version;
  const char* name;
  // Creates the backend; throws heed::Error when it cannot (no device, say).
  std::shared_ptr<Backend> (*create)();
};

}  // namespace heed

#define HEED_BACKEND_ENTRY extern "C" __attribute__((visibility("default"))) const heed::BackendModule* heed_backend_entry()
