#include <heed/error.hpp>
#include <heed/nn.hpp>
#include <heed/ops.hpp>

#include <cmath>

namespace heed::nn {

namespace {

HostTensor uniform(Graph& graph, Shape shape, double bound) {
  HostTensor values(f32, std::move(shape));
  for (float& value : values.f32()) {
    double unit = static_cast<double>(graph.next_host_random() >> 11) * 0x1p-53;
    value = static_cast<float>((2 * unit - 1) * bound);
  }
  return values;
}

}  // namespace

Linear::Linear(Graph& graph, const std::string& name, int64_t in, int64_t out, bool with_bias) {
  if (in <= 0 || out <= 0) fail("Linear '{}': sizes must be positive, got in {} and out {}", name, in, out);
  double bound = 1.0 / std::sqrt(static_cast<double>(in));
  weight = graph.parameter(name + ".weight", uniform(graph, {out, in}, bound));
  if (with_bias) bias = graph.parameter(name + ".bias", uniform(graph, {out}, bound));
}

Tensor Linear::operator()(Tensor x) const {
  if (x.rank() < 1 || x.dim(-1) != weight.dim(1))
    fail("Linear '{}': expects input [..., {}], got {}", weight.name(), weight.dim(1), describe(x));
  Shape rows_shape = x.shape();
  int64_t rows = x.size() / weight.dim(1);
  Tensor y = matmul(reshape(x, {rows, weight.dim(1)}), weight, false, true);
  if (bias) y = y + bias;
  rows_shape.back() = weight.dim(0);
  return reshape(y, rows_shape);
}

}  // namespace heed::nn
