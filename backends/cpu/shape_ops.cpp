// Shape ops that move bytes: Permute and Slice as oneDNN reorders from a strided view of the
// input, Concat as copies of contiguous pieces, Broadcast as a strided loop (oneDNN descriptors
// cannot have zero strides). Reshape needs no kernel: the plan aliases its bytes.
#include "dnnl_support.hpp"
#include "parallel.hpp"

#include <cstring>

namespace heed::cpu {

namespace {

class CopyKernel final : public Kernel {
 public:
  CopyKernel(const std::byte* source, std::byte* destination, int64_t bytes) : source_(source), destination_(destination), bytes_(bytes) {}
  void run() override {
    if (source_ == destination_) return;
    parallel_ranges(bytes_, 1 << 20, [&](int64_t begin, int64_t end) {
      std::memcpy(destination_ + begin, source_ + begin, static_cast<size_t>(end - begin));
    });
  }

 private:
  const std::byte* source_;
  std::byte* destination_;
  int64_t bytes_;
};

class ZeroKernel final : public Kernel {
 public:
  ZeroKernel(std::byte* destination, int64_t bytes) : destination_(destination), bytes_(bytes) {}
  void run() override { std::memset(destination_, 0, static_cast<size_t>(bytes_)); }

 private:
  std::byte* destination_;
  int64_t bytes_;
};

class MoveKernel final : public Kernel {
 public:
  MoveKernel(const std::byte* source, std::byte* destination, int64_t bytes) : source_(source), destination_(destination), bytes_(bytes) {}
  void run() override { std::memmove(destination_, source_, static_cast<size_t>(bytes_)); }

 private:
  const std::byte* source_;
  std::byte* destination_;
  int64_t bytes_;
};

class SequenceKernel final : public Kernel {
 public:
  explicit SequenceKernel(std::vector<std::unique_ptr<Kernel>> kernels) : kernels_(std::move(kernels)) {}
  void run() override {
    for (const std::unique_ptr<Kernel>& kernel : kernels_) kernel->run();
  }

 private:
  std::vector<std::unique_ptr<Kernel>> kernels_;
};

// Both dtypes are 4-byte words, so one loop copies either.
class StridedCopyKernel final : public Kernel {
 public:
  StridedCopyKernel(const uint32_t* source, uint32_t* destination, StridedLoop<1> loop) : source_(source), destination_(destination), loop_(loop) {}

  void run() override {
    run_strided_loop(loop_, elementwise_grain,
                     [&](int64_t position, const std::array<int64_t, 1>& offsets, const std::array<int64_t, 1>& strides, int64_t length) {
                       const uint32_t* in = source_ + offsets[0];
                       uint32_t* out = destination_ + position;
                       if (strides[0] == 1) std::memcpy(out, in, static_cast<size_t>(length) * 4);
                       else if (strides[0] == 0) std::fill(out, out + length, in[0]);
                       else
                         for (int64_t j = 0; j < length; ++j) out[j] = in[j * strides[0]];
                     });
  }

 private:
  const uint32_t* source_;
  uint32_t* destination_;
  StridedLoop<1> loop_;
};

// Copies a strided view of a source into the dense output of `node`: a oneDNN reorder where the
// walk fits oneDNN's rank limit, else the strided loop.
std::unique_ptr<Kernel> strided_copy(const CompileContext& context, NodeRef node, const std::byte* source, const std::vector<int64_t>& strides) {
  if (element_count(node.node.shape) == 0) return nullptr;
  StridedLoop<1> loop = make_strided_loop<1>(node.node.shape, {strides}, describe_node(context.graph(), node.node));
  std::byte* destination = context.address(node.id);
  if (loop.rank == 1 && loop.strides[0][0] == 1) return copy_kernel(source, destination, loop.count * 4);
  if (loop.rank <= DNNL_MAX_NDIMS) {
    dnnl::memory::dims dims(loop.dims.begin(), loop.dims.begin() + loop.rank);
    dnnl::memory::dims source_strides(loop.strides[0].begin(), loop.strides[0].begin() + loop.rank);
    dnnl::memory::desc source_desc = strided_desc(dims, node.node.dtype, source_strides);
    dnnl::memory::desc destination_desc = dense_desc(Shape(dims.begin(), dims.end()), node.node.dtype);
    dnnl::reorder::primitive_desc descriptor(context.engine(), source_desc, context.engine(), destination_desc, primitive_attributes());
    return primitive_kernel<dnnl::reorder>(context, descriptor,
                                           {{DNNL_ARG_FROM, wrap(context, source_desc, const_cast<std::byte*>(source))},
                                            {DNNL_ARG_TO, wrap(context, destination_desc, destination)}});
  }
  return std::make_unique<StridedCopyKernel>(reinterpret_cast<const uint32_t*>(source), reinterpret_cast<uint32_t*>(destination), loop);
}

// A dense concat along an axis is, in memory, a sequence of rows each made of one contiguous
// piece per part ([outer, width_i * inner] pieces joined along their second axis). The copy is
// split by output position, so that a concat along the first axis, one row of big pieces, is
// spread over every thread too (oneDNN 2.6's simple concat splits by rows and ran on one).
class ConcatKernel final : public Kernel {
 public:
  ConcatKernel(std::vector<const std::byte*> parts, std::vector<int64_t> widths, std::byte* output, int64_t rows)
      : parts_(std::move(parts)), widths_(std::move(widths)), output_(output), rows_(rows) {
    for (int64_t width : widths_) row_bytes_ += width;
  }

  void run() override {
    parallel_ranges(rows_ * row_bytes_, 1 << 18, [&](int64_t begin, int64_t end) {
      int64_t row = begin / row_bytes_, within = begin % row_bytes_;
      size_t part = 0;
      while (within >= widths_[part]) within -= widths_[part++];
      for (int64_t position = begin; position < end;) {
        int64_t length = std::min(widths_[part] - within, end - position);
        std::memcpy(output_ + position, parts_[part] + row * widths_[part] + within, static_cast<size_t>(length));
        position += length;
        within = 0;
        if (++part == parts_.size()) {
          part = 0;
          ++row;
        }
      }
    });
  }

 private:
  std::vector<const std::byte*> parts_;
  std::vector<int64_t> widths_;  // bytes of each part per row; none is zero
  std::byte* output_;
  int64_t rows_, row_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Kernel> copy_kernel(const std::byte* source, std::byte* destination, int64_t bytes) {
  return std::make_unique<CopyKernel>(source, destination, bytes);
}

std::unique_ptr<Kernel> move_kernel(const std::byte* source, std::byte* destination, int64_t bytes) {
  return std::make_unique<MoveKernel>(source, destination, bytes);
}

std::unique_ptr<Kernel> sequence_kernel(std::vector<std::unique_ptr<Kernel>> kernels) { return std::make_unique<SequenceKernel>(std::move(kernels)); }

std::unique_ptr<Kernel> zero_kernel(std::byte* destination, int64_t bytes) { return std::make_unique<ZeroKernel>(destination, bytes); }

std::unique_ptr<Kernel> make_permute(const CompileContext& context, NodeRef node) {
  std::vector<int64_t> input_strides = dense_strides(context.input(node.node, 0).shape), strides;
  for (int64_t axis : node.node.attrs.axes) strides.push_back(input_strides.at(static_cast<size_t>(axis)));
  return strided_copy(context, node, context.input_address(node.node, 0), strides);
}

std::unique_ptr<Kernel> make_slice(const CompileContext& context, NodeRef node) {
  std::vector<int64_t> strides = dense_strides(context.input(node.node, 0).shape);
  int64_t start = node.node.attrs.begin * strides.at(static_cast<size_t>(node.node.attrs.axis));
  return strided_copy(context, node, context.input_address(node.node, 0) + start * 4, strides);
}

std::unique_ptr<Kernel> make_broadcast(const CompileContext& context, NodeRef node) {
  if (element_count(node.node.shape) == 0) return nullptr;
  const Node& input = context.input(node.node, 0);
  StridedLoop<1> loop = make_strided_loop<1>(node.node.shape, {broadcast_strides(input.shape, node.node.shape)}, describe_node(context.graph(), node.node));
  return std::make_unique<StridedCopyKernel>(reinterpret_cast<const uint32_t*>(context.input_address(node.node, 0)),
                                             reinterpret_cast<uint32_t*>(context.address(node.id)), loop);
}


std::unique_ptr<Kernel> make_concat(const CompileContext& context, NodeRef node) {
  const Shape& shape = node.node.shape;
  if (element_count(shape) == 0) return nullptr;
  auto axis = static_cast<size_t>(node.node.attrs.axis);
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < axis; ++i) outer *= shape[i];
  for (size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
  std::vector<const std::byte*> parts;
  std::vector<int64_t> widths;
  for (size_t i = 0; i < node.node.inputs.size(); ++i) {
    int64_t width = context.input(node.node, i).shape[axis] * inner * 4;
    if (width == 0) continue;  // an empty part adds nothing
    parts.push_back(context.input_address(node.node, i));
    widths.push_back(width);
  }
  return std::make_unique<ConcatKernel>(std::move(parts), std::move(widths), context.address(node.id), outer);
}

}  // namespace heed::cpu
