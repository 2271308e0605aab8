// Autodiff as a graph transformation: the gradients it appends have the shapes of what they are
// the gradients of, whatever the graph held before.
#include <doctest/doctest.h>
#include <heed/heed.hpp>

namespace heed::test {
namespace {

// VJPs append nodes while they read shapes of existing nodes; a shape read by reference must stay
// valid while the node list grows. Padding the graph by 0..63 nodes first moves the moment the
// list reallocates across every point of the backward pass.
TEST_CASE("grad gives every input a gradient of its own shape, however many nodes the graph already holds") {
  for (int padding = 0; padding < 64; ++padding) {
    Graph g;
    Tensor x = g.input("x", {3, 7}), w = g.input("w", {7}), c = g.input("c", {2, 1, 1, 3});
    for (int i = 0; i < padding; ++i) exp(x);
    Tensor y = transpose(tanh(x * w), 0, 1) + max(c, {0});
    Tensor loss = sum(y * y);
    std::vector<Tensor> grads;
    CHECK_NOTHROW(grads = grad(loss, {x, w, c}));
    REQUIRE(grads.size() == 3);
    CHECK_MESSAGE(grads[0].shape() == x.shape(), "padding " << padding);
    CHECK_MESSAGE(grads[1].shape() == w.shape(), "padding " << padding);
    CHECK_MESSAGE(grads[2].shape() == c.shape(), "padding " << padding);
  }
}

TEST_CASE("a tensor the loss does not depend on gets zeros of its shape") {
  Graph g;
  Tensor x = g.input("x", {4}), unused = g.input("unused", {2, 5});
  std::vector<Tensor> grads = grad(sum(exp(x)), {x, unused});
  CHECK(grads[1].shape() == unused.shape());
  CHECK(grads[1].node().op == Op::Full);
  CHECK(grads[1].node().attrs.value == 0);
}

TEST_CASE("integer paths and stop_gradient carry no gradient") {
  Graph g;
  Tensor x = g.input("x", {4});
  std::vector<Tensor> grads = grad(sum(cast(cast(x, i32), f32) + stop_gradient(x)), {x});
  CHECK(grads[0].node().op == Op::Full);
}

}  // namespace
}  // namespace heed::test
