#pragma once
// Element types and shapes. Every tensor is dense and row-major; a shape of rank 0 is a scalar.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace heed {

// f32 and i32 compute; bf16 and f16 store values in 16 bits (heed/half_precision.hpp), and only
// the ops docs/ops.md lists for them take them.
enum class DType : uint8_t { f32, i32, bf16, f16 };
inline constexpr DType f32 = DType::f32;
inline constexpr DType i32 = DType::i32;
inline constexpr DType bf16 = DType::bf16;
inline constexpr DType f16 = DType::f16;

std::string_view dtype_name(DType dtype);
inline constexpr int64_t dtype_size(DType dtype) { return dtype == DType::bf16 || dtype == DType::f16 ? 2 : 4; }
inline constexpr bool is_16_bit(DType dtype) { return dtype == DType::bf16 || dtype == DType::f16; }

using Shape = std::vector<int64_t>;

int64_t element_count(const Shape& shape);
std::string shape_string(const Shape& shape);  // "[2, 3]"

// Normalises a possibly negative axis for a tensor of `rank` dims; `what` names the op for errors.
int64_t normalize_axis(int64_t axis, int64_t rank, std::string_view what);

// The numpy broadcast of two shapes; throws naming `what` when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view what);

// Row-major strides of a dense shape, in elements.
std::vector<int64_t> dense_strides(const Shape& shape);

// The shape without its size-1 axes, and strides given per axis of `shape` kept only for the
// others: the same walk over fewer axes (what fused pointwise kernels compare and index by).
Shape squeezed(const Shape& shape);
std::vector<int64_t> squeezed_strides(const Shape& shape, const std::vector<int64_t>& strides);

// Whether numpy broadcasting takes `from` to `to` without enlarging `to`.
bool broadcasts_to(const Shape& from, const Shape& to);

// Strides (in elements) to read a dense `input` as if it had the broadcast shape `output`:
// leading axes are added, and size-1 axes that are stretched get stride 0.
std::vector<int64_t> broadcast_strides(const Shape& input, const Shape& output);

// A region of `dims` walked row-major, with one stride vector per operand.
struct StridedShape {
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> strides;  // [operand][axis]
};

// Drops size-1 axes and merges neighbouring axes that are contiguous in every operand
// (stride[i] == stride[i + 1] * dims[i + 1]); the elements visited and their order stay the same.
StridedShape coalesce(StridedShape shape);

}  // namespace heed
