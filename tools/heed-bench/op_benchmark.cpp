#include "op_benchmark.hpp"

#include "timing.hpp"

#include <heed/heed.hpp>

#include <fmt/format.h>

namespace heed::bench {

namespace {

HostTensor random_values(Graph& graph, Shape shape) {
  HostTensor values(f32, std::move(shape));
  for (float& value : values.f32()) value = static_cast<float>(static_cast<double>(graph.next_host_random() >> 11) * 0x1p-53 - 0.5);
  return values;
}

}  // namespace

void run_op_benchmark(const OpOptions& options) {
  if (options.op != "matmul") fail("op: unknown op '{}'; available: matmul", options.op);
  if (options.m <= 0 || options.n <= 0 || options.k <= 0 || options.batch <= 0)
    fail("op matmul: sizes must be positive, got batch {} m {} n {} k {}", options.batch, options.m, options.n, options.k);
  Graph graph;
  // The operands are device-resident states, so run() times the product alone, not host copies.
  Shape a_shape{options.m, options.k}, b_shape{options.k, options.n};
  if (options.batch > 1) {
    a_shape.insert(a_shape.begin(), options.batch);
    b_shape.insert(b_shape.begin(), options.batch);
  }
  Tensor a = graph.state("a", random_values(graph, a_shape));
  Tensor b = graph.state("b", random_values(graph, b_shape));
  graph.output(matmul(a, b));

  auto backend = load_backend(options.backend);
  int threads = resolve_threads(options.threads);
  Program program = backend->compile(graph, {.threads = threads});
  Timing timing = time_steps([&] { program.run(); }, options.warmup, options.samples);
  double flops = 2.0 * static_cast<double>(options.batch * options.m * options.n * options.k);
  fmt::print(
      "{{\"op\": \"matmul\", \"backend\": \"{}\", \"device\": \"{}\", \"threads\": {}, \"batch\": {}, \"m\": {}, \"n\": {}, "
      "\"k\": {}, \"ms_median\": {:.4f}, \"ms_min\": {:.4f}, \"samples\": {}, \"gflops\": {:.2f}, \"gflops_best\": {:.2f}}}\n",
      backend->name(), backend->device(), threads, options.batch, options.m, options.n, options.k, timing.median_seconds * 1e3,
      timing.min_seconds * 1e3, timing.samples, flops / timing.median_seconds / 1e9, flops / timing.min_seconds / 1e9);
}

}  // namespace heed::bench
