// CompileOptions::share_persistent_values: a second program of the same model (another batch
// size, no loss) uses the first program's parameters and states, with no copy, on every backend;
// anything that cannot be shared is refused, all of it named at once.
#include "program_checks.hpp"
#include "../support/backends.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <cstring>
#include <functional>
#include <optional>
#include <string>

namespace heed::test {
namespace {

// A model built twice, as a training graph (batch 4, loss, AdamW) and an inference graph (batch 1).
struct Model {
  Graph graph{7};
  Tensor x, y, loss, output;
  Model(int64_t batch, bool training) {
    x = graph.input("x", {batch, 3});
    nn::Linear first(graph, "first", 3, 5), second(graph, "second", 5, 2);
    output = second(tanh(first(x)));
    if (training) {
      y = graph.input("y", {batch}, i32);
      loss = cross_entropy(output, y);
      optim::AdamW(graph, {.lr = 0.1}).minimize(loss);
    } else {
      graph.output(output);
    }
  }
};

bool same_values(const HostTensor& a, const HostTensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.data(), b.data(), static_cast<size_t>(a.bytes())) == 0;
}

const std::vector<float> batch_x{0.5f, -1, 2, 1, 0, -0.5f, -2, 1, 1, 0.25f, 0.5f, -1};
const std::vector<int32_t> batch_y{0, 1, 1, 0};
const std::vector<float> one_x{0.5f, -1, 2};

TEST_CASE("an inference program sharing a training program's parameters sees every update without a copy") {
  on_every_backend([](Backend& backend) {
    Model training(4, true), inference(1, false), separate(1, false);
    Program train = backend.compile(training.graph);
    Program infer = backend.compile(inference.graph, {.share_persistent_values = &train});
    Program copied = backend.compile(separate.graph);
    for (int step = 0; step < 3; ++step) train.run({{training.x, batch_x}, {training.y, batch_y}});
    for (const Tensor& parameter : separate.graph.parameters())
      copied.write(parameter, train.read(*training.graph.find(parameter.name())));
    infer.run({{inference.x, one_x}});
    copied.run({{separate.x, one_x}});
    CHECK(same_values(infer.read(inference.output), copied.read(separate.output)));
    for (const Tensor& parameter : inference.graph.parameters())
      CHECK(same_values(infer.read(parameter), train.read(*training.graph.find(parameter.name()))));
  });
}

TEST_CASE("a write through the sharing program is what the training program trains on") {
  on_every_backend([](Backend& backend) {
    Model training(4, true), inference(1, false);
    Program train = backend.compile(training.graph);
    Program infer = backend.compile(inference.graph, {.share_persistent_values = &train});
    Tensor bias = *inference.graph.find("second.bias");
    infer.write(bias, HostTensor({2}, std::vector<float>{3, -3}));
    CHECK(same_values(train.read(*training.graph.find("second.bias")), HostTensor({2}, std::vector<float>{3, -3})));
  });
}

TEST_CASE("the shared values outlive the program that made them") {
  on_every_backend([](Backend& backend) {
    Model training(4, true), inference(1, false);
    std::optional<Program> train = backend.compile(training.graph);
    train->run({{training.x, batch_x}, {training.y, batch_y}});
    HostTensor trained = train->read(*training.graph.find("first.weight"));
    Program infer = backend.compile(inference.graph, {.share_persistent_values = &*train});
    train.reset();
    infer.run({{inference.x, one_x}});
    CHECK(same_values(infer.read(*inference.graph.find("first.weight")), trained));
  });
}

TEST_CASE("sharing refuses, naming each of them, values that are missing or differ in shape") {
  on_every_backend([](Backend& backend) {
    Model training(4, true);
    Program train = backend.compile(training.graph);
    Graph other;
    Tensor x = other.input("x", {1, 3});
    Tensor wrong = other.parameter("first.weight", HostTensor(f32, {3, 5}));
    Tensor missing = other.parameter("third.weight", HostTensor(f32, {5, 3}));
    other.output(matmul(matmul(x, wrong), missing));
    check_message([&] { backend.compile(other, {.share_persistent_values = &train}); },
                  {"2 of the new graph's parameters", "'first.weight' is parameter f32[3, 5] here and parameter f32[5, 3] there",
                   "'third.weight' is not in the program shared with"});
  });
}

TEST_CASE("sharing refuses a program of another backend") {
  std::vector<std::string> names = backends_under_test();
  if (names.size() < 2) {
    MESSAGE("one backend built: nothing to cross");
    return;
  }
  auto first = load_for_test(names[0]), second = load_for_test(names[1]);
  REQUIRE(first);
  REQUIRE(second);
  Model training(4, true), inference(1, false);
  Program train = first->compile(training.graph);
  check_message([&] { second->compile(inference.graph, {.share_persistent_values = &train}); }, {"another backend"});
}

}  // namespace
}  // namespace heed::test
