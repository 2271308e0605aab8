#include <heed/error.hpp>
#include <heed/nn.hpp>
#include <heed/ops.hpp>

namespace heed::nn {

Embedding::Embedding(Graph& graph, const std::string& name, int64_t rows, int64_t width, double normal_std) {
  if (rows <= 0 || width <= 0) fail("Embedding '{}': sizes must be positive, got {} rows of width {}", name, rows, width);
  weight = graph.parameter(name + ".weight", normal(graph, {rows, width}, normal_std));
}

Tensor Embedding::operator()(Tensor indices) const { return embedding(weight, indices); }

}  // namespace heed::nn
