// CompileOptions::precision: under bf16 the core rewrites the built graph so that every product
// reads bf16 copies of its operands and sums in f32; the program is still fed, read and written
// through the graph the user built, and its training follows the f32 program's. The rewrite is
// checked on any machine; running it needs a CPU with bf16 products, and on one without them the
// CPU backend must refuse it by name instead.
#include "program_checks.hpp"
#include "../support/cpu_features.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace heed::test {
namespace {

// Two linear layers trained with AdamW: each weight is read by its forward product and by the
// products of the backward pass. Every product's result is at least 16 by 16, so none is too
// narrow for bf16.
constexpr int64_t batch_size = 32, features = 24, hidden = 32, classes = 16;
struct Model {
  Graph graph{11};
  Tensor x, y, loss, output;
  explicit Model(bool training, int64_t batch = batch_size) {
    x = graph.input("x", {batch, features});
    nn::Linear first(graph, "first", features, hidden), second(graph, "second", hidden, classes);
    output = second(tanh(first(x)));
    graph.output(output);
    if (training) {
      y = graph.input("y", {batch}, i32);
      loss = cross_entropy(output, y);
      optim::AdamW(graph, {.lr = 0.02}).minimize(loss);
    }
  }
};

std::vector<float> inputs(int64_t batch) {
  std::vector<float> values;
  for (int64_t i = 0; i < batch * features; ++i) values.push_back(static_cast<float>(std::sin(0.7 * static_cast<double>(i))));
  return values;
}
std::vector<int32_t> labels(int64_t batch) {
  std::vector<int32_t> values;
  for (int64_t i = 0; i < batch; ++i) values.push_back(static_cast<int32_t>(i % classes));
  return values;
}

std::shared_ptr<Backend> cpu() {
  auto backend = load_for_test("cpu");
  REQUIRE(backend);
  return backend;
}

// Runs `body` where this CPU has bf16 products; elsewhere checks that compiling a bf16 program
// is refused, naming the instructions and the flag.
template <typename Body>
void where_bf16_products_run(Body body) {
  if (cpu_has_bf16_products()) {
    body();
    return;
  }
  Model model(true);
  check_message([&] { cpu()->compile(model.graph, {.precision = Precision::bf16}); }, {no_bf16_products, "--precision bf16"});
}

TEST_CASE("precision names: f32 and bf16, and nothing else") {
  CHECK(parse_precision("f32") == Precision::f32);
  CHECK(parse_precision("bf16") == Precision::bf16);
  CHECK(precision_name(Precision::bf16) == "bf16");
  check_message([] { parse_precision("fp8"); }, {"unknown precision 'fp8'", "f32", "bf16"});
}

TEST_CASE("under bf16 every product reads bf16 operands and gives f32, and nothing else changes dtype") {
  Model model(true);
  RewrittenGraph rewritten = apply_precision(model.graph, Precision::bf16);
  const Graph& planned = *rewritten.graph;
  CHECK(rewritten.ids.size() == static_cast<size_t>(model.graph.size()));
  int products = 0;
  for (const Node& node : planned.nodes()) {
    if (node.op == Op::Matmul) {
      ++products;
      CHECK(node.dtype == f32);
      for (NodeId input : node.inputs) CHECK(planned.node(input).dtype == bf16);
    } else if (node.op == Op::Cast) {
      CHECK(node.dtype == bf16);
    } else {
      CHECK(node.dtype != bf16);
    }
  }
  int built_products = 0;
  for (const Node& node : model.graph.nodes()) built_products += node.op == Op::Matmul;
  CHECK(products == built_products);
  CHECK(products >= 5);  // two layers: a forward and a weight-gradient product each, and the hidden value's gradient
}

TEST_CASE("under bf16 a value read by several products is cast once") {
  Model model(true);
  RewrittenGraph rewritten = apply_precision(model.graph, Precision::bf16);
  const Graph& planned = *rewritten.graph;
  std::map<NodeId, int> casts_of;  // by the f32 value cast
  for (const Node& node : planned.nodes())
    if (node.op == Op::Cast) ++casts_of[node.inputs[0]];
  for (const auto& [value, count] : casts_of) CHECK_MESSAGE(count == 1, describe_node(planned, planned.node(value)) << " is cast " << count << " times");
  // The second layer's weight is read by its forward product and by the hidden value's gradient;
  // the input x by the first layer's forward product and by its weight gradient.
  for (const char* value : {"second.weight", "x"}) {
    NodeId planned_value = -1;
    for (NodeId id = 0; id < planned.size(); ++id)
      if (planned.node(id).name == value) planned_value = id;
    REQUIRE(planned_value >= 0);
    int readers = 0;  // products that read the value's bf16 copy
    for (const Node& node : planned.nodes())
      if (node.op == Op::Matmul)
        for (NodeId input : node.inputs) readers += planned.node(input).op == Op::Cast && planned.node(input).inputs[0] == planned_value;
    CHECK_MESSAGE(readers == 2, value << " is read through its bf16 copy by " << readers << " products");
  }
}

TEST_CASE("under bf16 the leaves, outputs and effects are those of the graph as built") {
  Model model(true);
  RewrittenGraph rewritten = apply_precision(model.graph, Precision::bf16);
  const Graph& planned = *rewritten.graph;
  for (NodeId id = 0; id < model.graph.size(); ++id) {
    const Node& built = model.graph.node(id);
    const Node& copy = planned.node(rewritten.ids[static_cast<size_t>(id)]);
    CHECK(copy.op == built.op);
    CHECK(copy.dtype == built.dtype);
    CHECK(copy.shape == built.shape);
    CHECK(copy.name == built.name);
  }
  REQUIRE(planned.outputs().size() == model.graph.outputs().size());
  for (size_t i = 0; i < planned.outputs().size(); ++i)
    CHECK(planned.outputs()[i] == rewritten.ids[static_cast<size_t>(model.graph.outputs()[i])]);
}

TEST_CASE("under bf16 a product with a narrow result, such as batch-1 inference, stays f32") {
  Model model(false, 1);
  RewrittenGraph rewritten = apply_precision(model.graph, Precision::bf16);
  for (const Node& node : rewritten.graph->nodes()) CHECK(node.dtype != bf16);
}

TEST_CASE("a bf16 program whose products are all too narrow for bf16 runs anywhere, through the built graph, as f32 does") {
  Model model(false, 1);
  auto backend = cpu();
  Program in_f32 = backend->compile(model.graph);
  Program in_bf16 = backend->compile(model.graph, {.precision = Precision::bf16});
  CHECK(&in_bf16.graph() == &model.graph);
  CHECK(&in_bf16.planned_graph() != &model.graph);
  for (const Tensor& parameter : model.graph.parameters()) {
    std::vector<float> values = in_f32.read(parameter).to_floats();
    for (float& value : values) value = value * 0.5f + 0.125f;
    in_f32.write(parameter, HostTensor(parameter.shape(), values));
    in_bf16.write(parameter, HostTensor(parameter.shape(), values));
    CHECK(in_bf16.read(parameter).to_floats() == values);
  }
  std::vector<float> x = inputs(1);
  in_f32.run({{model.x, x}});
  in_bf16.run({{model.x, x}});
  CHECK(in_bf16.read(model.output).to_floats() == in_f32.read(model.output).to_floats());
  check_message([&] { in_bf16.run(); }, {"'x'", "not fed"});
  Graph other;
  check_message([&] { in_bf16.read(other.input("x", {1})); }, {"read", "does not belong to the compiled graph"});
}

TEST_CASE("a compiled bf16 program plans the rewritten graph and keeps the built one as its own") {
  where_bf16_products_run([] {
    Model model(true);
    Program program = cpu()->compile(model.graph, {.precision = Precision::bf16});
    CHECK(&program.graph() == &model.graph);
    CHECK(&program.planned_graph() != &model.graph);
    int casts = 0;
    for (const Node& node : program.planned_graph().nodes()) casts += node.op == Op::Cast;
    CHECK(casts > 0);
    HostTensor weight = program.read(*model.graph.find("first.weight"));
    CHECK(weight.dtype() == f32);
  });
}

TEST_CASE("a bf16 program is fed, read and written through the graph the user built") {
  where_bf16_products_run([] {
    Model model(true);
    Program program = cpu()->compile(model.graph, {.precision = Precision::bf16});
    Tensor bias = *model.graph.find("second.bias");
    std::vector<float> values(classes, 0.25f);
    values[2] = 1;
    program.write(bias, HostTensor({classes}, values));
    CHECK(program.read(bias).to_floats() == values);
    std::vector<float> x = inputs(batch_size);
    std::vector<int32_t> y = labels(batch_size);
    program.run({{model.x, x}, {model.y, y}});
    HostTensor output = program.read(model.output);
    CHECK(output.shape() == Shape{batch_size, classes});
    CHECK(std::isfinite(program.read(model.loss).item()));
    check_message([&] { program.run({{model.x, x}}); }, {"'y'", "not fed"});
  });
}

TEST_CASE("training under bf16 follows f32 from the same start, without being the same") {
  where_bf16_products_run([] {
    Model in_f32(true), in_bf16(true);
    auto backend = cpu();
    Program f32_program = backend->compile(in_f32.graph);
    Program bf16_program = backend->compile(in_bf16.graph, {.precision = Precision::bf16});
    std::vector<float> x = inputs(batch_size);
    std::vector<int32_t> y = labels(batch_size);
    double largest_difference = 0, first_loss = 0, last_loss = 0;
    for (int step = 0; step < 30; ++step) {
      f32_program.run({{in_f32.x, x}, {in_f32.y, y}});
      bf16_program.run({{in_bf16.x, x}, {in_bf16.y, y}});
      double expected = f32_program.read(in_f32.loss).item(), got = bf16_program.read(in_bf16.loss).item();
      largest_difference = std::max(largest_difference, std::abs(got - expected));
      if (step == 0) first_loss = expected;
      last_loss = expected;
    }
    INFO("f32 loss from " << first_loss << " to " << last_loss << "; largest difference " << largest_difference);
    CHECK(last_loss < 0.8 * first_loss);  // it learns, so the curves are worth comparing
    CHECK(largest_difference > 0);        // the products did run in bf16
    CHECK(largest_difference < 0.02);     // bf16 keeps 8 bits of mantissa: about 0.4 % per operand
  });
}

TEST_CASE("a bf16 inference program shares an f32 training program's parameters") {
  where_bf16_products_run([] {
    Model training(true), inference(false, batch_size);
    auto backend = cpu();
    Program train = backend->compile(training.graph);
    Program infer = backend->compile(inference.graph, {.share_persistent_values = &train, .precision = Precision::bf16});
    train.run({{training.x, inputs(batch_size)}, {training.y, labels(batch_size)}});
    std::vector<float> x = inputs(batch_size);
    infer.run({{inference.x, x}});
    CHECK(infer.read(*inference.graph.find("first.weight")).to_floats() == train.read(*training.graph.find("first.weight")).to_floats());
  });
}

TEST_CASE("a backend that holds no bf16 refuses precision bf16, naming it") {
  int refusing = 0;
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    REQUIRE(backend);
    if (backend->supports(bf16)) continue;
    ++refusing;
    Model model(true);
    check_message([&] { backend->compile(model.graph, {.precision = Precision::bf16}); },
                  {"precision bf16", "the " + name + " backend does not hold", "--precision bf16"});
  }
  if (refusing == 0) MESSAGE("every backend built holds bf16");
}

}  // namespace
}  // namespace heed::test
