#include <heed/error.hpp>
#include <heed/host_tensor.hpp>

namespace heed {

namespace {

size_t words_for(DType dtype, const Shape& shape) { return static_cast<size_t>((element_count(shape) * dtype_size(dtype) + 3) / 4); }

template <typename Value>
void fill(HostTensor& tensor, const std::vector<Value>& values) {
  if (static_cast<int64_t>(values.size()) != tensor.size())
    fail("HostTensor: {} values given for shape {}", values.size(), shape_string(tensor.shape()));
  std::memcpy(tensor.data(), values.data(), values.size() * sizeof(Value));
}

}  // namespace

HostTensor::HostTensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)), words_(words_for(dtype_, shape_), 0u) {}

HostTensor::HostTensor(Shape shape, std::vector<float> values) : HostTensor(DType::f32, std::move(shape)) { fill(*this, values); }
HostTensor::HostTensor(Shape shape, std::vector<int32_t> values) : HostTensor(DType::i32, std::move(shape)) { fill(*this, values); }
HostTensor::HostTensor(Shape shape, std::vector<bfloat16> values) : HostTensor(DType::bf16, std::move(shape)) { fill(*this, values); }
HostTensor::HostTensor(Shape shape, std::vector<float16> values) : HostTensor(DType::f16, std::move(shape)) { fill(*this, values); }

namespace {

template <typename Value>
std::span<Value> view(HostTensor& tensor, DType dtype, void* data) {
  if (tensor.dtype() != dtype)
    fail("HostTensor: asked for {} values of a {} tensor {}", dtype_name(dtype), dtype_name(tensor.dtype()), shape_string(tensor.shape()));
  return {static_cast<Value*>(data), static_cast<size_t>(tensor.size())};
}

}  // namespace

std::span<float> HostTensor::f32() & { return view<float>(*this, DType::f32, data()); }
std::span<const float> HostTensor::f32() const& { return const_cast<HostTensor&>(*this).f32(); }
std::span<int32_t> HostTensor::i32() & { return view<int32_t>(*this, DType::i32, data()); }
std::span<const int32_t> HostTensor::i32() const& { return const_cast<HostTensor&>(*this).i32(); }
std::span<bfloat16> HostTensor::bf16() & { return view<bfloat16>(*this, DType::bf16, data()); }
std::span<const bfloat16> HostTensor::bf16() const& { return const_cast<HostTensor&>(*this).bf16(); }
std::span<float16> HostTensor::f16() & { return view<float16>(*this, DType::f16, data()); }
std::span<const float16> HostTensor::f16() const& { return const_cast<HostTensor&>(*this).f16(); }

std::vector<float> HostTensor::to_floats() const {
  std::vector<float> values;
  values.reserve(static_cast<size_t>(size()));
  switch (dtype_) {
    case DType::f32: values.assign(f32().begin(), f32().end()); break;
    case DType::i32: for (int32_t value : i32()) values.push_back(static_cast<float>(value)); break;
    case DType::bf16: for (bfloat16 value : bf16()) values.push_back(static_cast<float>(value)); break;
    case DType::f16: for (float16 value : f16()) values.push_back(static_cast<float>(value)); break;
  }
  return values;
}

float HostTensor::item() const {
  if (size() != 1) fail("HostTensor::item: the tensor has shape {}, not one element", shape_string(shape_));
  return to_floats()[0];
}

}  // namespace heed
