// The memory planner: intermediate buffers are reused by liveness, so a deep chain needs a small
// constant number of buffers; values alive at the same time never share bytes; and the
// programs that run on the plan compute what the reference computes.
#include "../reference/reference.hpp"
#include "../support/backends.hpp"
#include "../support/compare.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <algorithm>
#include <limits>

namespace heed::test {
namespace {

constexpr int64_t chain_length = 50, width = 1024, buffer_bytes = width * 4;

// x -> 50 alternating elementwise ops -> output.
Tensor deep_chain(Tensor x) {
  Tensor y = x;
  for (int64_t i = 0; i < chain_length; ++i) {
    switch (i % 5) {
      case 0: y = tanh(y); break;
      case 1: y = y * 1.5; break;
      case 2: y = sigmoid(y); break;
      case 3: y = y - 0.25; break;
      default: y = neg(y); break;
    }
  }
  return y;
}

// Every pair of arena values whose lifetimes overlap occupies disjoint bytes.
void check_no_overlap(const Graph& graph, const Plan& plan) {
  const auto count = static_cast<size_t>(graph.size());
  std::vector<int64_t> first(count, -1), last(count, -1);
  for (size_t position = 0; position < plan.order.size(); ++position) {
    NodeId id = plan.order[position];
    auto p = static_cast<int64_t>(position);
    auto self = static_cast<size_t>(plan.root(id));
    if (first[self] < 0) first[self] = p;
    last[self] = std::max(last[self], p);
    for (NodeId input : graph.node(id).inputs) last[static_cast<size_t>(plan.root(input))] = std::max(last[static_cast<size_t>(plan.root(input))], p);
  }
  for (NodeId id : graph.outputs()) last[static_cast<size_t>(plan.root(id))] = std::numeric_limits<int64_t>::max();
  std::vector<NodeId> arena;
  for (size_t i = 0; i < count; ++i)
    if (plan.values[i].storage == Storage::Arena) arena.push_back(static_cast<NodeId>(i));
  for (size_t a = 0; a < arena.size(); ++a)
    for (size_t b = a + 1; b < arena.size(); ++b) {
      const ValuePlan &va = plan.values[static_cast<size_t>(arena[a])], &vb = plan.values[static_cast<size_t>(arena[b])];
      auto ia = static_cast<size_t>(arena[a]), ib = static_cast<size_t>(arena[b]);
      bool live_together = first[ia] <= last[ib] && first[ib] <= last[ia];
      bool share_bytes = va.offset < vb.offset + vb.bytes && vb.offset < va.offset + va.bytes;
      CHECK_MESSAGE(!(live_together && share_bytes), "nodes " << arena[a] << " (" << op_name(graph.node(arena[a]).op) << ") and " << arena[b] << " ("
                                                             << op_name(graph.node(arena[b]).op) << ") are alive together and share bytes");
      CHECK(va.offset + va.bytes <= plan.arena_bytes);
    }
}

TEST_CASE("the planned peak of a 50-op elementwise chain is a small constant times one buffer, not the sum") {
  Graph g;
  Tensor x = g.input("x", {width});
  g.output(deep_chain(x));
  Plan plan = plan_graph(g);
  CHECK(plan.arena_bytes >= buffer_bytes);
  CHECK(plan.arena_bytes <= 3 * buffer_bytes);
  CHECK(plan.arena_bytes < chain_length * buffer_bytes / 10);
  CHECK(plan.input_bytes == buffer_bytes);
  check_no_overlap(g, plan);
}

TEST_CASE("a deep chain computed in a reused arena gives the reference's values on every backend") {
  Graph g;
  Tensor x = g.input("x", {width});
  Tensor y = deep_chain(x);
  g.output(y);
  std::vector<float> xs(width);
  for (int64_t i = 0; i < width; ++i) xs[static_cast<size_t>(i)] = static_cast<float>(i % 17) / 8.0f - 1.0f;
  reference::Evaluator ev(g);
  ev.set(x, HostTensor({width}, xs));
  ev.evaluate({y.id()});
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    Program program = backend->compile(g);
    CHECK(program.planned_peak_bytes() == plan_graph(g).arena_bytes);
    program.run({{x, xs}});
    Comparison result = compare(ev.value(y).data, to_doubles(program.read(y)));
    CHECK_MESSAGE(result.passes(1e-10), result.describe());
  }
}

TEST_CASE("values alive at the same time never share bytes in a training graph") {
  Graph g(3);
  Tensor x = g.input("x", {16, 12}), y = g.input("y", {16}, i32);
  nn::Linear l1(g, "l1", 12, 24), l2(g, "l2", 24, 5);
  Tensor h = layer_norm(gelu(l1(x)));
  Tensor loss = cross_entropy(l2(dropout(h, 0.1)), y);
  optim::AdamW(g).minimize(loss);
  Plan plan = plan_graph(g);
  check_no_overlap(g, plan);
  int64_t total = 0;
  for (const ValuePlan& value : plan.values)
    if (value.storage == Storage::Arena) total += value.bytes;
  CHECK(plan.arena_bytes < total);  // something was reused
}

TEST_CASE("reshape and stop_gradient alias their input; unused nodes get no storage") {
  Graph g;
  Tensor x = g.input("x", {4, 6});
  Tensor e = exp(x);
  Tensor r = reshape(e, {24});
  Tensor s = stop_gradient(r);
  Tensor unused = tanh(x);
  g.output(s * 2.0);
  Plan plan = plan_graph(g);
  CHECK(plan.values[static_cast<size_t>(r.id())].storage == Storage::Alias);
  CHECK(plan.values[static_cast<size_t>(r.id())].alias_of == e.id());
  CHECK(plan.values[static_cast<size_t>(s.id())].alias_of == e.id());
  CHECK(plan.values[static_cast<size_t>(unused.id())].storage == Storage::None);
  CHECK(std::find(plan.order.begin(), plan.order.end(), unused.id()) == plan.order.end());
}

TEST_CASE("effects are scheduled after every other node, in creation order") {
  Graph g;
  Tensor w = g.parameter("w", HostTensor(f32, {3}));
  Tensor s = g.state("s", HostTensor(f32, {3}));
  assign(s, w * 2.0);
  Tensor late = exp(w);
  assign(w, late);
  Plan plan = plan_graph(g);
  std::vector<Op> ops;
  for (NodeId id : plan.order) ops.push_back(g.node(id).op);
  REQUIRE(ops.size() >= 4);
  CHECK(ops[ops.size() - 1] == Op::Assign);
  CHECK(ops[ops.size() - 2] == Op::Assign);
  CHECK(g.node(plan.order.back()).inputs[0] == w.id());
  CHECK(plan.persistent_bytes == 2 * 3 * 4);
}

// One causal attention layer at a long context, forward and backward (the gradients of q, k, v
// are the outputs): what the planner would hold for it, built fused or from primitive ops.
constexpr int64_t long_heads = 4, long_steps = 4096, long_width = 32;
constexpr int64_t scores_bytes = long_heads * long_steps * long_steps * 4;  // one [heads, T, T] f32 tensor

Plan long_attention_plan(Graph& g, bool fused) {
  const Shape shape{1, long_heads, long_steps, long_width};
  Tensor q = g.input("q", shape), k = g.input("k", shape), v = g.input("v", shape), upstream = g.input("upstream", shape);
  Tensor output = scaled_dot_product_attention(q, k, v, {.causal = true, .fused = fused}).output;
  for (const Tensor& gradient : grad(sum(output * upstream), {q, k, v})) g.output(gradient);
  return plan_graph(g);
}

TEST_CASE("at T = 4096 fused attention plans under 5% of the unfused graph's memory, forward and backward, and no [T, T] value") {
  Graph fused_graph, unfused_graph;
  const Plan fused = long_attention_plan(fused_graph, true), unfused = long_attention_plan(unfused_graph, false);
  MESSAGE("planned peak, one causal layer of 4 heads at T = 4096, forward and backward: fused " << fused.arena_bytes << " bytes, unfused "
                                                                                              << unfused.arena_bytes << " bytes");
  CHECK(unfused.arena_bytes >= scores_bytes);
  CHECK(fused.arena_bytes * 20 < unfused.arena_bytes);
  for (NodeId id : fused.order) CHECK_MESSAGE(fused.values[static_cast<size_t>(id)].bytes < scores_bytes / long_heads, describe(fused_graph.tensor(id)));
}

TEST_CASE("scaled_dot_product_attention's weights are scheduled only when something reads them") {
  auto scheduled_softmaxes = [](bool read_weights) {
    Graph g;
    const Shape shape{2, 3, 16, 8};
    Attention a = scaled_dot_product_attention(g.input("q", shape), g.input("k", shape), g.input("v", shape), {.causal = true});
    g.output(a.output);
    if (read_weights) g.output(a.weights);
    Plan plan = plan_graph(g);
    return std::count_if(plan.order.begin(), plan.order.end(), [&](NodeId id) { return g.node(id).op == Op::Softmax; });
  };
  CHECK(scheduled_softmaxes(false) == 0);
  CHECK(scheduled_softmaxes(true) == 1);
}

}  // namespace
}  // namespace heed::test
