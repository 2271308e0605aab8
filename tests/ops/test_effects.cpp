// Effects (SgdUpdate, AdamWUpdate, Assign) and the optimisers built on them: after several runs
// a backend's persistent values match the reference's, which applies docs/ops.md in double.
#include "../reference/reference.hpp"
#include "../support/backends.hpp"
#include "../support/compare.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <functional>
#include <random>

namespace heed::test {
namespace {

HostTensor random_tensor(Shape shape, uint64_t seed, double low = -1, double high = 1) {
  HostTensor t(f32, std::move(shape));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> draw(low, high);
  for (float& x : t.f32()) x = static_cast<float>(draw(rng));
  return t;
}

// Runs `runs` steps on every backend and on the reference, feeding what `feeds_for(step)` gives,
// then compares every tensor of `watched` (persistent values or outputs).
void compare_runs(Graph& g, int runs, const std::function<std::vector<std::pair<Tensor, HostTensor>>(int)>& feeds_for,
                  const std::vector<Tensor>& watched, double tolerance) {
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    Program program = backend->compile(g);
    reference::Evaluator ev(g);
    for (int step = 0; step < runs; ++step) {
      std::vector<std::pair<Tensor, HostTensor>> feeds = feeds_for(step);
      std::vector<Feed> program_feeds;
      for (auto& [tensor, values] : feeds) {
        program_feeds.push_back({tensor, values});
        ev.set(tensor, values);
      }
      program.run(std::span<const Feed>(program_feeds));
      ev.run();
      for (const Tensor& t : watched) {
        const reference::Array& expected = is_persistent(t.node().op) ? ev.persistent(t) : ev.value(t);
        REQUIRE(all_finite(expected.data));
        Comparison result = compare(expected.data, to_doubles(program.read(t)));
        CHECK_MESSAGE(result.passes(t.dtype() == i32 ? 0.0 : tolerance),
                      "after run " << step + 1 << ", " << describe(t) << " differs from the reference: " << result.describe());
      }
    }
  }
}

TEST_SUITE("effects") {

TEST_CASE("sgd_update with momentum and weight decay matches the reference over several runs") {
  Graph g;
  Tensor param = g.parameter("w", random_tensor({3, 17}, 1));
  Tensor velocity = g.state("velocity", HostTensor(f32, {3, 17}));
  Tensor hyper = g.state("hyper", HostTensor({3}, std::vector<float>{0.1f, 0.9f, 0.01f}));
  Tensor gradient = g.input("grad", {3, 17});
  sgd_update(param, gradient, velocity, hyper);
  compare_runs(g, 4, [&](int step) { return std::vector<std::pair<Tensor, HostTensor>>{{gradient, random_tensor({3, 17}, 10 + static_cast<uint64_t>(step))}}; },
               {param, velocity}, 1e-11);
}

TEST_CASE("adamw_update with bias correction and decoupled weight decay matches the reference over several runs") {
  Graph g;
  Tensor param = g.parameter("w", random_tensor({5, 7}, 2));
  Tensor m = g.state("m", HostTensor(f32, {5, 7})), v = g.state("v", HostTensor(f32, {5, 7}));
  Tensor hyper = g.state("hyper", HostTensor({6}, std::vector<float>{0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, 1.0f}));
  Tensor gradient = g.input("grad", {5, 7});
  adamw_update(param, gradient, m, v, hyper);
  assign(hyper, hyper + g.constant(HostTensor({6}, std::vector<float>{0, 0, 0, 0, 0, 1})));
  compare_runs(g, 5, [&](int step) { return std::vector<std::pair<Tensor, HostTensor>>{{gradient, random_tensor({5, 7}, 20 + static_cast<uint64_t>(step), -3, 3)}}; },
               {param, m, v, hyper}, 1e-10);
}

TEST_CASE("assign writes f32 and i32 states after everything else has read them") {
  Graph g;
  Tensor state = g.state("s", random_tensor({4, 9}, 3));
  Tensor counter = g.state("counter", HostTensor({}, std::vector<int32_t>{5}));
  Tensor x = g.input("x", {4, 9});
  Tensor read_before = state * 2.0;  // computed in the same run: must see the old value
  g.output(read_before);
  assign(state, state * 0.5 + x);
  assign(counter, counter + full(g, {}, 3, i32));
  compare_runs(g, 3, [&](int step) { return std::vector<std::pair<Tensor, HostTensor>>{{x, random_tensor({4, 9}, 30 + static_cast<uint64_t>(step))}}; },
               {state, counter, read_before}, 1e-12);
}

TEST_CASE("an update's own inputs read the parameter from before the step") {
  // y = w * x is an output; sgd changes w; y must be computed from the old w.
  Graph g;
  Tensor w = g.parameter("w", HostTensor({2}, std::vector<float>{1, 2}));
  Tensor velocity = g.state("velocity", HostTensor(f32, {2}));
  Tensor hyper = g.state("hyper", HostTensor({3}, std::vector<float>{1, 0, 0}));
  Tensor x = g.input("x", {2});
  Tensor y = w * x;
  g.output(y);
  sgd_update(w, x, velocity, hyper);  // w -= x
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    Program program = backend->compile(g);
    std::vector<float> xs{10, 100};
    program.run({{x, xs}});
    CHECK(to_doubles(program.read(y)) == std::vector<double>{10, 200});
    CHECK(to_doubles(program.read(w)) == std::vector<double>{-9, -98});
    program.run({{x, xs}});
    CHECK(to_doubles(program.read(y)) == std::vector<double>{-90, -9800});
  }
}

// A small regression model: two linear layers with tanh, mean squared error.
struct Regression {
  Graph g{77};
  Tensor x = g.input("x", {8, 3}), target = g.input("target", {8, 2});
  nn::Linear l1{g, "l1", 3, 4}, l2{g, "l2", 4, 2};
  Tensor error = l2(tanh(l1(x))) - target;
  Tensor loss = mean(error * error);
  std::vector<std::pair<Tensor, HostTensor>> feeds(int step) {
    return {{x, random_tensor({8, 3}, 40 + static_cast<uint64_t>(step))}, {target, random_tensor({8, 2}, 50 + static_cast<uint64_t>(step))}};
  }
};

TEST_CASE("optim::SGD with momentum and weight decay trains the same on every backend as on the reference") {
  Regression model;
  optim::SGD(model.g, {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01}).minimize(model.loss);
  std::vector<Tensor> watched = model.g.parameters();
  watched.push_back(model.loss);
  watched.push_back(*model.g.find("optim.l1.weight.momentum_buffer"));
  compare_runs(model.g, 6, [&](int step) { return model.feeds(step); }, watched, 1e-10);
}

TEST_CASE("optim::AdamW trains the same on every backend as on the reference") {
  Regression model;
  optim::AdamW(model.g, {.lr = 0.01, .weight_decay = 0.05}).minimize(model.loss);
  std::vector<Tensor> watched = model.g.parameters();
  watched.push_back(model.loss);
  watched.push_back(*model.g.find("optim.hyper"));
  watched.push_back(*model.g.find("optim.l2.bias.exp_avg_sq"));
  compare_runs(model.g, 6, [&](int step) { return model.feeds(step); }, watched, 1e-9);
}

TEST_CASE("set_learning_rate changes the step without rebuilding the graph") {
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    Graph g;
    Tensor w = g.parameter("w", HostTensor({1}, std::vector<float>{1}));
    Tensor loss = sum(w * w) * 0.5;  // gradient w
    optim::SGD sgd(g, {.lr = 0.5});
    sgd.minimize(loss);
    Program program = backend->compile(g);
    program.run();
    CHECK(to_doubles(program.read(w)) == std::vector<double>{0.5});
    sgd.set_learning_rate(program, 0.25);
    program.run();
    CHECK(to_doubles(program.read(w)) == std::vector<double>{0.375});
  }
}

}  // TEST_SUITE("effects")

}  // namespace
}  // namespace heed::test
