// The core's kernel-group pass: which nodes one kernel runs, as a backend's capabilities allow,
// and never where the planner's reuse of memory would make running them as one unsafe. Every
// backend then computes with the groups what the unfused program computes
// (tests/graph/test_cpu_fusion.cpp, tests/vulkan/test_fusion.cpp).
#include "../support/backends.hpp"

#include <doctest/doctest.h>
#include <heed/backend/kernel_groups.hpp>
#include <heed/heed.hpp>

#include <algorithm>
#include <random>

namespace heed::test {
namespace {

const FusionCapabilities everything{.bias_epilogue = true,
                                    .epilogue_activations = {Op::Tanh, Op::Sigmoid, Op::Relu, Op::Gelu},
                                    .epilogue_stores_sum = true,
                                    .epilogue_staged = true,
                                    .accumulate_epilogue = true,
                                    .masked_softmax_masks = 2,
                                    .attention_statistics = true};

struct Planned {
  Plan plan;
  ValueUses uses;
  KernelGroups groups;
  Planned(const Graph& graph, const FusionCapabilities& capabilities, bool fusion = true)
      : plan(plan_graph(graph)), uses(graph, plan), groups(plan_kernel_groups(graph, plan, uses, capabilities, fusion)) {}
  Planned(const Planned&) = delete;  // `uses` refers to this object's own plan
  Planned& operator=(const Planned&) = delete;

  const MatmulGroup* group_of(Tensor matmul) const {
    auto found = groups.matmuls.find(static_cast<size_t>(uses.position(matmul.id())));
    return found == groups.matmuls.end() ? nullptr : &found->second;
  }
};

// relu(x w + b), the sum read again by relu's own VJP when `backward`.
struct Layer {
  Graph g;
  Tensor x, w, b, product, sum, activation;
  explicit Layer(bool backward) {
    x = g.input("x", {4, 8});
    w = g.parameter("w", HostTensor(f32, {8, 16}));
    b = g.parameter("b", HostTensor(f32, {16}));
    product = matmul(x, w);
    sum = product + b;
    activation = relu(sum);
    Tensor loss = heed::sum(activation * activation);
    g.output(loss);
    if (backward) for (const Tensor& gradient : grad(loss, {w, b})) g.output(gradient);
  }
};

TEST_CASE("a matmul, its bias add and its activation form one group that writes the activation") {
  Layer layer(false);
  Planned planned(layer.g, everything);
  const MatmulGroup* group = planned.group_of(layer.product);
  REQUIRE(group != nullptr);
  CHECK(group->epilogue == MatmulGroup::Epilogue::bias);
  CHECK(group->addend == layer.b.id());
  CHECK(group->activation == Op::Relu);
  CHECK(group->result == layer.activation.id());
  CHECK(group->sum == -1);
  for (Tensor covered : {layer.sum, layer.activation}) CHECK(planned.groups.is_covered(static_cast<size_t>(planned.uses.position(covered.id()))));
}

TEST_CASE("an activation the backend cannot apply after a product stays a kernel of its own") {
  Layer layer(false);
  FusionCapabilities no_relu = everything;
  no_relu.epilogue_activations = {Op::Tanh};
  const Planned planned(layer.g, no_relu);
  const MatmulGroup* group = planned.group_of(layer.product);
  REQUIRE(group != nullptr);
  CHECK_FALSE(group->activation.has_value());
  CHECK(group->result == layer.sum.id());
}

TEST_CASE("a sum that others read is written by the group where the backend can, else the activation is left out") {
  Layer layer(true);
  const Planned with_sum(layer.g, everything);
  const MatmulGroup* storing = with_sum.group_of(layer.product);
  REQUIRE(storing != nullptr);
  CHECK(storing->activation == Op::Relu);
  CHECK(storing->sum == layer.sum.id());
  FusionCapabilities no_sum = everything;
  no_sum.epilogue_stores_sum = false;
  const Planned without_sum(layer.g, no_sum);
  const MatmulGroup* bias_only = without_sum.group_of(layer.product);
  REQUIRE(bias_only != nullptr);
  CHECK_FALSE(bias_only->activation.has_value());
  CHECK(bias_only->result == layer.sum.id());
}

TEST_CASE("with fusion off, or a backend that declares nothing, there are no groups") {
  Layer layer(true);
  const Planned off(layer.g, everything, false), nothing_declared(layer.g, FusionCapabilities{});
  for (const Planned* planned_ptr : {&off, &nothing_declared}) {
    const Planned& planned = *planned_ptr;
    CHECK(planned.groups.matmuls.empty());
    CHECK(planned.groups.masked_softmaxes.empty());
    CHECK(planned.groups.attentions.empty());
    CHECK(std::none_of(planned.groups.covered.begin(), planned.groups.covered.end(), [](char covered) { return covered != 0; }));
  }
}

// h W + other, with `other` computed before the product: the add joins the product's kernel
// where the backend has an accumulate epilogue.
struct Accumulation {
  Graph g;
  Tensor h, o, w, product, total;
  Accumulation() {
    h = g.input("h", {3, 5});
    w = g.parameter("w", HostTensor(f32, {5, 7}));
    o = g.input("o", {3, 7});
    Tensor other = sigmoid(tanh(o)) * 2.0;
    product = matmul(h, w);
    total = other + product;
    g.output(total);
  }
};

TEST_CASE("a later add of a product and a value computed before it joins the product where the backend accumulates") {
  Accumulation graph;
  Planned planned(graph.g, everything);
  const MatmulGroup* group = planned.group_of(graph.product);
  REQUIRE(group != nullptr);
  CHECK(group->epilogue == MatmulGroup::Epilogue::accumulate);
  CHECK(group->result == graph.total.id());
  CHECK(group->covered == std::vector<size_t>{static_cast<size_t>(planned.uses.position(graph.total.id()))});
  FusionCapabilities no_accumulate = everything;
  no_accumulate.accumulate_epilogue = false;
  CHECK(Planned(graph.g, no_accumulate).group_of(graph.product) == nullptr);
}

TEST_CASE("a product kept as an output is never left unwritten by a group") {
  Layer layer(false);
  layer.g.output(layer.product);
  CHECK(Planned(layer.g, everything).group_of(layer.product) == nullptr);
}

TEST_CASE("the masked softmax group takes no more masks than the backend applies") {
  Graph g;
  Tensor q = g.input("q", {2, 3, 37, 8}), k = g.input("k", {2, 3, 37, 8}), v = g.input("v", {2, 3, 37, 8});
  Tensor mask = g.input("mask", {37, 37});
  Attention attention = scaled_dot_product_attention(q, k, v, {.mask = mask, .causal = true, .fused = false});
  g.output(attention.weights);
  for (const Tensor& gradient : grad(sum(attention.output), {q, k, v})) g.output(gradient);
  FusionCapabilities one_mask = everything;
  one_mask.masked_softmax_masks = 1;
  const Planned planned_both(g, everything);
  const KernelGroups& both = planned_both.groups;
  REQUIRE(both.masked_softmaxes.size() == 1);
  CHECK(both.masked_softmaxes.begin()->second.masks.size() == 2);
  const Planned planned_one(g, one_mask);
  const KernelGroups& one = planned_one.groups;
  REQUIRE(one.masked_softmaxes.size() == 1);
  CHECK(one.masked_softmaxes.begin()->second.masks.size() == 1);
  FusionCapabilities none = everything;
  none.masked_softmax_masks = 0;
  CHECK(Planned(g, none).groups.masked_softmaxes.empty());
}

// Every backend runs the accumulate group (or, where it has none, the plain nodes) to the same
// values as the unfused program, with no more kernels.
TEST_CASE("an accumulated product computes what the unfused program does, on every backend") {
  Accumulation graph;
  std::mt19937 random(7);
  std::uniform_real_distribution<float> draw(-1, 1);
  HostTensor h(f32, {3, 5}), o(f32, {3, 7});
  for (float& value : h.f32()) value = draw(random);
  for (float& value : o.f32()) value = draw(random);
  for (const std::string& name : backends_under_test()) {
    CAPTURE(name);
    auto backend = load_for_test(name);
    REQUIRE(backend);
    Program fused = backend->compile(graph.g, {.fusion = true});
    Program unfused = backend->compile(graph.g, {.fusion = false});
    for (Program* program : {&fused, &unfused}) program->run({{graph.h, h}, {graph.o, o}});
    const HostTensor want = unfused.read(graph.total), got = fused.read(graph.total);
    for (size_t i = 0; i < want.f32().size(); ++i) CHECK(got.f32()[i] == doctest::Approx(want.f32()[i]).epsilon(1e-6));
    CHECK(fused.kernels() <= unfused.kernels());
    if (name == "cpu") CHECK(fused.kernels() < unfused.kernels());
  }
}

// A causal self-attention layer trained through the fused op: its backward reads the rows'
// statistics, which the autodiff builds after the loss.
struct AttentionLayer {
  Graph g;
  Tensor q, k, v, output, loss;
  std::vector<Tensor> gradients;
  AttentionLayer() {
    q = g.input("q", {2, 3, 37, 8});
    k = g.input("k", {2, 3, 37, 8});
    v = g.input("v", {2, 3, 37, 8});
    output = scaled_dot_product_attention(q, k, v, {.causal = true}).output;
    loss = sum(output * output);
    g.output(loss);
    gradients = grad(loss, {q, k, v});
    for (const Tensor& gradient : gradients) g.output(gradient);
  }
  NodeId statistics() const {
    for (NodeId id = 0; id < g.size(); ++id)
      if (g.node(id).op == Op::AttentionStatistics) return id;
    return -1;
  }
};

TEST_CASE("attention statistics are scheduled right after the attention they describe, though built with the backward") {
  AttentionLayer layer;
  const NodeId statistics = layer.statistics();
  REQUIRE(statistics > layer.loss.id());
  const Plan plan = plan_graph(layer.g);
  auto at = [&](NodeId id) { return std::find(plan.order.begin(), plan.order.end(), id) - plan.order.begin(); };
  CHECK(at(statistics) == at(layer.output.id()) + 1);
}

TEST_CASE("an attention and its statistics form one group where the backend writes them together") {
  AttentionLayer layer;
  const Planned planned(layer.g, everything);
  REQUIRE(planned.groups.attentions.size() == 1);
  const auto& [position, group] = *planned.groups.attentions.begin();
  CHECK(position == static_cast<size_t>(planned.uses.position(layer.output.id())));
  CHECK(group.attention == layer.output.id());
  CHECK(group.statistics == layer.statistics());
  CHECK(planned.groups.is_covered(position + 1));
  FusionCapabilities apart = everything;
  apart.attention_statistics = false;
  CHECK(Planned(layer.g, apart).groups.attentions.empty());
}

// Grouped or not, every backend's gradients are the same, and the group saves a kernel.
TEST_CASE("an attention grouped with its statistics computes what the unfused program does, on every backend") {
  AttentionLayer layer;
  std::mt19937 random(11);
  std::uniform_real_distribution<float> draw(-1, 1);
  std::vector<std::pair<Tensor, HostTensor>> feeds;
  for (Tensor input : {layer.q, layer.k, layer.v}) {
    HostTensor values(f32, input.shape());
    for (float& value : values.f32()) value = draw(random);
    feeds.emplace_back(input, std::move(values));
  }
  for (const std::string& name : backends_under_test()) {
    CAPTURE(name);
    auto backend = load_for_test(name);
    REQUIRE(backend);
    Program fused = backend->compile(layer.g, {.fusion = true});
    Program unfused = backend->compile(layer.g, {.fusion = false});
    std::vector<Feed> inputs;
    for (const auto& [input, values] : feeds) inputs.push_back({input, values});
    for (Program* program : {&fused, &unfused}) program->run(inputs);
    for (const Tensor& gradient : layer.gradients) {
      const HostTensor want = unfused.read(gradient), got = fused.read(gradient);
      for (size_t i = 0; i < want.f32().size(); ++i) CHECK(got.f32()[i] == doctest::Approx(want.f32()[i]).epsilon(1e-5));
    }
    CHECK(fused.kernels() < unfused.kernels());
  }
}

}  // namespace
}  // namespace heed::test
