// The reference evaluator on values worked out by hand: everything else is measured against it,
// so it is checked on its own first.
#include "reference.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>
#include <heed/backend/random_bits.hpp>

#include <cmath>
#include <numbers>

namespace heed::reference {
namespace {

std::vector<double> values_of(Graph& g, Tensor t, const std::vector<std::pair<Tensor, std::vector<double>>>& feeds = {}) {
  Evaluator ev(g);
  for (const auto& [input, values] : feeds) ev.set(input, values);
  ev.evaluate({t.id()});
  return ev.value(t).data;
}

void check_close(const std::vector<double>& got, const std::vector<double>& expected, double tolerance = 1e-12) {
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK_MESSAGE(std::abs(got[i] - expected[i]) <= tolerance, "element " << i << ": " << got[i] << " vs " << expected[i]);
}

TEST_CASE("the reference has a kernel for every op") {
  for (int i = 0; i < op_count; ++i) CHECK_MESSAGE(has_kernel(static_cast<Op>(i)), "no kernel for " << op_name(static_cast<Op>(i)));
}

TEST_CASE("binary ops broadcast as numpy does") {
  Graph g;
  Tensor a = g.input("a", {2, 1}), b = g.input("b", {3});
  check_close(values_of(g, a - b, {{a, {10, 20}}, {b, {1, 2, 3}}}), {9, 8, 7, 19, 18, 17});
  check_close(values_of(g, pow(a, b), {{a, {2, 3}}, {b, {1, 2, 3}}}), {2, 4, 8, 3, 9, 27});
}

TEST_CASE("i32 arithmetic wraps around as int32 does and cast truncates toward zero") {
  Graph g;
  Tensor a = g.input("a", {2}, i32);
  check_close(values_of(g, a * full(g, {}, 2, i32), {{a, {2147483647, -3}}}), {-2, -6});
  Tensor x = g.input("x", {4});
  check_close(values_of(g, cast(x, i32), {{x, {1.9, -1.9, 0.5, -0.5}}}), {1, -1, 0, 0});
}

TEST_CASE("where picks by any non-zero condition; comparisons give 1 or 0") {
  Graph g;
  Tensor c = g.input("c", {3}, i32), x = g.input("x", {3});
  check_close(values_of(g, where(c, x, full(g, {}, -1)), {{c, {0, 2, -1}}, {x, {5, 6, 7}}}), {-1, 6, 7});
  check_close(values_of(g, less_equal(x, full(g, {}, 6)), {{x, {5, 6, 7}}}), {1, 1, 0});
}

TEST_CASE("attention weighs the values by the softmax of the scaled scores; a fully masked row averages them") {
  Graph g;
  Tensor q = g.input("q", {1, 1}), k = g.input("k", {2, 1}), v = g.input("v", {2, 1}), mask = g.input("mask", {2});
  const double ln3 = std::log(3.0);
  // Scores [ln 3, 0] give weights [3/4, 1/4]: 3/4 * 4 + 1/4 * 8 = 5.
  std::vector<std::pair<Tensor, std::vector<double>>> feeds{{q, {ln3}}, {k, {1, 0}}, {v, {4, 8}}, {mask, {0, 0}}};
  check_close(values_of(g, scaled_dot_product_attention(q, k, v, {.scale = 1.0}).output, feeds), {5});
  check_close(values_of(g, scaled_dot_product_attention(q, k, v, {.causal = true, .scale = 1.0}).output, feeds), {5});  // the one query is the last: it sees both keys
  check_close(values_of(g, scaled_dot_product_attention(q, k, v, {.mask = mask, .scale = 1.0}).output, feeds), {6});
  // With do = 1: dv = p; dp = v = [4, 8] and D = o = 5, so ds = p (dp - D) = [-3/4, 3/4];
  // dq = ds . k = -3/4 and dk = ds q.
  Tensor o = scaled_dot_product_attention(q, k, v, {.scale = 1.0}).output;
  Tensor dout = full(g, {1, 1}, 1);
  check_close(values_of(g, attention_backward(q, k, v, o, dout, attention_statistics(o), {}, false, 1.0), feeds),
              {-0.75, -0.75 * ln3, 0.75 * ln3, 0.75, 0.25});
  // Fully masked: uniform weights reach v, and masked scores pass no gradient to q or k.
  Tensor masked_o = scaled_dot_product_attention(q, k, v, {.mask = mask, .scale = 1.0}).output;
  check_close(values_of(g, attention_backward(q, k, v, masked_o, dout, attention_statistics(masked_o), mask, false, 1.0), feeds),
              {0, 0, 0, 0.5, 0.5});
}

TEST_CASE("attention statistics are each row's logsumexp of the scores; a fully masked row's is masked_logit") {
  Graph g;
  Tensor q = g.input("q", {1, 1}), k = g.input("k", {2, 1}), v = g.input("v", {2, 1}), mask = g.input("mask", {2});
  std::vector<std::pair<Tensor, std::vector<double>>> feeds{{q, {std::log(3.0)}}, {k, {1, 0}}, {v, {4, 8}}, {mask, {0, 0}}};
  // Scores [ln 3, 0]: log(3 + 1).
  check_close(values_of(g, attention_statistics(scaled_dot_product_attention(q, k, v, {.scale = 1.0}).output), feeds), {std::log(4.0)});
  check_close(values_of(g, attention_statistics(scaled_dot_product_attention(q, k, v, {.mask = mask, .scale = 1.0}).output), feeds),
              {masked_logit});
}

TEST_CASE("gelu is the exact erf form and its backward the exact derivative") {
  Graph g;
  Tensor x = g.input("x", {2}), dy = g.input("dy", {2});
  // gelu(1) = Phi(1) = 0.841344746..., gelu(-1) = -(1 - Phi(1))
  check_close(values_of(g, gelu(x), {{x, {1, -1}}}), {0.8413447460685429, -0.15865525393145707}, 1e-15);
  // d/dx gelu at 0 is 1/2; at 1 it is Phi(1) + phi(1)
  check_close(values_of(g, gelu_backward(x, dy), {{x, {0, 1}}, {dy, {1, 2}}}), {0.5, 2 * (0.8413447460685429 + 0.24197072451914337)}, 1e-15);
}

TEST_CASE("sum, max and argmax reduce the stated axes") {
  Graph g;
  Tensor x = g.input("x", {2, 3});
  std::vector<std::pair<Tensor, std::vector<double>>> feed{{x, {1, 5, 5, -2, 0, -1}}};
  check_close(values_of(g, sum(x, {1}), feed), {11, -3});
  check_close(values_of(g, sum(x, {0}, true), feed), {-1, 5, 4});
  check_close(values_of(g, max(x, {-1}), feed), {5, 0});
  check_close(values_of(g, max(x), feed), {5});
  check_close(values_of(g, argmax(x, 1), feed), {1, 1});  // the first of the tied maxima
  check_close(values_of(g, argmax(x, 0), feed), {0, 0, 0});
}

TEST_CASE("permute, slice, concat and broadcast move the right elements") {
  Graph g;
  Tensor x = g.input("x", {2, 3});
  std::vector<std::pair<Tensor, std::vector<double>>> feed{{x, {0, 1, 2, 3, 4, 5}}};
  check_close(values_of(g, permute(x, {1, 0}), feed), {0, 3, 1, 4, 2, 5});
  check_close(values_of(g, slice(x, 1, 1, 3), feed), {1, 2, 4, 5});
  check_close(values_of(g, concat({x, slice(x, 1, 0, 1)}, 1), feed), {0, 1, 2, 0, 3, 4, 5, 3});
  check_close(values_of(g, broadcast(slice(x, 0, 1, 2), {2, 2, 3}), feed), {3, 4, 5, 3, 4, 5, 3, 4, 5, 3, 4, 5});
}

TEST_CASE("matmul with transposes and a broadcast batch") {
  Graph g;
  Tensor a = g.input("a", {2, 1, 2}), b = g.input("b", {2, 2});
  // batch 0: [1 2] x [[1 2] [3 4]]^T = [1*1+2*2, 1*3+2*4] = [5, 11]; batch 1: [3 4] -> [11, 25]
  check_close(values_of(g, matmul(a, b, false, true), {{a, {1, 2, 3, 4}}, {b, {1, 2, 3, 4}}}), {5, 11, 11, 25});
  Tensor c = g.input("c", {2, 3});
  // c^T c for c = [[1 0 2] [0 1 1]]
  check_close(values_of(g, matmul(c, c, true, false), {{c, {1, 0, 2, 0, 1, 1}}}), {1, 0, 2, 0, 1, 1, 2, 1, 5});
}

TEST_CASE("softmax and log_softmax over the last axis; a fully masked row is uniform") {
  Graph g;
  Tensor x = g.input("x", {2, 2}), mask = g.input("mask", {2, 2});
  std::vector<std::pair<Tensor, std::vector<double>>> feed{{x, {0, std::log(3.0), 1000, 1000}}, {mask, {1, 1, 0, 0}}};
  check_close(values_of(g, softmax(x), feed), {0.25, 0.75, 0.5, 0.5});
  check_close(values_of(g, log_softmax(x), feed), {std::log(0.25), std::log(0.75), std::log(0.5), std::log(0.5)});
  check_close(values_of(g, softmax(x, mask), feed), {0.25, 0.75, 0.5, 0.5});
}

TEST_CASE("layer_norm normalises with the biased variance, then scales and shifts") {
  Graph g;
  Tensor x = g.input("x", {3}), w = g.input("w", {3}), b = g.input("b", {3});
  // mean 2, biased variance 2/3
  double r = 1 / std::sqrt(2.0 / 3.0 + 1e-5);
  check_close(values_of(g, layer_norm(x, w, b), {{x, {1, 2, 3}}, {w, {1, 2, 3}}, {b, {0, 1, 0}}}), {-r, 1, 3 * r}, 1e-12);
}

TEST_CASE("embedding gathers rows, out-of-range indices give zero rows, and its backward sums repeats") {
  Graph g;
  Tensor table = g.input("table", {3, 2}), idx = g.input("idx", {4}, i32), dy = g.input("dy", {4, 2});
  check_close(values_of(g, embedding(table, idx), {{table, {1, 2, 3, 4, 5, 6}}, {idx, {2, 3, 0, -1}}}), {5, 6, 0, 0, 1, 2, 0, 0});
  check_close(values_of(g, embedding_backward(dy, idx, 3), {{dy, {1, 2, 3, 4, 5, 6, 7, 8}}, {idx, {2, 0, 2, 9}}}), {3, 4, 0, 0, 6, 8});
}

TEST_CASE("cross_entropy averages over counted rows only") {
  Graph g;
  Tensor logits = g.input("logits", {3, 2}), targets = g.input("targets", {3}, i32);
  std::vector<std::pair<Tensor, std::vector<double>>> feed{{logits, {0, 0, 0, std::log(3.0), 5, 5}}, {targets, {1, 0, -100}}};
  // row 0: log 2; row 1: log(4) - 0; row 2 ignored
  check_close(values_of(g, cross_entropy(logits, targets), feed), {(std::log(2.0) + std::log(4.0)) / 2});
  Tensor dloss = g.input("dloss", {});
  feed.push_back({dloss, {2}});
  // d/dlogits = dloss * (softmax - one_hot) / 2
  check_close(values_of(g, cross_entropy_backward(logits, targets, dloss, -100), feed), {0.5, -0.5, -0.75, 0.75, 0, 0});
  check_close(values_of(g, cross_entropy(logits, full(g, {3}, 5, i32)), feed), {0});
}

TEST_CASE("random ops give random_bits' float values") {
  Graph g;
  Tensor counter = g.input("counter", {}, i32);
  Tensor u = random_uniform(g, {3}, {.seed = 11u, .counter = counter});
  Tensor n = random_normal(g, {3}, {.seed = 11u, .counter = {}});
  std::vector<double> got = values_of(g, u, {{counter, {4}}});
  for (uint32_t i = 0; i < 3; ++i) CHECK(got[i] == static_cast<double>(random_bits::uniform(11, 4, i)));
  got = values_of(g, n);
  for (uint32_t i = 0; i < 3; ++i) CHECK(got[i] == static_cast<double>(random_bits::normal(11, 0, i)));
}

TEST_CASE("effects apply after every value is computed, in creation order") {
  Graph g;
  Tensor w = g.parameter("w", HostTensor({2}, std::vector<float>{1, 2}));
  Tensor v = g.state("v", HostTensor(f32, {2}));
  Tensor hyper = g.state("hyper", HostTensor({3}, std::vector<float>{0.5f, 0.5f, 0}));
  Tensor gradient = g.input("g", {2});
  Tensor before = w * 1.0;
  sgd_update(w, gradient, v, hyper);
  Evaluator ev(g);
  ev.set(gradient, {2, 4});
  ev.run();  // v = g = [2, 4]; w = [1, 2] - 0.5 [2, 4] = [0, 0]
  check_close(ev.value(before).data, {1, 2});
  check_close(ev.persistent(w).data, {0, 0});
  ev.run();  // v = 0.5 [2, 4] + [2, 4] = [3, 6]; w = -0.5 [3, 6]
  check_close(ev.persistent(v).data, {3, 6});
  check_close(ev.persistent(w).data, {-1.5, -3});
}

TEST_CASE("adamw's first step moves each weight by about lr against the sign of its gradient") {
  Graph g;
  Tensor w = g.parameter("w", HostTensor({2}, std::vector<float>{1, 1}));
  Tensor m = g.state("m", HostTensor(f32, {2})), v = g.state("v", HostTensor(f32, {2}));
  Tensor hyper = g.state("hyper", HostTensor({6}, std::vector<float>{0.5f, 0.5f, 0.75f, 0, 0.5f, 1}));
  Tensor gradient = g.input("g", {2});
  adamw_update(w, gradient, m, v, hyper);
  Evaluator ev(g);
  ev.set(gradient, {3, -0.25});
  ev.run();  // w = 1 * (1 - 0.25) = 0.75; m_hat / sqrt(v_hat) = sign(g)
  check_close(ev.persistent(w).data, {0.25, 1.25});
  check_close(ev.persistent(m).data, {1.5, -0.125});
  check_close(ev.persistent(v).data, {2.25, 0.015625});
}

TEST_CASE("an input that was not fed leaves what depends on it uncomputed") {
  Graph g;
  Tensor x = g.input("x", {2});
  Tensor y = exp(x);
  Evaluator ev(g);
  ev.run();
  CHECK_THROWS_AS(ev.value(y), Error);
  CHECK_THROWS_AS(ev.set(x, {1, 2, 3}), Error);
}

}  // namespace
}  // namespace heed::reference
