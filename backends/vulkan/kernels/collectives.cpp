// Collectives run on the host, between command buffers: the ranks' values meet in host memory,
// where the communicator (MPI, a thread group) can reach them.
#include "lowering.hpp"

namespace heed::vulkan {

void lower_collective(Lowering& lowering, const Node& node, NodeId id) {
  if (element_count(node.shape) == 0) return;
  lowering.emit_host_collective(lowering.input(node, 0), lowering.value(id));
}

}  // namespace heed::vulkan
