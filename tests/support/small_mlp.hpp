#pragma once
// A two-layer MLP trained at any batch size from the same parameters, for data-parallel tests:
// N ranks at batch B/N, each on its share of the examples, against one process at batch B.
#include "compare.hpp"

#include <heed/heed.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace heed::test {

inline constexpr int64_t features = 6, classes = 3;

// The largest difference relative to the largest magnitude of `expected`.
inline double relative_difference(const HostTensor& expected, const HostTensor& got) {
  Comparison comparison = compare(to_doubles(expected), to_doubles(got));
  double scale = 0;
  for (double value : to_doubles(expected)) scale = std::max(scale, std::abs(value));
  return comparison.max_abs_error / std::max(scale, 1e-30);
}

inline bool same_bits(const HostTensor& a, const HostTensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), static_cast<size_t>(a.bytes())) == 0;
}

struct Batch {
  std::vector<float> x;
  std::vector<int32_t> y;
};

inline Batch examples(int64_t begin, int64_t count) {
  Batch batch;
  for (int64_t i = begin; i < begin + count; ++i) {
    for (int64_t j = 0; j < features; ++j) batch.x.push_back(static_cast<float>(std::sin(0.7 * static_cast<double>(i * features + j) + 0.3)));
    batch.y.push_back(static_cast<int32_t>((i * 7) % classes));
  }
  return batch;
}

// A two-layer MLP at one batch size: the same parameters at every size (one seed).
struct Mlp {
  Graph graph{7};
  Tensor x, y, loss;
  std::vector<Tensor> gradients;
  Tensor mean_loss;  // data-parallel only

  Mlp(int64_t batch, bool across_ranks) {
    x = graph.input("x", {batch, features});
    y = graph.input("y", {batch}, i32);
    nn::Linear first(graph, "first", features, 16), second(graph, "second", 16, classes);
    loss = cross_entropy(second(tanh(first(x))), y);
    optim::AdamW optimizer(graph, {.lr = 0.01, .weight_decay = 0.01});
    if (across_ranks) {
      optim::RankMeans means = optimizer.minimize_across_ranks(loss, scalar(graph, static_cast<double>(batch)));
      gradients = means.gradients;
      mean_loss = means.loss;
    } else {
      gradients = optimizer.minimize(loss);
    }
    for (const Tensor& gradient : gradients) graph.output(gradient);
  }
};

struct StepResult {
  std::vector<HostTensor> gradients, parameters;
  float loss = 0;
};

inline StepResult take_step(Program& program, Mlp& model, const Batch& batch) {
  program.run({{model.x, batch.x}, {model.y, batch.y}});
  StepResult result;
  for (const Tensor& gradient : model.gradients) result.gradients.push_back(program.read(gradient));
  for (const Tensor& parameter : model.graph.parameters()) result.parameters.push_back(program.read(parameter));
  result.loss = program.read(model.mean_loss.valid() ? model.mean_loss : model.loss).item();
  return result;
}

}  // namespace heed::test
