// Autodiff as a graph transformation: the gradients it appends have the shapes of what they are
// the gradients of, whatever the graph held before.
#include "../support/backends.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <algorithm>

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

// A sequence read one step at a time (an LSTM's inputs, its four gates) is many slices of one
// tensor. Padding each slice's gradient to the full shape and adding them all up costs work
// quadratic in the number of slices; the gradients are gathered instead.
TEST_CASE("the gradients of many slices of one tensor are joined by one concat, zeros filling the gaps, with no adds") {
  Graph g;
  Tensor x = g.input("x", {2, 12});
  Tensor loss;
  // Slices [0, 2), [2, 4), ... [8, 10) of axis 1, each weighted by its index + 1; [10, 12) unread.
  for (int64_t k = 0; k < 5; ++k) {
    Tensor term = sum(slice(x, 1, 2 * k, 2 * k + 2) * static_cast<double>(k + 1));
    loss = loss ? loss + term : term;
  }
  const NodeId before = static_cast<NodeId>(g.size());
  Tensor dx = grad(loss, {x})[0];
  g.output(dx);
  int concats = 0, full_size_adds = 0;
  for (NodeId id = before; id < static_cast<NodeId>(g.size()); ++id) {
    concats += g.node(id).op == Op::Concat;
    full_size_adds += g.node(id).op == Op::Add && g.node(id).shape == x.shape();
  }
  CHECK(concats == 1);
  CHECK(full_size_adds == 0);

  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    Program program = backend->compile(g);
    program.run({{x, std::vector<float>(24, 1.0f)}});
    HostTensor got = program.read(dx);
    for (size_t row = 0; row < 2; ++row)
      for (size_t column = 0; column < 12; ++column)
        CHECK(got.f32()[row * 12 + column] == (column < 10 ? static_cast<float>(column / 2 + 1) : 0.0f));
  }
}

TEST_CASE("overlapping slices of one tensor each add their gradient") {
  Graph g;
  Tensor x = g.input("x", {6});
  Tensor loss = sum(slice(x, 0, 0, 4)) + sum(slice(x, 0, 2, 6) * 10.0) + sum(slice(x, 0, 3, 4) * 100.0);
  Tensor dx = grad(loss, {x})[0];
  g.output(dx);
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    Program program = backend->compile(g);
    program.run({{x, std::vector<float>(6, 1.0f)}});
    HostTensor got = program.read(dx);
    const std::vector<float> want{1, 1, 11, 111, 10, 10};
    CHECK(std::equal(want.begin(), want.end(), got.f32().begin()));
  }
}

}  // namespace
}  // namespace heed::test
