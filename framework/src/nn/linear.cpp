#include <heed/error.hpp>
#include <heed/nn.hpp>
#include <heed/ops.hpp>

#include <cmath>

namespace heed::nn {

Linear::Linear(Graph& graph, const std::string& name, int64_t in, int64_t out, bool with_bias, double normal_std) {
  if (in <= 0 || out <= 0) fail("Linear '{}': sizes must be positive, got in {} and out {}", name, in, out);
  double bound = 1.0 / std::sqrt(static_cast<double>(in));
  weight = graph.parameter(name + ".weight", normal_std > 0 ? normal(graph, {out, in}, normal_std) : uniform(graph, {out, in}, bound));
  if (with_bias) bias = graph.parameter(name + ".bias", normal_std > 0 ? filled({out}, 0) : uniform(graph, {out}, bound));
}

Tensor Linear::operator()(Tensor x) const {
  int64_t in = weight.dim(1);
  if (x.rank() < 1 || x.dim(-1) != in) fail("Linear '{}': expects input [..., {}], got {}", weight.name(), in, describe(x));
  Shape shape = x.shape();
  shape.back() = weight.dim(0);
  Tensor y = matmul(reshape(x, {x.size() / in, in}), weight, false, true);
  if (bias) y = y + bias;
  return reshape(y, shape);
}

}  // namespace heed::nn
