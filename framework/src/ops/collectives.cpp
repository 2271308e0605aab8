// Collectives: values combined over the ranks of a data-parallel job. The graph states what is
// combined; the communicator a program is compiled with says over which ranks.
#include "vjp.hpp"

#include <heed/error.hpp>

namespace heed {

Tensor all_reduce(Tensor x) {
  detail::expect_dtype("all_reduce", x, f32);
  return x.graph().add_node(Op::AllReduce, f32, x.shape(), {x});
}

namespace vjp {

// Every rank's output is the sum of every rank's input, so each input's gradient is the sum of
// the output gradients of all ranks.
std::vector<Tensor> all_reduce(Graph&, const Node&, Tensor, Tensor grad) { return {heed::all_reduce(grad)}; }

}  // namespace vjp

}  // namespace heed
