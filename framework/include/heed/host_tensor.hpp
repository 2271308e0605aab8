#pragma once
// A tensor's values on the host: what the user feeds in, reads back, or stores in a checkpoint.
#include <heed/half_precision.hpp>
#include <heed/shape.hpp>

#include <cstring>
#include <span>

namespace heed {

class HostTensor {
 public:
  HostTensor() = default;
  HostTensor(DType dtype, Shape shape);  // zero-filled
  HostTensor(Shape shape, std::vector<float> values);
  HostTensor(Shape shape, std::vector<int32_t> values);
  HostTensor(Shape shape, std::vector<bfloat16> values);
  HostTensor(Shape shape, std::vector<float16> values);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t size() const { return element_count(shape_); }
  int64_t bytes() const { return size() * dtype_size(dtype_); }

  // Views of the values; throw if the dtype differs. Not callable on a temporary (such as
  // program.read(x).f32()), whose view would dangle: keep the HostTensor in a variable first.
  std::span<float> f32() &;
  std::span<const float> f32() const&;
  std::span<int32_t> i32() &;
  std::span<const int32_t> i32() const&;
  std::span<bfloat16> bf16() &;
  std::span<const bfloat16> bf16() const&;
  std::span<float16> f16() &;
  std::span<const float16> f16() const&;
  void f32() && = delete;
  void i32() && = delete;
  void bf16() && = delete;
  void f16() && = delete;
  void* data() { return words_.data(); }
  const void* data() const { return words_.data(); }

  float item() const;  // the single value of a one-element tensor, as a float

  // Every value as a float (exact for bf16 and f16; i32 rounded above 2^24), whatever the dtype.
  std::vector<float> to_floats() const;

 private:
  DType dtype_ = DType::f32;
  Shape shape_;
  std::vector<uint32_t> words_;  // the bytes of the values, kept 4-byte aligned for f32 and i32
};

// A read-only view of host data fed to a program; converts from the usual containers.
struct HostView {
  DType dtype = DType::f32;
  const void* data = nullptr;
  int64_t size = 0;

  HostView() = default;
  HostView(std::span<const float> values) : dtype(DType::f32), data(values.data()), size(static_cast<int64_t>(values.size())) {}
  HostView(std::span<const int32_t> values) : dtype(DType::i32), data(values.data()), size(static_cast<int64_t>(values.size())) {}
  HostView(const std::vector<float>& values) : HostView(std::span<const float>(values)) {}
  HostView(std::span<const bfloat16> values) : dtype(DType::bf16), data(values.data()), size(static_cast<int64_t>(values.size())) {}
  HostView(std::span<const float16> values) : dtype(DType::f16), data(values.data()), size(static_cast<int64_t>(values.size())) {}
  HostView(const std::vector<int32_t>& values) : HostView(std::span<const int32_t>(values)) {}
  HostView(const std::vector<bfloat16>& values) : HostView(std::span<const bfloat16>(values)) {}
  HostView(const std::vector<float16>& values) : HostView(std::span<const float16>(values)) {}
  HostView(const HostTensor& tensor) : dtype(tensor.dtype()), data(tensor.data()), size(tensor.size()) {}
};

}  // namespace heed
