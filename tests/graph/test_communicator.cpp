// The thread-group communicator: N ranks as threads, with the collectives the MPI module gives
// across processes. Results are the same bits on every rank; a mismatch or an abort reaches every
// rank as an error instead of a hang.
#include "../support/ranks.hpp"

#include <doctest/doctest.h>
#include <heed/communicator.hpp>
#include <heed/error.hpp>

#include <cstring>
#include <functional>
#include <string>
#include <thread>

namespace heed::test {
namespace {

TEST_CASE("a thread group's ranks know their place") {
  auto ranks = thread_group(3);
  REQUIRE(ranks.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(ranks[static_cast<size_t>(i)]->rank() == i);
    CHECK(ranks[static_cast<size_t>(i)]->size() == 3);
  }
  CHECK_THROWS_AS(thread_group(0), Error);
}

TEST_CASE("all_reduce_sum leaves the same sum, added in rank order, on every rank") {
  auto ranks = thread_group(3);
  const std::vector<std::vector<float>> inputs{{1e8f, 1, 2}, {1, -1e8f, 3}, {0.5f, 1, 4}};
  std::vector<float> expected(3);
  for (size_t i = 0; i < 3; ++i) expected[i] = (inputs[0][i] + inputs[1][i]) + inputs[2][i];
  std::vector<std::vector<float>> results(3);
  on_every_rank(ranks, [&](Communicator& c) {
    for (int repeat = 0; repeat < 50; ++repeat) {
      std::vector<float> mine = inputs[static_cast<size_t>(c.rank())];
      c.all_reduce_sum(mine);
      if (repeat == 49) results[static_cast<size_t>(c.rank())] = mine;
    }
  });
  for (const std::vector<float>& result : results) CHECK(result == expected);
}

TEST_CASE("broadcast copies the root's bytes to every rank") {
  auto ranks = thread_group(4);
  std::vector<std::string> seen(4);
  on_every_rank(ranks, [&](Communicator& c) {
    std::string text = c.rank() == 2 ? "from two" : "--------";
    c.broadcast(std::as_writable_bytes(std::span(text.data(), text.size())), 2);
    c.barrier();
    seen[static_cast<size_t>(c.rank())] = text;
  });
  for (const std::string& text : seen) CHECK(text == "from two");
}

TEST_CASE("collectives that do not match fail on every rank, naming the sizes") {
  auto ranks = thread_group(2);
  const std::vector<std::string> errors = on_every_rank(ranks, [](Communicator& c) {
    std::vector<float> values(c.rank() == 0 ? 3 : 4, 1.0f);
    c.all_reduce_sum(values);
  });
  for (const std::string& error : errors) {
    CHECK(error.find("do not match") != std::string::npos);
    CHECK(error.find("3 floats on rank 0 but 4 on rank 1") != std::string::npos);
  }
}

TEST_CASE("a rank that aborts stops the others waiting in a collective, with its reason") {
  auto ranks = thread_group(3);
  const std::vector<std::string> errors = on_every_rank(ranks, [](Communicator& c) {
    if (c.rank() == 1) c.abort("the loss is not finite");
    c.barrier();
  });
  for (const std::string& error : errors) CHECK(error == "rank 1 stopped the job: the loss is not finite");
}

TEST_CASE("a group of one rank keeps its values as they are") {
  auto ranks = thread_group(1);
  std::vector<float> values{1.5f, -2};
  ranks[0]->all_reduce_sum(values);
  ranks[0]->barrier();
  CHECK(values == std::vector<float>{1.5f, -2});
}

TEST_CASE("joining a job through a communicator module that does not exist names it and where it looked") {
  try {
    join_job("no-such-engine");
    FAIL("join_job found a module that does not exist");
  } catch (const Error& error) {
    const std::string message = error.what();
    CHECK(message.find("no communicator module 'no-such-engine' (libheed-communicator-no-such-engine.so)") != std::string::npos);
    CHECK(message.find("Searched:") != std::string::npos);
  }
}

}  // namespace
}  // namespace heed::test
