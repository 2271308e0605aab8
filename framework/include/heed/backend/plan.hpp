#pragma once
// What every backend's compile() starts from: the nodes to run in order and where each value
// lives. Intermediate values share one arena, reused by liveness over the schedule; reshapes
// alias their input. Persistent values, inputs and constants have storage of their own.
#include <heed/graph.hpp>

namespace heed {

enum class Storage : uint8_t {
  None,        // not needed by any output or effect
  Arena,       // an intermediate: offset into the program's arena
  Persistent,  // Parameter or State: its own buffer, kept across runs
  Input,       // its own buffer, written by run()
  Constant,    // its own buffer, written once at compile time
  Alias,       // Reshape, StopGradient: the same bytes as alias_of; no kernel runs
};

struct ValuePlan {
  Storage storage = Storage::None;
  int64_t offset = 0;    // Arena: byte offset
  int64_t bytes = 0;
  NodeId alias_of = -1;  // Alias: the node whose storage this one shares (never an Alias itself)
};

struct Plan {
  // Nodes to execute, inputs first, effects last in creation order; attention statistics right
  // after the attention they describe.
  std::vector<NodeId> order;
  std::vector<ValuePlan> values;  // indexed by NodeId
  int64_t arena_bytes = 0;        // the planned peak of intermediate memory
  int64_t persistent_bytes = 0;
  int64_t input_bytes = 0;

  // Storage that holds node id's bytes (itself unless it is an alias).
  NodeId root(NodeId id) const { return values[static_cast<size_t>(id)].storage == Storage::Alias ? values[static_cast<size_t>(id)].alias_of : id; }
};

inline constexpr int64_t arena_alignment = 64;

Plan plan_graph(const Graph& graph);

}  // namespace heed
