// The core's part of pointwise runs: how far one reaches, which of its values must be written,
// and where the planner's reuse of bytes makes it end early. The plans here are made by
// plan_graph and then given overlapping bytes by hand, as a planner could.
#include <doctest/doctest.h>
#include <heed/backend/pointwise_span.hpp>
#include <heed/heed.hpp>

namespace heed::test {
namespace {

bool pointwise(const Node& node) {
  switch (node.op) {
    case Op::Exp:
    case Op::Tanh:
    case Op::Add:
    case Op::Mul:
    case Op::Broadcast: return true;
    default: return false;
  }
}

// y = the row sums of x, computed before the run; the run reads y through a broadcast and writes
// `kept`, which the program keeps.
struct Run {
  Graph g;
  Tensor x, y, first, kept;
  Run() {
    x = g.input("x", {4, 8});
    y = sum(x, {1}, true);  // [4, 1], in the arena
    first = exp(broadcast(y, {4, 8}));
    kept = tanh(first) + first;
    g.output(kept);
  }
};

struct Scanned {
  Plan plan;
  ValueUses uses;
  PointwiseSpan span;
  Scanned(const Graph& g, Plan planned, NodeId first)
      : plan(std::move(planned)),
        uses(g, plan),
        span(scan_pointwise_span(g, plan, uses, std::vector<char>(plan.order.size(), 0),
                                 static_cast<size_t>(uses.position(first)), pointwise, 32)) {}
  Scanned(const Scanned&) = delete;  // `uses` and `span` refer to this object's plan
};

size_t position_in(const Plan& plan, Tensor t) {
  return static_cast<size_t>(std::find(plan.order.begin(), plan.order.end(), t.id()) - plan.order.begin());
}

TEST_CASE("a run writes what others read or the program keeps, and nothing else") {
  Run run;
  const Plan plan = plan_graph(run.g);
  const NodeId broadcast_node = plan.order[position_in(plan, run.first) - 1];
  const Scanned scanned(run.g, plan, broadcast_node);
  CHECK(scanned.span.end == position_in(scanned.plan, run.kept) + 1);
  CHECK(scanned.span.read_outside(run.kept.id()));
  CHECK_FALSE(scanned.span.read_outside(run.first.id()));
  CHECK(scanned.span.first_unsafe_store() == scanned.span.end);
}

TEST_CASE("a written value in the bytes of an operand read through strides ends the run before it") {
  Run run;
  Plan plan = plan_graph(run.g);
  const NodeId broadcast_node = plan.order[position_in(plan, run.first) - 1];
  plan.values[static_cast<size_t>(run.kept.id())].offset = plan.values[static_cast<size_t>(run.y.id())].offset;
  const Scanned scanned(run.g, std::move(plan), broadcast_node);
  CHECK(scanned.span.first_unsafe_store() == position_in(scanned.plan, run.kept));
}

TEST_CASE("a written value in the same bytes as an operand read densely keeps the run whole") {
  Graph g;
  Tensor x = g.input("x", {4, 8});
  Tensor y = sum(x, {}, true) * x;  // [4, 8] in the arena, computed before the run
  Tensor first = exp(y);
  Tensor kept = tanh(first) + first;
  g.output(kept);
  Plan plan = plan_graph(g);
  auto& kept_value = plan.values[static_cast<size_t>(kept.id())];
  const auto& y_value = plan.values[static_cast<size_t>(y.id())];
  kept_value.offset = y_value.offset;
  const Scanned same(g, plan, first.id());
  CHECK(same.span.end == position_in(same.plan, kept) + 1);
  CHECK(same.span.first_unsafe_store() == same.span.end);
  // Shifted by one element, the bytes overlap at other positions.
  kept_value.offset = y_value.offset + 4;
  const Scanned shifted(g, std::move(plan), first.id());
  CHECK(shifted.span.first_unsafe_store() == position_in(shifted.plan, kept));
}

}  // namespace
}  // namespace heed::test
