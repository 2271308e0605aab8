// Random ops beyond bit equality (which the op cases check): the values are distributed as
// stated, a counter makes each run draw anew in step with the reference, and neither the thread
// count nor the backend changes a single bit.
#include "../reference/reference.hpp"
#include "../support/backends.hpp"
#include "../support/compare.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace heed::test {
namespace {

struct Moments {
  double mean = 0, variance = 0, low = 0, high = 0;
};

Moments moments_of(const std::vector<double>& values) {
  Moments m;
  for (double x : values) m.mean += x;
  m.mean /= static_cast<double>(values.size());
  for (double x : values) m.variance += (x - m.mean) * (x - m.mean);
  m.variance /= static_cast<double>(values.size());
  m.low = *std::min_element(values.begin(), values.end());
  m.high = *std::max_element(values.begin(), values.end());
  return m;
}

// 65536 draws of one random op on every backend.
template <typename Check>
void for_each_backend_draw(Tensor (*op)(Graph&, Shape, RandomOptions), Check check) {
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    Graph g;
    Tensor values = op(g, {256, 256}, {.seed = 2024u, .counter = {}});
    g.output(values);
    Program program = backend->compile(g);
    program.run();
    check(moments_of(to_doubles(program.read(values))));
  }
}

TEST_SUITE("random") {

// With 65536 draws the standard error of the mean is below 0.005 for every distribution here;
// the bounds are at least six of them.
TEST_CASE("random_uniform lies in [0, 1) with mean 1/2 and variance 1/12") {
  for_each_backend_draw(random_uniform, [](const Moments& m) {
    CHECK(m.low >= 0.0);
    CHECK(m.high < 1.0);
    CHECK(std::abs(m.mean - 0.5) < 0.007);
    CHECK(std::abs(m.variance - 1.0 / 12) < 0.004);
  });
}

TEST_CASE("random_normal has mean 0 and variance 1") {
  for_each_backend_draw(random_normal, [](const Moments& m) {
    CHECK(std::abs(m.mean) < 0.025);
    CHECK(std::abs(m.variance - 1.0) < 0.04);
    CHECK(m.low < -3.5);  // the tails are there
    CHECK(m.high > 3.5);
  });
}

TEST_CASE("random_gumbel has mean Euler's gamma and variance pi^2/6") {
  for_each_backend_draw(random_gumbel, [](const Moments& m) {
    CHECK(std::abs(m.mean - std::numbers::egamma) < 0.035);
    CHECK(std::abs(m.variance - std::numbers::pi * std::numbers::pi / 6) < 0.1);
  });
}

TEST_CASE("dropout zeroes a fraction p of the values and scales the rest by 1 / (1 - p)") {
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    Graph g(9);
    Tensor x = g.input("x", {200, 500});
    Tensor y = dropout(x, 0.3);
    g.output(y);
    Program program = backend->compile(g);
    const std::vector<float> ones(100000, 1.0f);
    program.run({{x, ones}});
    std::vector<double> values = to_doubles(program.read(y));
    int64_t zeros = 0, scaled = 0;
    for (double v : values) {
      zeros += v == 0;
      scaled += std::abs(v - 1 / 0.7) < 1e-6;
    }
    CHECK(zeros + scaled == 100000);
    CHECK(std::abs(static_cast<double>(zeros) / 100000 - 0.3) < 0.01);  // the standard error is 0.0015
  }
}

TEST_CASE("with the graph's random counter each run draws new values, in step with the reference") {
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    Graph g(31);
    Tensor values = random_normal(g, {5, 13}, {.seed = std::nullopt, .counter = g.random_counter()});
    g.output(values);
    Program program = backend->compile(g);
    reference::Evaluator ev(g);
    std::vector<double> previous;
    for (int run = 0; run < 3; ++run) {
      program.run();
      ev.run();
      std::vector<double> got = to_doubles(program.read(values));
      CHECK_MESSAGE(got == ev.value(values).data, "run " << run << " differs from the reference bit for bit");
      CHECK_MESSAGE(got != previous, "run " << run << " repeated the previous run's values");
      previous = got;
    }
    CHECK(to_doubles(program.read(g.random_counter())) == std::vector<double>{3});
  }
}

TEST_CASE("the same seed gives the same values and another seed other values") {
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    Graph g;
    Tensor a = random_uniform(g, {300}, {.seed = 7u, .counter = {}}), b = random_uniform(g, {300}, {.seed = 7u, .counter = {}});
    Tensor c = random_uniform(g, {300}, {.seed = 8u, .counter = {}});
    for (Tensor t : {a, b, c}) g.output(t);
    Program program = backend->compile(g);
    program.run();
    std::vector<double> va = to_doubles(program.read(a)), vb = to_doubles(program.read(b)), vc = to_doubles(program.read(c));
    CHECK(va == vb);
    int same = 0;
    for (size_t i = 0; i < va.size(); ++i) same += va[i] == vc[i];
    CHECK(same < 5);
  }
}

TEST_CASE("random values do not depend on the thread count") {
  for (const std::string& name : backends_under_test()) {
    auto backend = load_for_test(name);
    if (!backend) continue;
    INFO("backend " << name);
    Graph g;
    Tensor values = random_gumbel(g, {97, 1031}, {.seed = 3u, .counter = {}}) + random_normal(g, {97, 1031}, {.seed = 4u, .counter = {}});
    g.output(values);
    std::vector<std::vector<double>> results;
    for (int threads : {1, 2, 3}) {
      Program program = backend->compile(g, {.threads = threads});
      program.run();
      results.push_back(to_doubles(program.read(values)));
    }
    CHECK(results[0] == results[1]);
    CHECK(results[0] == results[2]);
  }
}

}  // TEST_SUITE("random")

}  // namespace
}  // namespace heed::test
