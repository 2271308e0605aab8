// Data-parallel training on a thread group: N ranks, each at batch B/N with its share of the
// examples, take the same step as one process at batch B. The gradients meet in one AllReduce
// node between grad and the updates, on every backend.
#include "../support/backends.hpp"
#include "../support/compare.hpp"
#include "../support/ranks.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace heed::test {
namespace {

constexpr int64_t features = 6, classes = 3;

// The largest difference relative to the largest magnitude of `expected`.
double relative_difference(const HostTensor& expected, const HostTensor& got) {
  Comparison comparison = compare(to_doubles(expected), to_doubles(got));
  double scale = 0;
  for (double value : to_doubles(expected)) scale = std::max(scale, std::abs(value));
  return comparison.max_abs_error / std::max(scale, 1e-30);
}

bool same_bits(const HostTensor& a, const HostTensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), static_cast<size_t>(a.bytes())) == 0;
}

struct Batch {
  std::vector<float> x;
  std::vector<int32_t> y;
};

Batch examples(int64_t begin, int64_t count) {
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

StepResult take_step(Program& program, Mlp& model, const Batch& batch) {
  program.run({{model.x, batch.x}, {model.y, batch.y}});
  StepResult result;
  for (const Tensor& gradient : model.gradients) result.gradients.push_back(program.read(gradient));
  for (const Tensor& parameter : model.graph.parameters()) result.parameters.push_back(program.read(parameter));
  result.loss = program.read(model.mean_loss.valid() ? model.mean_loss : model.loss).item();
  return result;
}

// Each rank of `ranks` takes one step on its share of the batch of `batch` examples.
std::vector<StepResult> step_on_ranks(Backend& backend, int ranks_count, int64_t batch) {
  auto ranks = thread_group(ranks_count);
  std::vector<std::unique_ptr<Mlp>> models;
  std::vector<Program> programs;
  for (int rank = 0; rank < ranks_count; ++rank) {
    models.push_back(std::make_unique<Mlp>(batch / ranks_count, true));
    programs.push_back(backend.compile(models.back()->graph, {.communicator = ranks[static_cast<size_t>(rank)].get()}));
  }
  std::vector<StepResult> results(static_cast<size_t>(ranks_count));
  std::vector<std::string> errors = on_every_rank(ranks, [&](Communicator& communicator) {
    auto rank = static_cast<size_t>(communicator.rank());
    int64_t share = batch / ranks_count;
    results[rank] = take_step(programs[rank], *models[rank], examples(share * communicator.rank(), share));
  });
  for (const std::string& error : errors) REQUIRE_MESSAGE(error.empty(), error);
  return results;
}

TEST_CASE("two ranks at half the batch take the step one process takes at the whole batch, on every backend") {
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    Mlp whole(8, false);
    Program program = backend->compile(whole.graph);
    StepResult one = take_step(program, whole, examples(0, 8));
    std::vector<StepResult> two = step_on_ranks(*backend, 2, 8);
    for (const StepResult& rank : two) {
      CHECK(std::abs(rank.loss - one.loss) <= 1e-6 * std::abs(one.loss));
      for (size_t i = 0; i < one.gradients.size(); ++i) CHECK(relative_difference(one.gradients[i], rank.gradients[i]) <= 1e-5);
      for (size_t i = 0; i < one.parameters.size(); ++i) CHECK(relative_difference(one.parameters[i], rank.parameters[i]) <= 1e-6);
    }
    // Every rank holds the same bits.
    for (size_t i = 0; i < one.parameters.size(); ++i) CHECK(same_bits(two[0].parameters[i], two[1].parameters[i]));
  }
}

TEST_CASE("a data-parallel step is the same bits from run to run") {
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    std::vector<StepResult> first = step_on_ranks(*backend, 2, 8), second = step_on_ranks(*backend, 2, 8);
    for (size_t rank = 0; rank < 2; ++rank)
      for (size_t i = 0; i < first[rank].parameters.size(); ++i) CHECK(same_bits(first[rank].parameters[i], second[rank].parameters[i]));
  }
}

TEST_CASE("four ranks at a quarter of the batch agree with one process too") {
  auto backend = load_for_test("cpu");
  REQUIRE(backend);
  Mlp whole(8, false);
  Program program = backend->compile(whole.graph);
  StepResult one = take_step(program, whole, examples(0, 8));
  for (const StepResult& rank : step_on_ranks(*backend, 4, 8))
    for (size_t i = 0; i < one.gradients.size(); ++i) CHECK(relative_difference(one.gradients[i], rank.gradients[i]) <= 1e-5);
}

}  // namespace
}  // namespace heed::test
