// The Open MPI communicator module, run under mpirun with two or more processes: every process
// runs these cases as one rank of the job. Sums are added in rank order (the same bits as a
// thread group), and a data-parallel step across processes equals one process's.
#include "../support/backends.hpp"
#include "../support/small_mlp.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <cstring>

namespace heed::test {
namespace {

Communicator& job() { return join_job("mpi"); }

TEST_CASE("the job's ranks know their place, and every process is one of them") {
  Communicator& communicator = job();
  REQUIRE(communicator.size() >= 2);
  CHECK(communicator.rank() >= 0);
  CHECK(communicator.rank() < communicator.size());
  std::vector<float> present(static_cast<size_t>(communicator.size()), 0.0f);
  present[static_cast<size_t>(communicator.rank())] = 1;
  communicator.all_reduce_sum(present);
  for (float one : present) CHECK(one == 1.0f);
  CHECK(&join_job("mpi") == &communicator);  // joined once
}

TEST_CASE("the sum is added in rank order: the same bits as a thread group's") {
  Communicator& communicator = job();
  const int size = communicator.size();
  // Values whose float sum depends on the order of addition; lengths that do not split evenly.
  auto value = [](int rank, size_t i) { return rank == 0 ? 1e8f + static_cast<float>(i) : static_cast<float>(rank) * 3.25f + 0.5f; };
  for (size_t length : {size_t{1}, size_t{7}, size_t{1000}}) {
    std::vector<float> values(length);
    for (size_t i = 0; i < length; ++i) values[i] = value(communicator.rank(), i);
    communicator.all_reduce_sum(values);
    for (size_t i = 0; i < length; ++i) {
      float expected = value(0, i);
      for (int rank = 1; rank < size; ++rank) expected += value(rank, i);
      CHECK(std::memcmp(&values[i], &expected, sizeof(float)) == 0);
    }
  }
}

TEST_CASE("a broadcast gives every rank the root's bytes") {
  Communicator& communicator = job();
  const int root = communicator.size() - 1;
  std::vector<std::byte> bytes(5, std::byte{static_cast<unsigned char>(communicator.rank())});
  communicator.broadcast(bytes, root);
  for (std::byte b : bytes) CHECK(b == std::byte{static_cast<unsigned char>(root)});
  CHECK_THROWS_AS(communicator.broadcast(bytes, communicator.size()), Error);
  communicator.barrier();
}

TEST_CASE("processes at a share of the batch take the step one process takes at the whole batch, on every backend") {
  Communicator& communicator = job();
  const int64_t batch = 4 * communicator.size(), share = 4;
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name << ", rank " << communicator.rank());
    Mlp whole(batch, false);
    Program whole_program = backend->compile(whole.graph);
    StepResult one = take_step(whole_program, whole, examples(0, batch));
    Mlp part(share, true);
    Program part_program = backend->compile(part.graph, {.communicator = &communicator});
    StepResult mine = take_step(part_program, part, examples(share * communicator.rank(), share));
    CHECK(std::abs(mine.loss - one.loss) <= 1e-6 * std::abs(one.loss));
    for (size_t i = 0; i < one.gradients.size(); ++i) CHECK(relative_difference(one.gradients[i], mine.gradients[i]) <= 1e-5);
    for (size_t i = 0; i < one.parameters.size(); ++i) CHECK(relative_difference(one.parameters[i], mine.parameters[i]) <= 1e-6);
  }
}

}  // namespace
}  // namespace heed::test
