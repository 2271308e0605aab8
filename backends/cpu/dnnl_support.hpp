#pragma once
// Glue between heed values and oneDNN: memory descriptors for dense and strided tensors, and a
// Kernel that runs one primitive with arguments bound at compile time.
#include "kernel.hpp"
#include "rows.hpp"

#include <dnnl.h>

#include <utility>
#include <vector>

namespace heed::cpu {

dnnl::memory::data_type dnnl_type(DType dtype);

// Fails, naming `what`, unless the CPU multiplies bf16 natively (AVX-512 BF16 or AMX): oneDNN
// would otherwise emulate it, slower than f32.
void require_bf16_products(std::string_view what);
dnnl::memory::dims dnnl_dims(const Shape& shape);  // a scalar becomes [1]: oneDNN has no rank 0
dnnl::memory::desc dense_desc(const Shape& shape, DType dtype);
dnnl::memory::desc strided_desc(const dnnl::memory::dims& dims, DType dtype, const dnnl::memory::dims& strides);

// Every primitive is created with a user scratchpad (Scratchpad in kernel.hpp), so that oneDNN
// allocates nothing while it runs.
dnnl::primitive_attr primitive_attributes();

dnnl::memory wrap(const CompileContext& context, const dnnl::memory::desc& desc, void* data);

// How many threads a primitive runs on: Auto is one for a small output (parallel_threshold in
// parallel.hpp), else the program's count. A primitive that plans its split over threads when it
// is created (matmul) must have been created with the count it will run with.
enum class Threads { Auto, All, One };

// Runs one primitive through the C API with an argument array built once: the C++ execute()
// builds a hash map on every call.
class PrimitiveKernel final : public Kernel {
 public:
  PrimitiveKernel(const CompileContext& context, dnnl::primitive primitive, const dnnl::memory::desc& scratchpad,
                  std::vector<std::pair<int, dnnl::memory>> arguments, Threads threads);
  void run() override;

 private:
  bool alone_ = false;
  dnnl::primitive primitive_;
  dnnl::stream stream_;
  std::vector<dnnl::memory> memories_;  // keeps the handles in arguments_ alive
  std::vector<dnnl_exec_arg_t> arguments_;
};

template <typename Primitive>
std::unique_ptr<Kernel> primitive_kernel(const CompileContext& context, const typename Primitive::primitive_desc& descriptor,
                                         std::vector<std::pair<int, dnnl::memory>> arguments, Threads threads = Threads::Auto) {
  return std::make_unique<PrimitiveKernel>(context, Primitive(descriptor), descriptor.scratchpad_desc(), std::move(arguments), threads);
}

// Softmax or log-softmax of each row of a [rows, width] source (nn_ops.cpp).
std::unique_ptr<Kernel> softmax_primitive(const CompileContext& context, bool logarithmic, Rows rows, const std::byte* source,
                                          std::byte* destination);

}  // namespace heed::cpu
