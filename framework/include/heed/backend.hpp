#pragma once
// A backend compiles a finished graph once into a Program; run() then only binds inputs and
// executes. Backends are plugins (libheed-backend-<name>.so) found by the registry; models and
// tools only ever see this interface.
#include <heed/graph.hpp>
#include <heed/plan.hpp>

#include <memory>
#include <utility>

namespace heed {

struct CompileOptions {
  int threads = 0;  // 0: $HEED_THREADS, else every core
};

// What a backend returns from compile; Program wraps it.
class Executable {
 public:
  virtual ~Executable() = default;
  // Values are checked against the graph before these are called.
  virtual void run(std::span<const std::pair<NodeId, HostView>> inputs) = 0;
  virtual void read(NodeId id, void* destination) = 0;  // a kept or persistent value
  virtual void write(NodeId id, const void* source) = 0;  // a persistent value
  virtual int64_t submissions() const { return 0; }  // device submissions so far (Vulkan)
  virtual int64_t dispatches() const { return 0; }   // compute dispatches one run makes (Vulkan)
};

struct Feed {
  Tensor tensor;
  HostView values;
};

class Program {
 public:
  Program(const Graph& graph, Plan plan, std::unique_ptr<Executable> executable);

  void run(std::initializer_list<Feed> feeds = {});
  void run(std::span<const Feed> feeds);
  HostTensor read(Tensor tensor);               // an output or a persistent value
  void write(Tensor tensor, HostView values);  // a persistent value (parameters, states)
  const Plan& plan() const { return plan_; }
  int64_t planned_peak_bytes() const { return plan_.arena_bytes; }
  int64_t submissions() const { return executable_->submissions(); }
  // Kernels one run launches, where the backend counts them (0 where not): fusion shows here.
  int64_t dispatches() const { return executable_->dispatches(); }
  const Graph& graph() const { return *graph_; }

 private:
  const Graph* graph_;
  Plan plan_;
  std::vector<NodeId> inputs_;  // every input the plan needs: run() checks each is fed
  std::unique_ptr<Executable> executable_;
  std::vector<std::pair<NodeId, HostView>> bound_;  // reused by run(): no per-step allocation
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual std::string device() const = 0;  // what it runs on: CPU model and threads, GPU name and driver
  virtual bool supports(Op op) const = 0;

  // Plans the graph, checks every op it needs is supported (naming those that are not) and
  // compiles. The graph must outlive the program.
  Program compile(const Graph& graph, CompileOptions options = {});

 protected:
  virtual std::unique_ptr<Executable> compile_plan(const Graph& graph, const Plan& plan, const CompileOptions& options) = 0;
};

// The registry. A module that failed to load is listed with the reason.
struct BackendStatus {
  std::string name;
  std::string path;    // the module file, empty if none was found
  bool loaded = false;
  std::string detail;  // the device when loaded, the reason when not
};
std::vector<BackendStatus> backends();

// Loads a backend by name; an empty name means $HEED_BACKEND, else "cpu". Throws an Error that
// lists the available backends and the folders searched when it cannot.
std::shared_ptr<Backend> load_backend(std::string_view name = {});

// Thread count: `requested` if positive, else $HEED_THREADS, else every core.
int resolve_threads(int requested);

// The ABI between the core and a module: the one C entry point, heed_backend_entry, returns this.
inline constexpr uint32_t backend_abi_version = 2;  // 2: Executable::dispatches
struct BackendModule {
  uint32_t abi_version;
  const char* name;
  // Creates the backend; throws heed::Error when it cannot (no device, say).
  std::shared_ptr<Backend> (*create)();
};

}  // namespace heed

#define HEED_BACKEND_ENTRY extern "C" __attribute__((visibility("default"))) const heed::BackendModule* heed_backend_entry()
