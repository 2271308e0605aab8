// Reductions whose work is split over threads must still add in one fixed order.
#include "../support/backends.hpp"
#include "../support/compare.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <random>

namespace heed::test {
namespace {

std::vector<double> bias_gradient(Backend& backend, const HostTensor& x, int threads) {
  Graph g;
  Tensor input = g.input("x", x.shape());
  Tensor total = sum(input, {0});
  g.output(total);
  Program program = backend.compile(g, {.threads = threads});
  program.run({{input, x}});
  return to_doubles(program.read(total));
}

TEST_SUITE("reduction") {

TEST_CASE("a sum over thousands of rows gives the same bits whatever the thread count") {
  // The shape of a bias gradient: the CPU backend cuts the rows into blocks summed apart.
  HostTensor x(f32, {4099, 300});
  std::mt19937 random(5);
  std::uniform_real_distribution<float> draw(-1.0f, 1.0f);
  for (float& value : x.f32()) value = draw(random);
  for (const std::string& name : backends_under_test()) {
    std::shared_ptr<Backend> backend = load_for_test(name);
    if (!backend) continue;
    CAPTURE(name);
    CHECK(bias_gradient(*backend, x, 1) == bias_gradient(*backend, x, 2));
    CHECK(bias_gradient(*backend, x, 1) == bias_gradient(*backend, x, 3));
  }
}

}  // TEST_SUITE("reduction")

}  // namespace
}  // namespace heed::test
