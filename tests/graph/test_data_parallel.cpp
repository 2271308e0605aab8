// Data-parallel training on a thread group: N ranks, each at batch B/N with its share of the
// examples, take the same step as one process at batch B. The gradients meet in one AllReduce
// node between grad and the updates, on every backend.
#include "../support/backends.hpp"
#include "../support/small_mlp.hpp"
#include "../support/ranks.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <cmath>

namespace heed::test {
namespace {

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
