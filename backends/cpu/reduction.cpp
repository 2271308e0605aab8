// Sum, Max and Argmax over axes. oneDNN 2.6 has a reduction primitive, but for the layouts
// training produces (a bias gradient sums [tokens, features] over tokens) it picks its reference
// implementation, which walks the input with a stride per output element and ran 30x slower than
// memory bandwidth allows. So a reduction is a primitive only where oneDNN offers an optimised
// implementation, and otherwise one of two loops: reduced axes outside a kept innermost axis add
// whole rows into a vector of accumulators; a reduced innermost axis sums contiguous runs.
// Sums accumulate in double and in a fixed order, so results do not depend on the thread count.
#include "dnnl_support.hpp"
#include "isa_clones.hpp"
#include "parallel.hpp"

#include <algorithm>
#include <limits>
#include <string_view>

namespace heed::cpu {

namespace {

enum class Reduce { Sum, Max };

// A set of axes walked in row-major order (an odometer over their dims and strides).
struct Axes {
  int count = 0;
  std::array<int64_t, max_loop_rank> dims{}, strides{};
  int64_t size() const {
    int64_t total = 1;
    for (int i = 0; i < count; ++i) total *= dims[static_cast<size_t>(i)];
    return total;
  }
  void push(int64_t dim, int64_t stride) {
    dims[static_cast<size_t>(count)] = dim;
    strides[static_cast<size_t>(count)] = stride;
    ++count;
  }
  // Offset of the index-th element in row-major order.
  int64_t offset(int64_t index) const {
    int64_t offset = 0;
    for (int i = count - 1; i >= 0; --i) {
      auto a = static_cast<size_t>(i);
      offset += index % dims[a] * strides[a];
      index /= dims[a];
    }
    return offset;
  }
};

template <typename Body>
void for_each_offset(const Axes& axes, const Body& body) {
  std::array<int64_t, max_loop_rank> index{};
  int64_t offset = 0;
  while (true) {
    body(offset);
    int axis = axes.count - 1;
    for (; axis >= 0; --axis) {
      auto a = static_cast<size_t>(axis);
      offset += axes.strides[a];
      if (++index[a] < axes.dims[a]) break;
      offset -= axes.strides[a] * axes.dims[a];
      index[a] = 0;
    }
    if (axis < 0) return;
  }
}

// Sum of a contiguous run: 16 float lanes the compiler keeps in one vector register, folded
// into a double every block so that long runs keep their precision.
double run_sum(const float* x, int64_t length) {
  constexpr int64_t lanes = 16, block = 1024;
  double total = 0;
  for (int64_t start = 0; start < length; start += block) {
    int64_t end = std::min(length, start + block), i = start;
    std::array<float, lanes> partial{};
    for (; i + lanes <= end; i += lanes)
      for (int64_t l = 0; l < lanes; ++l) partial[static_cast<size_t>(l)] += x[i + l];
    double block_total = 0;
    for (float p : partial) block_total += p;
    for (; i < end; ++i) block_total += x[i];
    total += block_total;
  }
  return total;
}

float run_max(const float* x, int64_t length) {
  float best = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < length; ++i) best = std::max(best, x[i]);
  return best;
}

// total[j] += x[j]: built for AVX-512 and AVX2 too, where eight or four doubles add at once
// (a bias gradient sums [tokens, features] this way, 2048 x 512 in seq2seq).
HEED_ISA_CLONES void accumulate(double* __restrict total, const float* __restrict x,
                                                                                               int64_t count) {
  for (int64_t j = 0; j < count; ++j) total[j] += x[j];
}

class RowsReductionKernel final : public Kernel {
 public:
  // Reduced axes outside a kept innermost axis of `width` elements: each output row is the
  // sum (or max) of the input rows at the reduced offsets from its base.
  RowsReductionKernel(Reduce reduce, const float* input, float* output, Axes kept, Axes reduced, int64_t width)
      : reduce_(reduce), input_(input), output_(output), kept_(kept), reduced_(reduced), width_(width) {}

  void run() override {
    const int64_t chunks = (width_ + chunk - 1) / chunk, rows = kept_.size();
    parallel_ranges(rows * chunks, std::max<int64_t>(1, 65536 / std::max<int64_t>(reduced_.size() * chunk, 1)), [&](int64_t begin, int64_t end) {
      for (int64_t task = begin; task < end; ++task) {
        int64_t row = task / chunks, first = task % chunks * chunk, count = std::min(chunk, width_ - first);
        const float* base = input_ + kept_.offset(row) + first;
        float* out = output_ + row * width_ + first;
        if (reduce_ == Reduce::Sum) {
          std::array<double, chunk> total{};
          for_each_offset(reduced_, [&](int64_t offset) { accumulate(total.data(), base + offset, count); });
          for (int64_t j = 0; j < count; ++j) out[j] = static_cast<float>(total[static_cast<size_t>(j)]);
        } else {
          std::array<float, chunk> best;
          best.fill(-std::numeric_limits<float>::infinity());
          for_each_offset(reduced_, [&](int64_t offset) {
            const float* x = base + offset;
            for (int64_t j = 0; j < count; ++j) best[static_cast<size_t>(j)] = std::max(best[static_cast<size_t>(j)], x[j]);
          });
          std::copy(best.begin(), best.begin() + count, out);
        }
      }
    });
  }

 private:
  static constexpr int64_t chunk = 256;  // columns per task: enough tasks when there is one row
  Reduce reduce_;
  const float* input_;
  float* output_;
  Axes kept_, reduced_;
  int64_t width_;
};

// A sum of many rows into one (a bias gradient: [tokens, features] over tokens). Split by
// columns alone, [4096, 128] would run on one thread; so the rows are cut into blocks of a fixed
// size, each block summed into its own partial in double, and the partials added in block order:
// the same additions in the same order whatever the thread count.
class ColumnSumKernel final : public Kernel {
 public:
  ColumnSumKernel(const float* input, float* output, Axes reduced, int64_t width)
      : input_(input), output_(output), reduced_(reduced), width_(width), blocks_((reduced.size() + block_rows - 1) / block_rows),
        partials_(blocks_ * width * static_cast<int64_t>(sizeof(double))) {}

  void run() override {
    auto* partials = reinterpret_cast<double*>(partials_.data());
    const int64_t rows = reduced_.size(), chunks = (width_ + chunk - 1) / chunk;
    parallel_ranges(blocks_ * chunks, 1, [&](int64_t begin, int64_t end) {
      for (int64_t task = begin; task < end; ++task) {
        const int64_t block = task / chunks, first = task % chunks * chunk, count = std::min(chunk, width_ - first);
        double* total = partials + block * width_ + first;
        std::fill(total, total + count, 0.0);
        for (int64_t row = block * block_rows; row < std::min(rows, (block + 1) * block_rows); ++row)
          accumulate(total, input_ + reduced_.offset(row) + first, count);
      }
    });
    parallel_ranges(width_, 64, [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j) {
        double total = 0;
        for (int64_t block = 0; block < blocks_; ++block) total += partials[block * width_ + j];
        output_[j] = static_cast<float>(total);
      }
    });
  }

  static constexpr int64_t block_rows = 256;

 private:
  static constexpr int64_t chunk = 512;  // columns per task
  const float* input_;
  float* output_;
  Axes reduced_;
  int64_t width_, blocks_;
  AlignedBuffer partials_;  // [blocks][width] doubles
};

class RunsReductionKernel final : public Kernel {
 public:
  // A reduced innermost axis of `length` elements: each output element reduces contiguous runs
  // at the offsets of the other reduced axes.
  RunsReductionKernel(Reduce reduce, const float* input, float* output, Axes kept, Axes reduced, int64_t length)
      : reduce_(reduce), input_(input), output_(output), kept_(kept), reduced_(reduced), length_(length) {}

  void run() override {
    const int64_t outputs = kept_.size(), per_output = reduced_.size() * length_;
    parallel_ranges(outputs, std::max<int64_t>(1, 65536 / std::max<int64_t>(per_output, 1)), [&](int64_t begin, int64_t end) {
      for (int64_t item = begin; item < end; ++item) {
        const float* base = input_ + kept_.offset(item);
        if (reduce_ == Reduce::Sum) {
          double total = 0;
          for_each_offset(reduced_, [&](int64_t offset) { total += run_sum(base + offset, length_); });
          output_[item] = static_cast<float>(total);
        } else {
          float best = -std::numeric_limits<float>::infinity();
          for_each_offset(reduced_, [&](int64_t offset) { best = std::max(best, run_max(base + offset, length_)); });
          output_[item] = best;
        }
      }
    });
  }

 private:
  Reduce reduce_;
  const float* input_;
  float* output_;
  Axes kept_, reduced_;
  int64_t length_;
};

class ArgmaxKernel final : public Kernel {
 public:
  ArgmaxKernel(const float* input, int32_t* output, int64_t outer, int64_t length, int64_t inner)
      : input_(input), output_(output), outer_(outer), length_(length), inner_(inner) {}

  void run() override {
    parallel_ranges(outer_ * inner_, std::max<int64_t>(1, 16384 / std::max<int64_t>(length_, 1)), [&](int64_t begin, int64_t end) {
      for (int64_t item = begin; item < end; ++item) {
        const float* x = input_ + (item / inner_) * length_ * inner_ + item % inner_;
        int64_t best = 0;
        float best_value = x[0];
        for (int64_t i = 1; i < length_; ++i)
          if (x[i * inner_] > best_value) {  // strictly greater: the first maximum wins ties
            best_value = x[i * inner_];
            best = i;
          }
        output_[item] = static_cast<int32_t>(best);
      }
    });
  }

 private:
  const float* input_;
  int32_t* output_;
  int64_t outer_, length_, inner_;
};

}  // namespace

std::unique_ptr<Kernel> make_reduction(const CompileContext& context, NodeRef node) {
  const Node& input = context.input(node.node, 0);
  int64_t output_count = element_count(node.node.shape);
  if (output_count == 0) return nullptr;
  // A sum over an empty axis is 0 everywhere (the builder refuses max over one).
  if (element_count(input.shape) == 0) return zero_kernel(context.address(node.id), output_count * 4);

  // Size-1 axes go, and neighbours that are both reduced or both kept merge.
  std::vector<int64_t> dims;
  std::vector<bool> reduced_axis;
  for (size_t axis = 0; axis < input.shape.size(); ++axis) {
    int64_t dim = input.shape[axis];
    if (dim == 1) continue;
    bool reduced = std::binary_search(node.node.attrs.axes.begin(), node.node.attrs.axes.end(), static_cast<int64_t>(axis));
    if (!dims.empty() && reduced == reduced_axis.back()) {
      dims.back() *= dim;
    } else {
      dims.push_back(dim);
      reduced_axis.push_back(reduced);
    }
  }
  if (std::find(reduced_axis.begin(), reduced_axis.end(), true) == reduced_axis.end())
    return copy_kernel(context.input_address(node.node, 0), context.address(node.id), output_count * 4);
  if (dims.size() > static_cast<size_t>(max_loop_rank))
    fail("cpu backend: {} reduces over more than {} separate axes", describe_node(context.graph(), node.node), max_loop_rank);

  const auto* source = reinterpret_cast<const float*>(context.input_address(node.node, 0));
  auto* output = reinterpret_cast<float*>(context.address(node.id));
  Reduce reduce = node.node.op == Op::Sum ? Reduce::Sum : Reduce::Max;

  // oneDNN first, where it has an optimised implementation for this layout.
  if (dims.size() <= static_cast<size_t>(DNNL_MAX_NDIMS)) {
    dnnl::memory::dims destination;
    for (size_t axis = 0; axis < dims.size(); ++axis) destination.push_back(reduced_axis[axis] ? 1 : dims[axis]);
    dnnl::memory::desc source_desc = dense_desc(dims, f32), destination_desc = dense_desc(Shape(destination.begin(), destination.end()), f32);
    dnnl::algorithm algorithm = reduce == Reduce::Sum ? dnnl::algorithm::reduction_sum : dnnl::algorithm::reduction_max;
    dnnl::reduction::primitive_desc descriptor({algorithm, source_desc, destination_desc, 0.0f, 0.0f}, primitive_attributes(), context.engine());
    if (!std::string_view(descriptor.impl_info_str()).starts_with("ref"))
      return primitive_kernel<dnnl::reduction>(context, descriptor,
                                               {{DNNL_ARG_SRC, wrap(context, source_desc, const_cast<float*>(source))},
                                                {DNNL_ARG_DST, wrap(context, destination_desc, output)}});
  }

  std::vector<int64_t> strides = dense_strides(dims);
  Axes kept, reduced;
  const size_t last = dims.size() - 1;
  for (size_t axis = 0; axis < last; ++axis) (reduced_axis[axis] ? reduced : kept).push(dims[axis], strides[axis]);
  if (reduced_axis[last]) return std::make_unique<RunsReductionKernel>(reduce, source, output, kept, reduced, dims[last]);
  if (reduce == Reduce::Sum && kept.count == 0 && reduced.size() >= 2 * ColumnSumKernel::block_rows)
    return std::make_unique<ColumnSumKernel>(source, output, reduced, dims[last]);
  return std::make_unique<RowsReductionKernel>(reduce, source, output, kept, reduced, dims[last]);
}

std::unique_ptr<Kernel> make_argmax(const CompileContext& context, NodeRef node) {
  const Shape& shape = context.input(node.node, 0).shape;
  auto axis = static_cast<size_t>(node.node.attrs.axis);
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < axis; ++i) outer *= shape[i];
  for (size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
  if (outer * inner == 0) return nullptr;
  return std::make_unique<ArgmaxKernel>(reinterpret_cast<const float*>(context.input_address(node.node, 0)),
                                        reinterpret_cast<int32_t*>(context.address(node.id)), outer, shape[axis], inner);
}

}  // namespace heed::cpu
