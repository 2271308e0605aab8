// End to end: a small network trained through the graph API learns what it is shown.
#include "../support/backends.hpp"

#include <doctest/doctest.h>
#include <algorithm>
#include <heed/heed.hpp>

namespace heed::test {
namespace {

TEST_CASE("a two-layer MLP trained with AdamW learns XOR to 100% accuracy on every backend") {
  const std::vector<std::string> names = backends_under_test();
  CHECK_MESSAGE(std::find(names.begin(), names.end(), "cpu") != names.end(), "the CPU backend was not built");
  for (const std::string& name : names) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    Graph g(1);
    Tensor x = g.input("x", {4, 2}), y = g.input("y", {4}, i32);
    nn::Linear l1(g, "l1", 2, 8), l2(g, "l2", 8, 2);
    Tensor logits = l2(tanh(l1(x)));
    Tensor loss = cross_entropy(logits, y);
    optim::AdamW(g, {.lr = 0.05, .weight_decay = 0}).minimize(loss);
    Tensor prediction = argmax(logits);
    g.output(prediction);
    Program program = backend->compile(g);

    const std::vector<float> xs{0, 0, 0, 1, 1, 0, 1, 1};
    const std::vector<int32_t> ys{0, 1, 1, 0};
    program.run({{x, xs}, {y, ys}});
    const float first_loss = program.read(loss).item();
    for (int step = 1; step < 300; ++step) program.run({{x, xs}, {y, ys}});

    HostTensor predicted = program.read(prediction);
    int correct = 0;
    for (size_t i = 0; i < 4; ++i) correct += predicted.i32()[i] == ys[i];
    CHECK(correct == 4);
    const float last_loss = program.read(loss).item();
    CHECK(last_loss < 0.05f);
    CHECK(last_loss < first_loss / 10);
  }
}

}  // namespace
}  // namespace heed::test
