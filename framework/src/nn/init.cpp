#include <heed/nn.hpp>

#include <cmath>

namespace heed::nn {

namespace {
double unit(Graph& graph) { return static_cast<double>(graph.next_host_random() >> 11) * 0x1p-53; }
}  // namespace

HostTensor uniform(Graph& graph, Shape shape, double bound) {
  HostTensor values(f32, std::move(shape));
  for (float& value : values.f32()) value = static_cast<float>((2 * unit(graph) - 1) * bound);
  return values;
}

HostTensor normal(Graph& graph, Shape shape, double std) {
  HostTensor values(f32, std::move(shape));
  for (float& value : values.f32()) {
    double radius = std::sqrt(-2 * std::log(1 - unit(graph)));  // 1 - unit is in (0, 1]
    value = static_cast<float>(std * radius * std::cos(6.283185307179586 * unit(graph)));
  }
  return values;
}

HostTensor filled(Shape shape, float value) {
  HostTensor values(f32, std::move(shape));
  for (float& element : values.f32()) element = value;
  return values;
}

}  // namespace heed::nn
