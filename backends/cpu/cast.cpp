// Cast between every pair of dtypes, elementwise. Float dtypes convert through float, which holds
// bf16 and f16 exactly, so each conversion rounds once; i32 to a 16-bit dtype goes through a
// float rounded to odd, which keeps that one rounding correct for integers past 2^24.
#include "kernel.hpp"
#include "parallel.hpp"

#include <heed/half_precision.hpp>

#include <bit>
#include <cmath>
#include <limits>

namespace heed::cpu {

namespace {

// Truncation toward zero, as the op set defines it; values past the i32 range saturate and NaN
// gives 0 rather than the undefined behaviour of a plain conversion.
int32_t truncate_to_i32(float value) {
  if (std::isnan(value)) return 0;
  if (value >= 2147483648.0f) return std::numeric_limits<int32_t>::max();
  if (value < -2147483648.0f) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(value);
}

// The integer as a float truncated toward zero with its last bit set when bits were dropped
// ("round to odd"): rounding that float again to 16 bits gives the integer correctly rounded.
float odd_rounded(int32_t value) {
  const auto exact = static_cast<double>(value);
  float truncated = static_cast<float>(exact);
  if (static_cast<double>(truncated) == exact) return truncated;
  if (std::abs(static_cast<double>(truncated)) > std::abs(exact)) truncated = std::nextafter(truncated, 0.0f);
  return std::bit_cast<float>(std::bit_cast<uint32_t>(truncated) | 1u);
}

template <typename To, typename From>
To convert(From value) {
  if constexpr (std::is_same_v<To, From>) {
    return value;
  } else if constexpr (std::is_same_v<To, int32_t>) {
    return truncate_to_i32(static_cast<float>(value));
  } else if constexpr (std::is_same_v<From, int32_t> && !std::is_same_v<To, float>) {
    return To(odd_rounded(value));
  } else {
    return To(static_cast<float>(value));
  }
}

template <typename From, typename To>
class CastKernel final : public Kernel {
 public:
  CastKernel(const std::byte* input, std::byte* output, int64_t count)
      : input_(reinterpret_cast<const From*>(input)), output_(reinterpret_cast<To*>(output)), count_(count) {}

  void run() override {
    parallel_ranges(count_, elementwise_grain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) output_[i] = convert<To>(input_[i]);
    });
  }

 private:
  const From* input_;
  To* output_;
  int64_t count_;
};

template <typename Callback>
auto with_type(DType dtype, Callback callback) {
  switch (dtype) {
    case DType::f32: return callback(float{});
    case DType::i32: return callback(int32_t{});
    case DType::bf16: return callback(bfloat16{});
    case DType::f16: return callback(float16{});
  }
  fail("cpu backend: no cast for dtype {}", static_cast<int>(dtype));
}

}  // namespace

std::unique_ptr<Kernel> make_cast(const CompileContext& context, NodeRef node) {
  const std::byte* input = context.input_address(node.node, 0);
  std::byte* output = context.address(node.id);
  const int64_t count = element_count(node.node.shape);
  return with_type(context.input(node.node, 0).dtype, [&](auto from) {
    return with_type(node.node.dtype, [&](auto to) -> std::unique_ptr<Kernel> {
      return std::make_unique<CastKernel<decltype(from), decltype(to)>>(input, output, count);
    });
  });
}

}  // namespace heed::cpu
