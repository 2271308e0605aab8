// The fused attention op against the composite it replaces (unfused_scaled_dot_product_attention):
// on every backend, the same graph built both ways gives the same output and the same gradients
// of q, k and v, to f32 rounding. The op harness compares each with the reference; this checks
// that the two graphs a model could be built from agree with each other where both run.
#include "../support/backends.hpp"
#include "../support/compare.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <algorithm>
#include <cmath>
#include <random>

namespace heed::test {
namespace {

struct Variant {
  std::string name;
  Shape q, k, v;
  bool causal = false, masked = false;
};

HostTensor random_tensor(const Shape& shape, std::mt19937& random) {
  HostTensor tensor(f32, shape);
  std::uniform_real_distribution<float> draw(-1.5f, 1.5f);
  for (float& x : tensor.f32()) x = draw(random);
  return tensor;
}

// The largest difference relative to the largest magnitude: element-wise relative errors would
// make a near-zero gradient element fail on rounding alone.
double relative_difference(const HostTensor& fused, const HostTensor& unfused) {
  std::vector<double> a = to_doubles(fused), b = to_doubles(unfused);
  double largest = 0, difference = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    largest = std::max(largest, std::abs(b[i]));
    difference = std::max(difference, std::abs(a[i] - b[i]));
  }
  return std::isfinite(difference) && largest > 0 ? difference / largest : INFINITY;
}

struct Results {
  std::vector<HostTensor> values;  // output, dq, dk, dv
};

Results run(Backend& backend, const Variant& variant, bool fused, const std::vector<HostTensor>& inputs, int threads = 0) {
  Graph g;
  Tensor q = g.input("q", variant.q), k = g.input("k", variant.k), v = g.input("v", variant.v);
  Shape mask_shape{variant.q[variant.q.size() - 2], variant.k[variant.k.size() - 2]};
  Tensor mask = variant.masked ? g.input("mask", mask_shape) : Tensor{};
  Tensor output = fused ? attention(q, k, v, mask, variant.causal) : unfused_scaled_dot_product_attention(q, k, v, mask, variant.causal).output;
  Tensor loss = sum(output * g.constant(inputs[3]));
  std::vector<Tensor> grads = grad(loss, {q, k, v});
  std::vector<Tensor> wanted{output, grads[0], grads[1], grads[2]};
  for (const Tensor& t : wanted) g.output(t);
  Program program = backend.compile(g, {.threads = threads});
  std::vector<Feed> feeds{{q, inputs[0]}, {k, inputs[1]}, {v, inputs[2]}};
  if (variant.masked) feeds.push_back({mask, inputs[4]});
  program.run(feeds);
  Results results;
  for (const Tensor& t : wanted) results.values.push_back(program.read(t));
  return results;
}

TEST_SUITE("nn") {

TEST_CASE("fused attention matches the unfused graph within 1e-5 relative, forward and backward, on every backend") {
  const std::vector<Variant> variants{
      {"plain", {2, 3, 37, 16}, {2, 3, 45, 16}, {2, 3, 45, 8}, false, false},
      {"causal", {2, 2, 130, 32}, {2, 2, 130, 32}, {2, 2, 130, 32}, true, false},
      {"causal, fewer queries than keys", {3, 20, 16}, {3, 70, 16}, {3, 70, 16}, true, false},
      {"masked", {2, 2, 33, 16}, {2, 2, 71, 16}, {2, 2, 71, 16}, false, true},
      {"masked and causal", {2, 2, 66, 16}, {2, 2, 66, 16}, {2, 2, 66, 16}, true, true},
      {"causal, many batch elements", {4, 8, 50, 16}, {4, 8, 50, 16}, {4, 8, 50, 16}, true, false},
  };
  const std::vector<std::string> labels{"output", "dq", "dk", "dv"};
  for (const std::string& name : backends_under_test()) {
    std::shared_ptr<Backend> backend = load_for_test(name);
    if (!backend) continue;
    for (const Variant& variant : variants) {
      CAPTURE(name);
      CAPTURE(variant.name);
      std::mt19937 random(7);
      Shape output_shape = variant.q;
      output_shape.back() = variant.v.back();
      std::vector<HostTensor> inputs{random_tensor(variant.q, random), random_tensor(variant.k, random), random_tensor(variant.v, random),
                                     random_tensor(output_shape, random)};
      if (variant.masked) {
        // Keeps about four positions in five; row 3 keeps none, which makes it uniform.
        const int64_t rows = variant.q[variant.q.size() - 2], columns = variant.k[variant.k.size() - 2];
        HostTensor mask(f32, {rows, columns});
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t c = 0; c < columns; ++c) mask.f32()[static_cast<size_t>(r * columns + c)] = r != 3 && (r * 3 + c * 7) % 5 != 0;
        inputs.push_back(std::move(mask));
      }
      try {
        Results fused = run(*backend, variant, true, inputs), unfused = run(*backend, variant, false, inputs);
        for (size_t i = 0; i < labels.size(); ++i) {
          double difference = relative_difference(fused.values[i], unfused.values[i]);
          CHECK_MESSAGE(difference <= 1e-5, name << ", " << variant.name << ": the fused " << labels[i] << " differs from the unfused one by "
                                                 << difference << " of its largest magnitude");
        }
      } catch (const std::exception& error) {
        FAIL_CHECK(name << ", " << variant.name << " threw: " << std::string(error.what()));
      }
    }
  }
}

TEST_CASE("fused attention gives the same bits forward and backward whatever the thread count") {
  // Large enough for the CPU kernels to split their tiles over threads; few batch elements and
  // many (the CPU backward schedules them differently).
  const std::vector<Variant> variants{{"few batch elements", {2, 2, 130, 32}, {2, 2, 130, 32}, {2, 2, 130, 32}, true, false},
                                      {"many batch elements", {4, 8, 70, 16}, {4, 8, 70, 16}, {4, 8, 70, 16}, true, false}};
  for (const std::string& name : backends_under_test()) {
    std::shared_ptr<Backend> backend = load_for_test(name);
    if (!backend) continue;
    for (const Variant& variant : variants) {
      CAPTURE(name);
      CAPTURE(variant.name);
      std::mt19937 random(11);
      std::vector<HostTensor> inputs{random_tensor(variant.q, random), random_tensor(variant.k, random), random_tensor(variant.v, random),
                                     random_tensor(variant.q, random)};
      try {
        Results one = run(*backend, variant, true, inputs, 1), three = run(*backend, variant, true, inputs, 3);
        for (size_t i = 0; i < one.values.size(); ++i) CHECK(to_doubles(one.values[i]) == to_doubles(three.values[i]));
      } catch (const std::exception& error) {
        FAIL_CHECK(name << ", " << variant.name << " threw: " << std::string(error.what()));
      }
    }
  }
}

}  // TEST_SUITE("nn")

}  // namespace
}  // namespace heed::test
