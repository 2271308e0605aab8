#include "dnnl_support.hpp"

#include "parallel.hpp"

#include <optional>

#include <fmt/ranges.h>

namespace heed::cpu {

dnnl::memory Scratchpad::bind(const dnnl::engine& engine, const dnnl::memory::desc& desc) {
  dnnl::memory memory(desc, engine, DNNL_MEMORY_NONE);
  bytes_ = std::max<int64_t>(bytes_, static_cast<int64_t>(desc.get_size()));
  users_.push_back(memory);
  return memory;
}

void Scratchpad::allocate() {
  buffer_ = AlignedBuffer(bytes_);
  for (dnnl::memory& memory : users_) memory.set_data_handle(buffer_.data());
}

std::byte* CompileContext::address(NodeId id) const {
  std::byte* data = buffers_.address(id);
  if (!data) fail("cpu backend: the plan gives {} no storage, but a scheduled node reads it", describe(Tensor{const_cast<Graph*>(&graph_), id}));
  return data;
}

dnnl::memory::data_type dnnl_type(DType dtype) {
  switch (dtype) {
    case DType::f32: return dnnl::memory::data_type::f32;
    case DType::i32: return dnnl::memory::data_type::s32;
    case DType::bf16: return dnnl::memory::data_type::bf16;
    case DType::f16: return dnnl::memory::data_type::f16;
  }
  fail("cpu backend: no oneDNN type for dtype {}", static_cast<int>(dtype));
}

void require_bf16_products(std::string_view what) {
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa()), bf16_isa = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_bf16);
  if ((isa & bf16_isa) != bf16_isa)
    fail("cpu backend: {} takes bf16 operands, but this CPU has neither AMX nor AVX-512 BF16 instructions (oneDNN's ISA mask {:#x}), "
         "and heed does not emulate them; keep the graph in f32 (drop --precision bf16)",
         what, isa);
}

dnnl::memory::dims dnnl_dims(const Shape& shape) {
  if (shape.empty()) return {1};
  return {shape.begin(), shape.end()};
}

dnnl::memory::desc dense_desc(const Shape& shape, DType dtype) {
  dnnl::memory::dims dims = dnnl_dims(shape);
  std::vector<int64_t> strides = dense_strides(Shape(dims.begin(), dims.end()));
  return {dims, dnnl_type(dtype), dnnl::memory::dims(strides.begin(), strides.end())};
}

dnnl::memory::desc strided_desc(const dnnl::memory::dims& dims, DType dtype, const dnnl::memory::dims& strides) {
  return {dims, dnnl_type(dtype), strides};
}

dnnl::primitive_attr primitive_attributes() {
  dnnl::primitive_attr attributes;
  attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attributes;
}

dnnl::memory wrap(const CompileContext& context, const dnnl::memory::desc& desc, void* data) { return {desc, context.engine(), data}; }

PrimitiveKernel::PrimitiveKernel(const CompileContext& context, dnnl::primitive primitive, const dnnl::memory::desc& scratchpad,
                                 std::vector<std::pair<int, dnnl::memory>> arguments, Threads threads)
    : primitive_(std::move(primitive)), stream_(context.stream()) {
  alone_ = threads == Threads::One;
  if (threads == Threads::Auto)
    for (const auto& [argument, memory] : arguments)
      if (argument == DNNL_ARG_DST || argument == DNNL_ARG_DIFF_SRC)
        alone_ = static_cast<int64_t>(memory.get_desc().get_size()) / 4 < parallel_threshold;
  if (scratchpad.get_size() > 0) arguments.emplace_back(DNNL_ARG_SCRATCHPAD, context.scratchpad().bind(context.engine(), scratchpad));
  for (auto& [argument, memory] : arguments) {
    arguments_.push_back({argument, memory.get()});
    memories_.push_back(std::move(memory));
  }
}

void PrimitiveKernel::run() {
  std::optional<ThreadCount> scope;
  if (alone_) scope.emplace(1);
  dnnl_status_t status = dnnl_primitive_execute(primitive_.get(), stream_.get(), static_cast<int>(arguments_.size()), arguments_.data());
  if (status != dnnl_success) fail("cpu backend: a oneDNN primitive failed to run (status {})", static_cast<int>(status));
}

}  // namespace heed::cpu
