// The fused attention op against the composite it replaces (AttentionSettings::fused off):
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
  Tensor output = scaled_dot_product_attention(q, k, v, {.mask = mask, .causal = variant.causal, .fused = fused}).output;
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
      {"causal, more queries than keys: the first rows see no key", {3, 70, 16}, {3, 20, 16}, {3, 20, 16}, true, false},
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

// qkv [B, T, 3 * heads * D] through packed_attention, or split into [B, heads, T, D] heads for
// the unfused graph and its output merged back: the output and dqkv.
std::vector<HostTensor> run_packed(Backend& backend, const HostTensor& qkv_value, int64_t heads, bool causal, const HostTensor& mask_value,
                                   const HostTensor& upstream, bool fused) {
  Graph g;
  Tensor qkv = g.input("qkv", qkv_value.shape());
  Tensor mask = mask_value.shape().empty() ? Tensor{} : g.input("mask", mask_value.shape());
  const int64_t batch = qkv.dim(0), steps = qkv.dim(1), width = qkv.dim(2) / 3;
  Tensor output;
  if (fused) {
    output = packed_attention(qkv, heads, {.mask = mask, .causal = causal});
  } else {
    Tensor split = permute(reshape(qkv, {batch, steps, 3, heads, width / heads}), {2, 0, 3, 1, 4});
    auto part = [&](int64_t p) { return reshape(slice(split, 0, p, p + 1), {batch, heads, steps, width / heads}); };
    Tensor heads_output = scaled_dot_product_attention(part(0), part(1), part(2), {.mask = mask, .causal = causal, .fused = false}).output;
    output = reshape(permute(heads_output, {0, 2, 1, 3}), {batch, steps, width});
  }
  Tensor dqkv = grad(sum(output * g.constant(upstream)), {qkv})[0];
  g.output(output);
  g.output(dqkv);
  Program program = backend.compile(g);
  std::vector<Feed> feeds{{qkv, qkv_value}};
  if (mask) feeds.push_back({mask, mask_value});
  program.run(feeds);
  return {program.read(output), program.read(dqkv)};
}

TEST_CASE("packed attention matches the unfused graph on the split heads within 1e-5 relative, forward and backward, on every backend") {
  struct Packed {
    std::string name;
    Shape qkv;
    int64_t heads;
    bool causal, masked;
  };
  const std::vector<Packed> variants{{"plain", {2, 45, 3 * 3 * 16}, 3, false, false},
                                     {"causal, the charlm layout", {2, 130, 3 * 4 * 32}, 4, true, false},
                                     {"causal, many problems", {4, 50, 3 * 8 * 16}, 8, true, false},
                                     {"a key mask per batch element", {2, 33, 3 * 2 * 16}, 2, false, true}};
  for (const std::string& name : backends_under_test()) {
    std::shared_ptr<Backend> backend = load_for_test(name);
    if (!backend) continue;
    for (const Packed& variant : variants) {
      CAPTURE(name);
      CAPTURE(variant.name);
      std::mt19937 random(5);
      HostTensor qkv = random_tensor(variant.qkv, random);
      Shape output_shape = variant.qkv;
      output_shape.back() /= 3;
      HostTensor upstream = random_tensor(output_shape, random);
      HostTensor mask;
      if (variant.masked) {  // [B, 1, 1, T]: the first batch element sees every third key
        const int64_t batch = variant.qkv[0], steps = variant.qkv[1];
        mask = HostTensor(f32, {batch, 1, 1, steps});
        for (int64_t i = 0; i < batch * steps; ++i) mask.f32()[static_cast<size_t>(i)] = i >= steps || i % 3 == 0;
      }
      try {
        std::vector<HostTensor> fused = run_packed(*backend, qkv, variant.heads, variant.causal, mask, upstream, true);
        std::vector<HostTensor> unfused = run_packed(*backend, qkv, variant.heads, variant.causal, mask, upstream, false);
        const char* labels[] = {"output", "dqkv"};
        for (size_t i = 0; i < 2; ++i) {
          double difference = relative_difference(fused[i], unfused[i]);
          CHECK_MESSAGE(difference <= 1e-5, name << ", " << variant.name << ": the packed " << labels[i] << " differs from the unfused one by "
                                                 << difference << " of its largest magnitude");
        }
      } catch (const std::exception& error) {
        FAIL_CHECK(name << ", " << variant.name << " threw: " << std::string(error.what()));
      }
    }
  }
}

}  // TEST_SUITE("nn")

}  // namespace
}  // namespace heed::test
