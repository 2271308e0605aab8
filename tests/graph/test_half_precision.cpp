// bf16 and f16: the conversions from float round to nearest with ties to even, host tensors and
// graphs hold them, and every op but the cast refuses them.
#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <bit>
#include <cmath>
#include <limits>

namespace heed::test {
namespace {

template <typename Half>
float as_float(uint16_t bits) { return static_cast<float>(Half::from_bits(bits)); }

template <typename Half>
bool is_nan_bits(uint16_t bits) { return std::isnan(as_float<Half>(bits)); }

// The value a correct conversion gives: the nearer of the two finite 16-bit neighbours of x
// (the even one on a tie), found by walking the bit patterns, which are ordered by magnitude.
template <typename Half>
uint16_t nearest(float x, uint16_t infinity_bits) {
  const uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  const float magnitude = std::abs(x);
  uint16_t below = 0;
  for (uint16_t step = 0x4000; step; step >>= 1)  // the largest pattern whose value is <= magnitude
    if (below + step < infinity_bits && as_float<Half>(static_cast<uint16_t>(below + step)) <= magnitude) below += step;
  const uint16_t above = below + 1;
  const double low = as_float<Half>(below);
  // Past the largest finite value, the next step up (the one infinity would stand for) decides.
  const double high = above == infinity_bits ? 2 * static_cast<double>(as_float<Half>(below)) - as_float<Half>(below - 1) : as_float<Half>(above);
  const double below_distance = magnitude - low, above_distance = high - magnitude;
  uint16_t chosen = below_distance < above_distance ? below : above_distance < below_distance ? above : (below % 2 == 0 ? below : above);
  return static_cast<uint16_t>(sign | chosen);
}

// Float bit patterns spread over every exponent and sign, plus their neighbours.
std::vector<float> sample_floats() {
  std::vector<float> values;
  for (uint64_t word = 0; word < (uint64_t{1} << 32); word += 65521) {
    for (uint32_t offset : {0u, 1u, 0x7fffu, 0x8000u, 0x8001u, 0xfffu, 0x1000u}) {
      const float x = std::bit_cast<float>(static_cast<uint32_t>(word + offset));
      if (std::isfinite(x)) values.push_back(x);
    }
  }
  return values;
}

TEST_CASE("every bf16 and every f16 converts to float and back unchanged, NaN staying NaN") {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    const auto pattern = static_cast<uint16_t>(bits);
    if (is_nan_bits<bfloat16>(pattern)) {
      CHECK(is_nan_bits<bfloat16>(bfloat16(as_float<bfloat16>(pattern)).bits));
    } else {
      REQUIRE(bfloat16(as_float<bfloat16>(pattern)).bits == pattern);
    }
    if (is_nan_bits<float16>(pattern)) {
      CHECK(is_nan_bits<float16>(float16(as_float<float16>(pattern)).bits));
    } else {
      REQUIRE(float16(as_float<float16>(pattern)).bits == pattern);
    }
  }
}

TEST_CASE("float to bf16 gives the nearest bf16, the even one on a tie, and infinity past the largest") {
  for (float x : sample_floats()) {
    INFO("x = " << x);
    const uint16_t got = bfloat16(x).bits, expected = nearest<bfloat16>(x, 0x7f80);
    REQUIRE(got == expected);
  }
  CHECK(static_cast<float>(bfloat16(1 + 0x1p-8f)) == 1.0f);
  CHECK(static_cast<float>(bfloat16(1 + 3 * 0x1p-8f)) == 1 + 0x1p-6f);
  CHECK(std::isinf(static_cast<float>(bfloat16(std::numeric_limits<float>::max()))));
}

TEST_CASE("float to f16 gives the nearest f16, subnormals included, and infinity from 65520 on") {
  for (float x : sample_floats()) {
    INFO("x = " << x);
    const uint16_t got = float16(x).bits, expected = nearest<float16>(x, 0x7c00);
    REQUIRE(got == expected);
  }
  CHECK(static_cast<float>(float16(65519.0f)) == 65504.0f);
  CHECK(std::isinf(static_cast<float>(float16(65520.0f))));
  CHECK(float16(0x1p-24f).bits == 1);      // the smallest subnormal
  CHECK(float16(0x1p-25f).bits == 0);      // half of it: a tie, to even (zero)
  CHECK(float16(3 * 0x1p-25f).bits == 2);  // one and a half: a tie, to even (two)
  CHECK(float16(-0.0f).bits == 0x8000);
}

TEST_CASE("NaN and infinity keep their kind and sign in both formats") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), infinity = std::numeric_limits<float>::infinity();
  CHECK(std::isnan(static_cast<float>(bfloat16(nan))));
  CHECK(std::isnan(static_cast<float>(float16(-nan))));
  CHECK(std::signbit(static_cast<float>(float16(-nan))));
  CHECK(static_cast<float>(bfloat16(-infinity)) == -infinity);
  CHECK(static_cast<float>(float16(infinity)) == infinity);
  // A signalling NaN whose payload sits in the dropped bits still converts to a NaN.
  CHECK(std::isnan(static_cast<float>(bfloat16(std::bit_cast<float>(0x7f800001u)))));
  CHECK(std::isnan(static_cast<float>(float16(std::bit_cast<float>(0x7f800001u)))));
}

TEST_CASE("a bf16 host tensor holds two bytes a value and converts to floats exactly") {
  HostTensor tensor({3}, std::vector<bfloat16>{bfloat16(1.5f), bfloat16(-2.0f), bfloat16(0.1f)});
  CHECK(tensor.dtype() == bf16);
  CHECK(tensor.bytes() == 6);
  CHECK(tensor.to_floats() == std::vector<float>{1.5f, -2.0f, static_cast<float>(bfloat16(0.1f))});
  CHECK_THROWS_WITH_AS(tensor.f32(), doctest::Contains("asked for f32 values of a bf16 tensor [3]"), Error);
  HostTensor halves(f16, {2, 3});
  CHECK(halves.bytes() == 12);
  CHECK(halves.f16().size() == 6);
}

TEST_CASE("every op but the cast and a bf16 matmul refuses bf16 and f16 values, naming the op and the value") {
  Graph graph;
  Tensor x = graph.input("x", {4}, bf16), y = graph.input("y", {4}, f16), z = graph.input("z", {4});
  CHECK_THROWS_WITH_AS(add(x, x), doctest::Contains("add: takes no bf16 values"), Error);
  CHECK_THROWS_WITH_AS(exp(y), doctest::Contains("exp: expects f32 input, got 'y' f16[4]"), Error);
  CHECK_THROWS_WITH_AS(reshape(x, {2, 2}), doctest::Contains("reshape: takes no bf16 values"), Error);
  CHECK_THROWS_WITH_AS(full(graph, {2}, 1.0, bf16), doctest::Contains("full: gives no bf16 values"), Error);
  CHECK_THROWS_WITH_AS(add(cast(z, bf16), z), doctest::Contains("add: inputs differ in dtype: cast bf16[4] and 'z' f32[4]"), Error);
  Tensor xm = graph.input("xm", {2, 4}, bf16), ym = graph.input("ym", {2, 4}, f16), zm = graph.input("zm", {4, 3});
  CHECK_THROWS_WITH_AS(matmul(xm, zm), doctest::Contains("matmul: takes two f32 or two bf16 operands, got 'xm' bf16[2, 4] and 'zm' f32[4, 3]"), Error);
  CHECK_THROWS_WITH_AS(matmul(ym, ym, false, true), doctest::Contains("matmul: takes two f32 or two bf16 operands"), Error);
  CHECK(matmul(xm, xm, false, true).dtype() == f32);
  CHECK(cast(x, f16).dtype() == f16);
  CHECK(cast(cast(z, bf16), f32).dtype() == f32);
}

TEST_CASE("the gradient through a cast to bf16 and back is the incoming gradient rounded to bf16") {
  Graph graph;
  Tensor x = graph.input("x", {3});
  Tensor y = cast(cast(x, bf16), f32);
  Tensor weights = graph.constant(HostTensor({3}, std::vector<float>{1 + 0x1p-9f, -3.0f, 0.1f}));
  Tensor gradient = grad(sum(y * weights), {x})[0];
  graph.output(gradient);
  Program program = load_backend("cpu")->compile(graph);
  program.run({{x, HostTensor({3}, std::vector<float>{0.5f, 1.0f, 2.0f})}});
  HostTensor result = program.read(gradient);
  CHECK(result.to_floats() == std::vector<float>{1.0f, -3.0f, static_cast<float>(bfloat16(0.1f))});
}

}  // namespace
}  // namespace heed::test
