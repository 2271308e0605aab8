// The Vulkan backend runs a matmul, the bias add after it and an activation after that as one
// dispatch, the softmax of scaled, masked scores as another, and runs of pointwise nodes as
// pointwise.comp programs (backends/vulkan/kernels/fusion.hpp). A fused program makes fewer dispatches and
// computes what the unfused one (CompileOptions::fusion off) does, bit for bit, forward, backward
// and through the optimiser. The op suite checks the same patterns against the reference
// (tests/ops/cases_matmul.cpp).
#include "../support/backends.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <algorithm>
#include <cmath>
#include <functional>

namespace heed::test {
namespace {

Program compile_unfused(Backend& backend, const Graph& graph) { return backend.compile(graph, {.fusion = false}); }

Program compile_fused(Backend& backend, const Graph& graph) { return backend.compile(graph, {.fusion = true}); }

// Fused but for pointwise chains: what the matmul epilogue and the masked softmax save alone.
Program compile_fused_without_chains(Backend& backend, const Graph& graph) { return backend.compile(graph, {.pointwise_chains = false}); }

std::vector<float> values_of(Program& program, Tensor tensor) {
  HostTensor host = program.read(tensor);
  return {host.f32().begin(), host.f32().end()};
}

std::vector<float> ramp(int64_t count, float scale) {
  std::vector<float> values(static_cast<size_t>(count));
  for (size_t i = 0; i < values.size(); ++i) values[i] = scale * static_cast<float>((static_cast<int64_t>(i * 7919) % 23) - 11);
  return values;
}

struct Activation {
  const char* name;
  std::function<Tensor(Tensor)> apply;  // empty: none
};

const std::vector<Activation> activations{
    {"no activation", {}},
    {"tanh", [](Tensor x) { return tanh(x); }},
    {"sigmoid", [](Tensor x) { return sigmoid(x); }},
    {"relu", [](Tensor x) { return relu(x); }},
    {"gelu", [](Tensor x) { return gelu(x); }},
};

// A two-layer classifier on [2, 5, 6] tokens: Linear, the activation, Linear, cross-entropy,
// trained by AdamW. Each Linear is matmul -> add(bias) -> reshape, the first then the activation.
struct Classifier {
  Graph graph{7};
  Tensor x, y, hidden, loss;
  nn::Linear l1{graph, "l1", 6, 8}, l2{graph, "l2", 8, 3};

  explicit Classifier(const Activation& activation) {
    x = graph.input("x", {2, 5, 6});
    y = graph.input("y", {2, 5}, i32);
    hidden = l1(x);
    if (activation.apply) hidden = activation.apply(hidden);
    loss = cross_entropy(l2(hidden), y);
    optim::AdamW(graph, {.lr = 0.05}).minimize(loss);
    graph.output(hidden);
  }
};

TEST_CASE("vulkan: a linear layer's bias and activation run in its matmul's dispatch, and training gives the unfused values bit for bit") {
  auto vulkan = load_for_test("vulkan");
  REQUIRE(vulkan);
  const std::vector<float> x = ramp(60, 0.1f);
  const std::vector<int32_t> y{0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
  for (const Activation& activation : activations) {
    SUBCASE(activation.name) {
      Classifier model(activation);
      Program fused = compile_fused(*vulkan, model.graph), unfused = compile_unfused(*vulkan, model.graph);
      // Both layers lose their add; the first its activation too (with relu and gelu, whose VJPs
      // read the sum, the matmul's dispatch stores the sum as well).
      CHECK(unfused.kernels() - compile_fused_without_chains(*vulkan, model.graph).kernels() == (activation.apply ? 3 : 2));
      CHECK(fused.kernels() <= compile_fused_without_chains(*vulkan, model.graph).kernels());
      float first_loss = 0;
      for (int step = 0; step < 3; ++step) {
        int64_t before = fused.submissions();
        fused.run({{model.x, x}, {model.y, y}});
        unfused.run({{model.x, x}, {model.y, y}});
        CHECK(fused.submissions() - before == 1);
        INFO("step " << step);
        CHECK(fused.read(model.loss).item() == unfused.read(model.loss).item());
        if (step == 0) first_loss = fused.read(model.loss).item();
        CHECK(values_of(fused, model.hidden) == values_of(unfused, model.hidden));
      }
      for (Tensor parameter : {model.l1.weight, model.l1.bias, model.l2.weight, model.l2.bias})
        CHECK(values_of(fused, parameter) == values_of(unfused, parameter));
      CHECK(fused.read(model.loss).item() < first_loss);  // it learns, not merely agrees
    }
  }
}

// matmul [9, 13] x [13, 11] + bias [11], then relu; both the sum and the relu are outputs.
TEST_CASE("vulkan: a fused dispatch also stores the sum before the activation when the program keeps it") {
  auto vulkan = load_for_test("vulkan");
  REQUIRE(vulkan);
  Graph graph;
  Tensor a = graph.input("a", {9, 13}), b = graph.input("b", {13, 11}), bias = graph.input("bias", {11});
  Tensor sum = matmul(a, b) + bias, activated = relu(sum);
  graph.output(sum);
  graph.output(activated);
  Program fused = compile_fused(*vulkan, graph), unfused = compile_unfused(*vulkan, graph);
  CHECK(unfused.kernels() - compile_fused_without_chains(*vulkan, graph).kernels() == 2);
  const std::vector<float> a_values = ramp(9 * 13, 0.25f), b_values = ramp(13 * 11, -0.125f), bias_values = ramp(11, 0.5f);
  for (Program* program : {&fused, &unfused}) program->run({{a, a_values}, {b, b_values}, {bias, bias_values}});
  CHECK(values_of(fused, sum) == values_of(unfused, sum));
  CHECK(values_of(fused, activated) == values_of(unfused, activated));
  // Products of quarters and eighths of small whole numbers, summed: exact in f32.
  std::vector<float> sums = values_of(fused, sum), relus = values_of(fused, activated);
  for (int64_t i = 0; i < 9; ++i)
    for (int64_t j = 0; j < 11; ++j) {
      double exact = bias_values[static_cast<size_t>(j)];
      for (int64_t k = 0; k < 13; ++k) exact += double(a_values[static_cast<size_t>(i * 13 + k)]) * b_values[static_cast<size_t>(k * 11 + j)];
      CHECK(sums[static_cast<size_t>(i * 11 + j)] == exact);
      CHECK(relus[static_cast<size_t>(i * 11 + j)] == std::max(exact, 0.0));
    }
}

TEST_CASE("vulkan: a product that another node reads, or a bias that is not over the columns, is not fused") {
  auto vulkan = load_for_test("vulkan");
  REQUIRE(vulkan);
  Graph graph;
  Tensor a = graph.input("a", {4, 5}), b = graph.input("b", {5, 6}), rows = graph.input("rows", {4, 1}), columns = graph.input("columns", {6});
  Tensor product = matmul(a, b);
  Tensor read_twice = tanh(product + columns) * product;  // the product is needed after the add
  Tensor row_vector = reshape(rows, {4});
  Tensor by_rows = relu(matmul(b, a, true, true) + row_vector);  // [6, 4]: these are its columns
  Tensor by_rows_2d = relu(matmul(a, b) + rows);  // [4, 1] broadcast over the columns
  graph.output(read_twice);
  graph.output(by_rows);
  graph.output(by_rows_2d);
  Program fused = compile_fused(*vulkan, graph), unfused = compile_unfused(*vulkan, graph);
  // Only by_rows fuses, with its relu.
  CHECK(unfused.kernels() - compile_fused_without_chains(*vulkan, graph).kernels() == 2);
  const std::vector<float> a_values = ramp(20, 0.25f), b_values = ramp(30, 0.5f), row_values = ramp(4, 1.0f), column_values = ramp(6, 0.75f);
  for (Program* program : {&fused, &unfused}) program->run({{a, a_values}, {b, b_values}, {rows, row_values}, {columns, column_values}});
  for (Tensor output : {read_twice, by_rows, by_rows_2d}) CHECK(values_of(fused, output) == values_of(unfused, output));
}

// Attention weights as the composite builds them (scale, a padding mask, the causal mask,
// softmax): one dispatch instead of four, the same weights to rounding, and the same gradients.
TEST_CASE("vulkan: the softmax of scaled, masked scores is one dispatch and matches the unfused graph, forward and backward") {
  auto vulkan = load_for_test("vulkan");
  REQUIRE(vulkan);
  Graph graph;
  Tensor q = graph.input("q", {2, 3, 19, 8}), k = graph.input("k", {2, 3, 19, 8}), mask = graph.input("mask", {2, 1, 1, 19});
  Attention attention = scaled_dot_product_attention(q, k, k, {.mask = mask, .causal = true, .fused = false});
  std::vector<Tensor> grads = grad(sum(attention.output * attention.output), {q, k});
  graph.output(attention.weights);
  for (const Tensor& gradient : grads) graph.output(gradient);
  Program fused = compile_fused(*vulkan, graph), unfused = compile_unfused(*vulkan, graph);
  CHECK(unfused.kernels() - compile_fused_without_chains(*vulkan, graph).kernels() == 3);
  std::vector<float> mask_values(2 * 19, 1.0f);
  for (size_t i = 0; i < mask_values.size(); i += 4) mask_values[i] = 0.0f;
  const std::vector<float> q_values = ramp(2 * 3 * 19 * 8, 0.1f), k_values = ramp(2 * 3 * 19 * 8, 0.07f);
  for (Program* program : {&fused, &unfused}) program->run({{q, q_values}, {k, k_values}, {mask, mask_values}});
  for (Tensor output : {attention.weights, grads[0], grads[1]}) {
    const std::vector<float> got = values_of(fused, output), want = values_of(unfused, output);
    REQUIRE(got.size() == want.size());
    float largest = 0;
    for (float value : want) largest = std::max(largest, std::abs(value));
    for (size_t i = 0; i < got.size(); ++i) CHECK(std::abs(got[i] - want[i]) <= 1e-6f * std::max(largest, 1.0f));
  }
}

// A bidirectional LSTM over a few steps, trained: the cells' gates, their backward and the
// optimiser's inputs run as pointwise chains. Far fewer dispatches, the same values to rounding.
TEST_CASE("vulkan: an LSTM's cells run as pointwise chains and match the unfused graph, forward, backward and through AdamW") {
  auto vulkan = load_for_test("vulkan");
  REQUIRE(vulkan);
  Graph graph(3);
  nn::LSTM lstm(graph, "lstm", 6, 7, true);  // odd sizes
  Tensor x = graph.input("x", {5, 4, 6});
  Tensor h = lstm(x);
  Tensor loss = sum(h * h);
  optim::AdamW(graph, {.lr = 0.01}).minimize(loss);
  graph.output(h);
  Program fused = compile_fused(*vulkan, graph), unfused = compile_unfused(*vulkan, graph);
  const int64_t without_chains = compile_fused_without_chains(*vulkan, graph).kernels();
  CHECK(fused.kernels() * 3 < without_chains * 2);
  const std::vector<float> x_values = ramp(5 * 4 * 6, 0.2f);
  for (int step = 0; step < 3; ++step) {
    INFO("step " << step);
    for (Program* program : {&fused, &unfused}) program->run({{x, x_values}});
    for (Tensor value : {h, lstm.forward_cell.weight_hh, lstm.backward_cell.bias_ih}) {
      const std::vector<float> got = values_of(fused, value), want = values_of(unfused, value);
      REQUIRE(got.size() == want.size());
      for (size_t i = 0; i < got.size(); ++i) CHECK(std::abs(got[i] - want[i]) <= 1e-6f * std::max(1.0f, std::abs(want[i])));
    }
  }
}

}  // namespace
}  // namespace heed::test
