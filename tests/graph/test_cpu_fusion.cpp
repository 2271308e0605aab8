// The CPU backend fuses runs of pointwise nodes into one kernel at compile time. The unfused
// graph (CompileOptions::fusion off) is the reference: every fused program here computes what the same
// graph computes node by node, forward and backward, and runs fewer kernels doing it.
#include "../support/backends.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

namespace heed::test {
namespace {

Program compiled(Backend& backend, const Graph& graph, bool fusion, int threads = 0) {
  return backend.compile(graph, {.threads = threads, .fusion = fusion, .profile = true});
}

void run_once(Program& program, const std::vector<std::pair<Tensor, HostTensor>>& feeds) {
  std::vector<Feed> bound;
  for (const auto& [tensor, values] : feeds) bound.push_back({tensor, values});
  program.run(bound);
}

// The names of the kernels a CPU program runs, one a line, as its profile gives them.
std::string kernel_names(const Graph& graph, const std::vector<std::pair<Tensor, HostTensor>>& feeds, bool fusion) {
  auto backend = load_for_test("cpu");
  if (!backend) return {};
  Program program = compiled(*backend, graph, fusion);
  run_once(program, feeds);
  std::string names;
  for (const KernelTime& kernel : program.profile().kernels) names.append(kernel.name).append("\n");
  return names;
}

// How many kernels a CPU program runs per step.
int64_t kernels_per_run(const Graph& graph, bool fusion) {
  auto backend = load_for_test("cpu");
  if (!backend) return -1;
  return compiled(*backend, graph, fusion).kernels();
}

HostTensor random_values(const Shape& shape, uint64_t seed, double scale = 1) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> draw(-scale, scale);
  HostTensor values(f32, shape);
  for (float& x : values.f32()) x = static_cast<float>(draw(rng));
  return values;
}

// Runs the graph fused and unfused on the same feeds (and on 1 and 2 threads) and compares every
// listed result elementwise: |fused - unfused| <= tolerance * max(1, max |unfused|).
void check_fused_matches_unfused(const Graph& graph, const std::vector<std::pair<Tensor, HostTensor>>& feeds, const std::vector<Tensor>& results,
                                 double tolerance) {
  auto backend = load_for_test("cpu");
  if (!backend) return;
  auto run = [&](bool fusion, int threads) {
    Program program = compiled(*backend, graph, fusion, threads);
    run_once(program, feeds);
    run_once(program, feeds);  // a second run must not see leftovers of the first
    std::vector<HostTensor> values;
    for (const Tensor& result : results) values.push_back(program.read(result));
    return values;
  };
  const std::vector<HostTensor> reference = run(false, 1);
  for (int threads : {1, 2}) {
    const std::vector<HostTensor> fused = run(true, threads);
    for (size_t r = 0; r < results.size(); ++r) {
      INFO("result " << r << " " << describe(results[r]) << ", " << threads << " threads");
      std::span<const float> want = reference[r].f32(), got = fused[r].f32();
      REQUIRE(want.size() == got.size());
      // Sums taken in another order differ by rounding relative to the largest terms, so the
      // error is measured against the result's scale.
      double scale = 1;
      for (float value : want) scale = std::max(scale, static_cast<double>(std::fabs(value)));
      int wrong = 0;
      for (size_t i = 0; i < want.size() && wrong < 5; ++i)
        if (!(std::fabs(got[i] - want[i]) <= tolerance * scale)) {
          ++wrong;
          FAIL_CHECK("element " << i << ": fused " << got[i] << ", unfused " << want[i]);
        }
    }
  }
}

// Besides the cells' pointwise runs, the gates' product is fused with the add of the input
// projection, each step's weight gradient with the running sum over steps, and the concat of
// the four gates' gradients with the run that computes them (written straight into place).
TEST_CASE("an LSTM's cells run fused on the CPU and match the unfused graph, forward and backward") {
  Graph g(3);
  const int64_t batch = 5, steps = 4, in = 6;
  nn::LSTM lstm(g, "lstm", in, 7, true);  // odd sizes: blocks end inside rows
  Tensor x = g.input("x", {batch, steps, in});
  Tensor h = lstm(x);
  Tensor loss = sum(h * g.constant(random_values(h.shape(), 1)));
  std::vector<Tensor> grads = grad(loss, {x, lstm.forward_cell.weight_hh, lstm.backward_cell.bias_ih});
  g.output(h);
  for (const Tensor& gradient : grads) g.output(gradient);
  const std::vector<std::pair<Tensor, HostTensor>> feeds{{x, random_values(x.shape(), 2, 2)}};
  check_fused_matches_unfused(g, feeds, {h, grads[0], grads[1], grads[2]}, 1e-5);
  const int64_t fused = kernels_per_run(g, true), unfused = kernels_per_run(g, false);
  CHECK(fused > 0);
  CHECK(fused * 2 < unfused);
}

TEST_CASE("additive attention's broadcast add and tanh run fused and match the unfused graph") {
  Graph g(4);
  const int64_t batch = 3, source = 300, width = 16;  // 300 x 16: several blocks and a split over threads
  nn::DecoderAttention attention(g, "attention", nn::Scoring::additive, 24, width, width, 1.0);
  Tensor s = g.input("s", {batch, 24}), encoded = g.input("h", {batch, source, width}), mask = g.input("mask", {batch, source});
  nn::SourceAttention attended = attention(s, attention.precompute(encoded), encoded, mask, true);
  Tensor loss = sum(attended.context * attended.context);
  std::vector<Tensor> grads = grad(loss, {s, encoded, attention.key.weight});
  g.output(attended.weights);
  for (const Tensor& gradient : grads) g.output(gradient);
  HostTensor mask_values(f32, mask.shape());
  for (size_t i = 0; i < mask_values.f32().size(); ++i) mask_values.f32()[i] = i % 7 == 3 ? 0.0f : 1.0f;
  const std::vector<std::pair<Tensor, HostTensor>> feeds{
      {s, random_values(s.shape(), 5)}, {encoded, random_values(encoded.shape(), 6)}, {mask, mask_values}};
  check_fused_matches_unfused(g, feeds, {attended.weights, grads[0], grads[1], grads[2]}, 1e-5);
  CHECK(kernels_per_run(g, true) < kernels_per_run(g, false));
}

// Linear layers in a row: the planner gives each layer's output the bytes of the layer's input,
// which oneDNN cannot read and write at once, so the fused product goes through its own buffer.
TEST_CASE("a product fused with its bias and activation matches the unfused graph when its output reuses its input's bytes") {
  Graph g(6);
  nn::Linear first(g, "first", 16, 48), second(g, "second", 48, 16), third(g, "third", 16, 48);
  Tensor x = g.input("x", {2, 20, 16});
  Tensor y = third(gelu(second(gelu(first(x)))));
  Tensor loss = sum(y * y);
  std::vector<Tensor> grads = grad(loss, {x, first.weight, second.bias});
  g.output(y);
  for (const Tensor& gradient : grads) g.output(gradient);
  const std::vector<std::pair<Tensor, HostTensor>> feeds{{x, random_values(x.shape(), 7)}};
  check_fused_matches_unfused(g, feeds, {y, grads[0], grads[1], grads[2]}, 1e-5);
  CHECK(kernels_per_run(g, true) < kernels_per_run(g, false));
}

// At batch 1 every product has one row and runs as a hand-written loop (with the bias, the
// activation or the running sum it is fused with), split over threads by output columns when
// the weights are large.
TEST_CASE("one-row products match oneDNN's: Linear layers with each activation, plain and transposed weights, LSTM steps") {
  Graph g(8);
  nn::Linear first(g, "first", 320, 520), second(g, "second", 320, 520), third(g, "third", 320, 520), narrow(g, "narrow", 520, 7);
  nn::LSTMCell cell(g, "cell", 7, 300);
  Tensor x = g.input("x", {1, 320});
  Tensor plain = g.input("plain", {520, 33});  // x B with B [k, n] stored as is
  Tensor y = narrow(tanh(first(x))) + narrow(relu(second(x))) + narrow(sigmoid(third(x)));
  Tensor z = matmul(sigmoid(first(x)), plain);
  nn::LSTMState state = cell.zero_state(1);
  for (int step = 0; step < 3; ++step) state = cell(y * static_cast<double>(step + 1), state);
  g.output(y);
  g.output(z);
  g.output(state.h);
  g.output(state.c);
  const std::vector<std::pair<Tensor, HostTensor>> feeds{{x, random_values(x.shape(), 9)}, {plain, random_values(plain.shape(), 10)}};
  check_fused_matches_unfused(g, feeds, {y, z, state.h, state.c}, 1e-5);
}

// Attention over a sequence per example is a batch of products with one row (context = weights
// h), one column or an inner dimension of 1 (their gradients), which run as hand-written loops.
TEST_CASE("batches of one-row, one-column and k = 1 products match oneDNN's, forward and backward") {
  Graph g(9);
  const int64_t batch = 6, steps = 37, width = 20;
  Tensor weights = g.input("weights", {batch, 1, steps}), h = g.input("h", {batch, steps, width});
  Tensor shared = g.input("shared", {1, width, 3});  // a batch axis broadcast on one side
  Tensor context = matmul(weights, h);                               // [batch, 1, width]: one row
  Tensor scores = matmul(h, reshape(context, {batch, width, 1}));    // [batch, steps, 1]: one column
  Tensor outer = matmul(weights, context, true, false);              // [batch, steps, width]: k = 1, a transposed
  Tensor spread = matmul(reshape(scores, {batch, steps, 1}), context);  // [batch, steps, width]: k = 1
  Tensor mixed = matmul(context, shared);                            // [batch, 1, 3]
  Tensor loss = sum(spread * spread) + sum(mixed) + sum(outer * 0.5);
  std::vector<Tensor> grads = grad(loss, {weights, h, shared});
  g.output(context);
  g.output(scores);
  g.output(spread);
  for (const Tensor& gradient : grads) g.output(gradient);
  const std::vector<std::pair<Tensor, HostTensor>> feeds{
      {weights, random_values(weights.shape(), 11)}, {h, random_values(h.shape(), 12)}, {shared, random_values(shared.shape(), 13)}};
  check_fused_matches_unfused(g, feeds, {context, scores, spread, grads[0], grads[1], grads[2]}, 1e-5);
}

// Attention weights as the composite builds them: the scores scaled, a padding mask and the
// causal mask filled in, then the softmax; backward through all of it.
TEST_CASE("a softmax of scaled, masked scores runs as one kernel and matches the unfused graph, forward and backward") {
  Graph g(10);
  Tensor q = g.input("q", {2, 3, 37, 8}), k = g.input("k", {2, 3, 37, 8}), v = g.input("v", {2, 3, 37, 8});
  Tensor mask = g.input("mask", {37, 37});
  Attention attention = scaled_dot_product_attention(q, k, v, {.mask = mask, .causal = true, .fused = false});
  Tensor loss = sum(attention.output * g.constant(random_values(attention.output.shape(), 14)));
  std::vector<Tensor> grads = grad(loss, {q, k, v});
  g.output(attention.weights);
  for (const Tensor& gradient : grads) g.output(gradient);
  HostTensor mask_values(f32, mask.shape());
  for (size_t i = 0; i < mask_values.f32().size(); ++i) mask_values.f32()[i] = i % 5 == 2 || i / 37 == 4 ? 0.0f : 1.0f;  // row 4: none
  const std::vector<std::pair<Tensor, HostTensor>> feeds{
      {q, random_values(q.shape(), 15, 2)}, {k, random_values(k.shape(), 16, 2)}, {v, random_values(v.shape(), 17)}, {mask, mask_values}};
  check_fused_matches_unfused(g, feeds, {attention.weights, grads[0], grads[1], grads[2]}, 1e-6);
  CHECK(kernel_names(g, feeds, true).find("softmax f32[2, 3, 37, 37] of scale where where") != std::string::npos);
  CHECK(kernel_names(g, feeds, false).find("of scale") == std::string::npos);
}

// Kept by the program, the masked scores must be written: the softmax then runs on its own.
TEST_CASE("a softmax whose masked scores the program keeps is not fused") {
  Graph g(11);
  Tensor scores = g.input("scores", {4, 9}), mask = g.input("mask", {1, 9});
  Tensor masked = masked_fill(scores * 0.5, mask, masked_logit);
  Tensor weights = softmax(masked);
  g.output(masked);
  g.output(weights);
  HostTensor mask_values(f32, mask.shape());
  for (size_t i = 0; i < 9; ++i) mask_values.f32()[i] = i % 3 == 0 ? 0.0f : 1.0f;
  const std::vector<std::pair<Tensor, HostTensor>> feeds{{scores, random_values(scores.shape(), 18, 3)}, {mask, mask_values}};
  check_fused_matches_unfused(g, feeds, {masked, weights}, 1e-6);
  CHECK(kernel_names(g, feeds, true).find("of scale") == std::string::npos);
}

TEST_CASE("a fused chain hands on the values others read, folds its fills, and keeps exp, tanh and sigmoid within a few ulp") {
  Graph g(5);
  const int64_t n = 1000;  // not a multiple of the kernel's block
  Tensor x = g.input("x", {n});
  // Values others read (the outputs e, t, s), values only the chain reads, fills read only by
  // the chain (the 1s and 2s of the expressions) and a fill read outside it (kept).
  Tensor e = exp(x), t = tanh(x), s = sigmoid(x);
  Tensor mix = (e * 0.5 + t * 2.0) / (s + 1.0);
  Tensor relu_grad = where(greater(x, scalar(g, 0)), mix, scalar(g, 0));
  Tensor two = full(g, {n}, 2);
  g.output(e);
  g.output(t);
  g.output(s);
  g.output(relu_grad);
  g.output(two);
  HostTensor xs(f32, {n});
  // Across the range of every piece of vector_math.hpp: tiny values (tanh's polynomial), the
  // switch to exp at |x| = 0.625, large values where tanh and sigmoid saturate, exp near overflow.
  for (int64_t i = 0; i < n; ++i) {
    const double u = static_cast<double>(i) / static_cast<double>(n - 1) * 2 - 1;  // -1 .. 1
    xs.f32()[static_cast<size_t>(i)] = static_cast<float>(i % 3 == 0 ? u * 88 : i % 3 == 1 ? u * 2 : u * 1e-3);
  }
  const std::vector<std::pair<Tensor, HostTensor>> feeds{{x, xs}};
  check_fused_matches_unfused(g, feeds, {e, t, s, relu_grad, two}, 1e-6);
  CHECK(kernels_per_run(g, true) < kernels_per_run(g, false));

  auto backend = load_for_test("cpu");
  if (!backend) return;
  Program program = backend->compile(g);
  program.run({{x, xs}});
  HostTensor got_e = program.read(e), got_t = program.read(t), got_s = program.read(s);
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    const double v = xs.f32()[i];
    INFO("x = " << v);
    const double ulp = std::ldexp(1.0, -23);
    CHECK(std::fabs(got_e.f32()[i] - std::exp(v)) <= 4 * ulp * std::exp(v) + 1e-37);  // below the normal range, 0 will do
    CHECK(std::fabs(got_t.f32()[i] - std::tanh(v)) <= 4 * ulp * std::fabs(std::tanh(v)) + 1e-37);
    CHECK(std::fabs(got_s.f32()[i] - 1 / (1 + std::exp(-v))) <= 4 * ulp / (1 + std::exp(-v)) + 1e-37);
  }
}

}  // namespace
}  // namespace heed::test
