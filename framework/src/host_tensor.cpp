#include <heed/error.hpp>
#include <heed/host_tensor.hpp>

#include <bit>

namespace heed {

HostTensor::HostTensor(DType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)), words_(static_cast<size_t>(element_count(shape_)), 0u) {}

HostTensor::HostTensor(Shape shape, std::vector<float> values) : HostTensor(DType::f32, std::move(shape)) {
  if (static_cast<int64_t>(values.size()) != size())
    fail("HostTensor: {} values given for shape {}", values.size(), shape_string(shape_));
  std::memcpy(words_.data(), values.data(), values.size() * 4);
}

HostTensor::HostTensor(Shape shape, std::vector<int32_t> values) : HostTensor(DType::i32, std::move(shape)) {
  if (static_cast<int64_t>(values.size()) != size())
    fail("HostTensor: {} values given for shape {}", values.size(), shape_string(shape_));
  std::memcpy(words_.data(), values.data(), values.size() * 4);
}

std::span<float> HostTensor::f32() & {
  if (dtype_ != DType::f32) fail("HostTensor: asked for f32 values of an {} tensor {}", dtype_name(dtype_), shape_string(shape_));
  return {reinterpret_cast<float*>(words_.data()), words_.size()};
}
std::span<const float> HostTensor::f32() const& { return const_cast<HostTensor&>(*this).f32(); }

std::span<int32_t> HostTensor::i32() & {
  if (dtype_ != DType::i32) fail("HostTensor: asked for i32 values of an {} tensor {}", dtype_name(dtype_), shape_string(shape_));
  return {reinterpret_cast<int32_t*>(words_.data()), words_.size()};
}
std::span<const int32_t> HostTensor::i32() const& { return const_cast<HostTensor&>(*this).i32(); }

float HostTensor::item() const {
  if (size() != 1) fail("HostTensor::item: the tensor has shape {}, not one element", shape_string(shape_));
  return dtype_ == DType::f32 ? f32()[0] : static_cast<float>(i32()[0]);
}

}  // namespace heed
