#pragma once
// A backend compiles a finished graph once into a Program; run() then only binds inputs and
// executes. Backends are plugins (libheed-backend-<name>.so) found by the registry; models and
// tools only ever see this interface. What a backend module implements is in heed/backend/.
#include <heed/graph.hpp>
#include <heed/backend/plan.hpp>
#include <heed/precision.hpp>

#include <memory>
#include <utility>

namespace heed {

class Program;

class Communicator;

struct CompileOptions {
  int threads = 0;  // 0: $HEED_THREADS, else every core
  // Kernel groups (a matmul with its epilogue, a masked softmax, a pointwise chain) run as one
  // kernel. With fusion off every node runs as its own kernel: the unfused program is the
  // reference, and comparing the two tells a fusion bug from a kernel bug.
  bool fusion = true;
  bool pointwise_chains = true;  // false: every group but pointwise chains, to see what the others save
  // Time every kernel of every run but the first (Program::profile), which on the CPU generates
  // oneDNN's code for each shape; costs two clock reads per kernel.
  bool profile = false;
  // A program compiled before on the same backend whose parameters and states the new program
  // uses as its own, with no copy: every persistent value of the new graph must be there under
  // the same name, shape and dtype (a model's inference graph beside its training graph, say).
  // A write or an update through either program is seen by both; the storage lives as long as
  // either does.
  Program* share_persistent_values = nullptr;
  // The ranks whose values an AllReduce sums (heed/communicator.hpp); it must outlive the
  // program. None: the program is its own single rank.
  Communicator* communicator = nullptr;
  Precision precision = Precision::f32;  // heed/precision.hpp: bf16 products, or all f32
};

class Executable;  // what a backend compiles a graph into: heed/backend/module.hpp

struct KernelTime {
  std::string name;  // what it runs: "matmul f32[64, 256] of (f32[64, 128], f32[128, 256]) + add"
  double seconds = 0;  // over all runs
};
struct KernelProfile {
  std::vector<KernelTime> kernels;  // in the order they run
  int64_t runs = 0;
};
// The profile as text: time per kind of kernel, then the `slowest` slowest kernels.
std::string profile_report(const KernelProfile& profile, size_t slowest = 80);
struct SharedPersistentValues;

struct Feed {
  Tensor tensor;
  HostView values;
};

class Program {
 public:
  Program(const Graph& graph, Plan plan, std::unique_ptr<Executable> executable);
  // A program of `rewritten`, a compile-time rewrite of `graph`: tensors of `graph` are fed, read
  // and written through it.
  Program(const Graph& graph, RewrittenGraph rewritten, Plan plan, std::unique_ptr<Executable> executable);
  Program(Program&&) noexcept;
  Program& operator=(Program&&) noexcept;
  ~Program();

  void run(std::initializer_list<Feed> feeds = {});
  void run(std::span<const Feed> feeds);
  HostTensor read(Tensor tensor);               // an output or a persistent value
  void write(Tensor tensor, HostView values);  // a persistent value (parameters, states)
  const Plan& plan() const { return plan_; }
  int64_t planned_peak_bytes() const { return plan_.arena_bytes; }
  int64_t submissions() const;
  // Kernels one run launches (CPU kernels, Vulkan dispatches): fusion shows here.
  int64_t kernels() const;
  // Time per kernel over the runs so far; empty unless compiled with CompileOptions::profile on a
  // backend that times kernels.
  KernelProfile profile() const;
  const Graph& graph() const { return *graph_; }  // as the user built it
  // The graph that was planned and compiled: graph() rewritten by the precision policy, or
  // graph() itself. plan() and profile() describe its nodes.
  const Graph& planned_graph() const { return rewritten_.graph ? *rewritten_.graph : *graph_; }

 private:
  friend class Backend;  // compile() hands a program's executable to the next that shares its values

  // The planned node of one of graph()'s tensors; `what` names the caller in errors.
  NodeId planned_id(const Tensor& tensor, const char* what) const;

  const Graph* graph_;
  RewrittenGraph rewritten_;  // empty when the graph was compiled as built
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
  virtual bool supports(DType dtype) const = 0;  // whether it holds values of this dtype at all

  // Plans the graph, checks every op and dtype it needs is supported (naming those that are
  // not) and compiles. The graph must outlive the program.
  Program compile(const Graph& graph, CompileOptions options = {});

 protected:
  virtual std::unique_ptr<Executable> compile_plan(const Graph& graph, const Plan& plan, const CompileOptions& options,
                                                   const SharedPersistentValues& shared) = 0;
};

// The registry. A module that failed to load is listed with the reason.
struct BackendStatus {
  std::string name;
  std::string path;    // the module file, empty if none was found
  bool loaded = false;
  std::string detail;  // the device when loaded, the reason when not
};
std::vector<BackendStatus> backends();
// Where the registry looks for modules, in order: $HEED_BACKEND_PATH, the executable's folder,
// the heed/ folder beside the installed libheed, and an uninstalled build tree's backends/.
std::vector<std::string> backend_search_folders();

// Loads a backend by name; an empty name means $HEED_BACKEND, else "cpu". Throws an Error that
// lists the available backends and the folders searched when it cannot.
std::shared_ptr<Backend> load_backend(std::string_view name = {});

// Thread count: `requested` if positive, else $HEED_THREADS, else every core.
int resolve_threads(int requested);

}  // namespace heed
