#include <heed/backend/module.hpp>
#include <heed/error.hpp>

#include <algorithm>
#include <map>
#include <cstdlib>
#include <thread>

namespace heed {

Program::Program(const Graph& graph, Plan plan, std::unique_ptr<Executable> executable)
    : graph_(&graph), plan_(std::move(plan)), executable_(std::move(executable)) {
  for (NodeId id = 0; id < graph.size(); ++id)
    if (plan_.values[static_cast<size_t>(id)].storage == Storage::Input) inputs_.push_back(id);
  bound_.reserve(inputs_.size());
}

Program::Program(const Graph& graph, RewrittenGraph rewritten, Plan plan, std::unique_ptr<Executable> executable)
    : Program(*rewritten.graph, std::move(plan), std::move(executable)) {
  graph_ = &graph;
  rewritten_ = std::move(rewritten);
}

NodeId Program::planned_id(const Tensor& tensor, const char* what) const {
  if (!tensor.valid() || &tensor.graph() != graph_) fail("{}: the tensor does not belong to the compiled graph", what);
  return rewritten_.graph ? rewritten_.ids[static_cast<size_t>(tensor.id())] : tensor.id();
}

Program::Program(Program&&) noexcept = default;
Program& Program::operator=(Program&&) noexcept = default;
Program::~Program() = default;

int64_t Program::submissions() const { return executable_->submissions(); }
int64_t Program::kernels() const { return executable_->kernels(); }
KernelProfile Program::profile() const { return executable_->profile(); }

std::string profile_report(const KernelProfile& profile, size_t slowest) {
  if (profile.runs == 0 || profile.kernels.empty()) return "no kernel was timed (compile with profiling on, on a backend that times kernels, and run)\n";
  const double runs = static_cast<double>(profile.runs);
  std::map<std::string, std::pair<double, int>> by_kind;  // the first word of the name: the op
  double total = 0;
  for (const KernelTime& kernel : profile.kernels) {
    auto& [seconds, count] = by_kind[kernel.name.substr(0, kernel.name.find(' '))];
    seconds += kernel.seconds;
    ++count;
    total += kernel.seconds;
  }
  std::vector<std::pair<double, std::string>> kinds;
  for (const auto& [kind, entry] : by_kind)
    kinds.emplace_back(entry.first, fmt::format("{:>24} {:5} kernels {:10.3f} ms/run {:5.1f}%\n", kind, entry.second, entry.first / runs * 1e3,
                                                total > 0 ? 100 * entry.first / total : 0.0));
  std::vector<std::pair<double, size_t>> by_time;
  for (size_t i = 0; i < profile.kernels.size(); ++i) by_time.emplace_back(profile.kernels[i].seconds, i);
  std::sort(kinds.rbegin(), kinds.rend());
  std::sort(by_time.rbegin(), by_time.rend());
  std::string report = fmt::format("profile: {} kernels, {} runs, {:.3f} ms/run\n", profile.kernels.size(), profile.runs, total / runs * 1e3);
  for (const auto& kind : kinds) report.append(kind.second);
  for (size_t i = 0; i < std::min(slowest, by_time.size()); ++i)
    report.append(fmt::format("{:10.3f} ms/run  #{:<4} {}\n", by_time[i].first / runs * 1e3, by_time[i].second, profile.kernels[by_time[i].second].name));
  return report;
}

void Program::run(std::initializer_list<Feed> feeds) { run(std::span<const Feed>(feeds.begin(), feeds.size())); }

void Program::run(std::span<const Feed> feeds) {
  bound_.clear();
  for (const Feed& feed : feeds) {
    const NodeId id = planned_id(feed.tensor, "run");
    const Node& node = feed.tensor.node();
    if (node.op != Op::Input) fail("run: {} is not an input of the graph", describe(feed.tensor));
    if (plan_.values[static_cast<size_t>(id)].storage != Storage::Input) continue;  // not needed
    if (feed.values.dtype != node.dtype || feed.values.size != element_count(node.shape))
      fail("run: input {} got {} {} values", describe(feed.tensor), feed.values.size, dtype_name(feed.values.dtype));
    bound_.emplace_back(id, feed.values);
  }
  for (NodeId id : inputs_) {
    int fed = 0;
    for (const auto& [bound, values] : bound_) fed += bound == id;
    if (fed != 1)
      fail("run: input {} was {}", describe(Tensor{const_cast<Graph*>(&planned_graph()), id}), fed == 0 ? "not fed" : "fed more than once");
  }
  executable_->run(bound_);
}

HostTensor Program::read(Tensor tensor) {
  const NodeId id = planned_id(tensor, "read");
  const ValuePlan& value = plan_.values[static_cast<size_t>(id)];
  const auto& outputs = planned_graph().outputs();
  bool kept = value.storage == Storage::Persistent || value.storage == Storage::Constant || value.storage == Storage::Input ||
              std::find(outputs.begin(), outputs.end(), id) != outputs.end();
  if (value.storage == Storage::None) fail("read: {} is not used by the compiled program", describe(tensor));
  if (!kept) fail("read: {} is not kept by the program; mark it with graph.output() before compiling", describe(tensor));
  HostTensor result(tensor.dtype(), tensor.shape());
  executable_->read(id, result.data());
  return result;
}

void Program::write(Tensor tensor, HostView values) {
  const NodeId id = planned_id(tensor, "write");
  if (!is_persistent(tensor.node().op)) fail("write: {} is not a parameter or state", describe(tensor));
  if (values.dtype != tensor.dtype() || values.size != tensor.size())
    fail("write: {} got {} {} values", describe(tensor), values.size, dtype_name(values.dtype));
  if (plan_.values[static_cast<size_t>(id)].storage == Storage::None) return;  // unused by this program
  executable_->write(id, values.data);
}

namespace {

// Pairs every persistent value of the new plan with the source program's value of that name,
// after checking them all: one error lists every value that is missing or differs. `built` is
// the new graph as the user built it, `graph` as planned.
SharedPersistentValues share_persistent_values(const Graph& built, const Graph& graph, const Plan& plan, Program* source) {
  SharedPersistentValues shared;
  if (!source) return shared;
  const Graph& from = source->planned_graph();
  if (&source->graph() == &built) fail("compile: share_persistent_values names a program of the same graph; compile the graph once");
  std::map<std::string_view, NodeId> by_name;
  for (NodeId id = 0; id < from.size(); ++id)
    if (is_persistent(from.node(id).op)) by_name.emplace(from.node(id).name, id);
  std::vector<std::string> problems;
  for (NodeId id = 0; id < graph.size(); ++id) {
    if (plan.values[static_cast<size_t>(id)].storage != Storage::Persistent) continue;
    const Node& node = graph.node(id);
    auto found = by_name.find(node.name);
    if (found == by_name.end()) {
      problems.push_back(fmt::format("'{}' is not in the program shared with", node.name));
      continue;
    }
    const Node& other = from.node(found->second);
    if (other.op != node.op || other.dtype != node.dtype || other.shape != node.shape)
      problems.push_back(fmt::format("'{}' is {} {}{} here and {} {}{} there", node.name, op_name(node.op), dtype_name(node.dtype),
                                     shape_string(node.shape), op_name(other.op), dtype_name(other.dtype), shape_string(other.shape)));
    else if (source->plan().values[static_cast<size_t>(found->second)].storage != Storage::Persistent)
      problems.push_back(fmt::format("'{}' is not used by the program shared with, which so keeps no storage for it", node.name));
    else
      shared.values.emplace_back(id, found->second);
  }
  if (!problems.empty())
    fail("compile: share_persistent_values: {} of the new graph's parameters and states cannot be shared:\n  {}", problems.size(),
         fmt::join(problems, "\n  "));
  return shared;
}

}  // namespace

Program Backend::compile(const Graph& source, CompileOptions options) {
  RewrittenGraph rewritten;
  if (options.precision == Precision::bf16 && !supports(bf16))
    fail("compile: precision bf16 computes products on bf16 values, which the {} backend does not hold; compile in f32 "
         "(leave out --precision bf16) or on a backend that holds bf16", name());
  if (options.precision != Precision::f32) rewritten = apply_precision(source, options.precision);
  const Graph& graph = rewritten.graph ? *rewritten.graph : source;
  Plan plan = plan_graph(graph);
  std::vector<std::string> missing;
  for (NodeId id : plan.order)
    if (!supports(graph.node(id).op)) missing.emplace_back(op_name(graph.node(id).op));
  if (!missing.empty()) fail("compile: the {} backend does not support {}", name(), fmt::join(missing, ", "));
  for (NodeId id = 0; id < graph.size(); ++id) {
    const Node& node = graph.node(id);
    if (plan.values[static_cast<size_t>(id)].storage != Storage::None && !supports(node.dtype))
      fail("compile: the {} backend holds no {} values, and {} is one; keep the graph in f32 for it, or use a backend with {}", name(),
           dtype_name(node.dtype), describe_node(graph, node), dtype_name(node.dtype));
  }
  SharedPersistentValues shared = share_persistent_values(source, graph, plan, options.share_persistent_values);
  if (options.share_persistent_values) shared.source = options.share_persistent_values->executable_.get();
  std::unique_ptr<Executable> executable = compile_plan(graph, plan, options, shared);
  if (rewritten.graph) return Program(source, std::move(rewritten), std::move(plan), std::move(executable));
  return Program(graph, std::move(plan), std::move(executable));
}

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  if (const char* text = std::getenv("HEED_THREADS"); text && *text) {
    char* end = nullptr;
    long value = std::strtol(text, &end, 10);
    if (*end != '\0' || value <= 0 || value > 4096) fail("HEED_THREADS must be a positive whole number, got '{}'", text);
    return static_cast<int>(value);
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace heed
