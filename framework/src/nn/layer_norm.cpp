#include <heed/error.hpp>
#include <heed/nn.hpp>
#include <heed/ops.hpp>

namespace heed::nn {

LayerNorm::LayerNorm(Graph& graph, const std::string& name, int64_t width, double epsilon) : eps(epsilon) {
  if (width <= 0) fail("LayerNorm '{}': width must be positive, got {}", name, width);
  weight = graph.parameter(name + ".weight", filled({width}, 1));
  bias = graph.parameter(name + ".bias", filled({width}, 0));
}

Tensor LayerNorm::operator()(Tensor x) const { return layer_norm(x, weight, bias, eps); }

}  // namespace heed::nn
