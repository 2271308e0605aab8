#include "pointwise_kernel.hpp"

#include "isa_clones.hpp"
#include "vector_math.hpp"

#include <algorithm>
#include <cstring>

namespace heed::cpu {

namespace {

// Elements per block: the chain's scratch (max_pointwise_slots blocks) stays within L1 and L2.
constexpr int64_t block = 256;

// One op over one block. Built for AVX-512, AVX2 + FMA and plain x86-64, chosen when the module
// loads, so that the loops are as wide as the machine while the module runs on any x86-64.
HEED_ISA_CLONES void apply(PointwiseOp op, int64_t n, const float* __restrict a,
                                                                                          const float* __restrict b, const float* __restrict c,
                                                                                          float* __restrict out) {
  switch (op) {
    case PointwiseOp::Copy: std::memcpy(out, a, static_cast<size_t>(n) * 4); break;
    case PointwiseOp::Neg:
      for (int64_t i = 0; i < n; ++i) out[i] = -a[i];
      break;
    case PointwiseOp::Exp:
      for (int64_t i = 0; i < n; ++i) out[i] = vector_math::exp(a[i]);
      break;
    case PointwiseOp::Sqrt:
      for (int64_t i = 0; i < n; ++i) out[i] = std::sqrt(a[i]);
      break;
    case PointwiseOp::Rsqrt:
      for (int64_t i = 0; i < n; ++i) out[i] = 1.0f / std::sqrt(a[i]);
      break;
    case PointwiseOp::Tanh:
      for (int64_t i = 0; i < n; ++i) out[i] = vector_math::tanh(a[i]);
      break;
    case PointwiseOp::Sigmoid:
      for (int64_t i = 0; i < n; ++i) out[i] = vector_math::sigmoid(a[i]);
      break;
    case PointwiseOp::Relu:
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] > 0.0f ? a[i] : 0.0f;
      break;
    case PointwiseOp::Add:
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
      break;
    case PointwiseOp::Sub:
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] - b[i];
      break;
    case PointwiseOp::Mul:
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] * b[i];
      break;
    case PointwiseOp::Div:
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] / b[i];
      break;
    case PointwiseOp::Equal:
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] == b[i] ? 1.0f : 0.0f;
      break;
    case PointwiseOp::NotEqual:
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] != b[i] ? 1.0f : 0.0f;
      break;
    case PointwiseOp::Less:
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] < b[i] ? 1.0f : 0.0f;
      break;
    case PointwiseOp::LessEqual:
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] <= b[i] ? 1.0f : 0.0f;
      break;
    case PointwiseOp::Greater:
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] > b[i] ? 1.0f : 0.0f;
      break;
    case PointwiseOp::GreaterEqual:
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] >= b[i] ? 1.0f : 0.0f;
      break;
    case PointwiseOp::Where:
      for (int64_t i = 0; i < n; ++i) out[i] = a[i] != 0.0f ? b[i] : c[i];
      break;
  }
}

// Calls body(offset, done, length) for the runs of elements [begin, begin + n) of a strided
// view in row-major order: `length` elements from position begin + done lie at offset, offset +
// stride, ... where stride is the view's innermost stride.
template <typename Body>
void strided_runs(const StridedLoop<1>& loop, int64_t begin, int64_t n, const Body& body) {
  const int last = loop.rank - 1;
  std::array<int64_t, max_loop_rank> index{};
  int64_t offset = 0, rest = begin;
  for (int axis = last; axis >= 0; --axis) {
    auto a = static_cast<size_t>(axis);
    index[a] = rest % loop.dims[a];
    rest /= loop.dims[a];
    offset += index[a] * loop.strides[0][a];
  }
  const auto l = static_cast<size_t>(last);
  const int64_t stride = loop.strides[0][l];
  for (int64_t done = 0; done < n;) {
    int64_t length = std::min(loop.dims[l] - index[l], n - done);
    body(offset, done, length);
    done += length;
    index[l] += length;
    offset += length * stride;
    for (size_t a = l; a > 0 && index[a] == loop.dims[a]; --a) {
      index[a] = 0;
      ++index[a - 1];
      offset += loop.strides[0][a - 1] - loop.dims[a] * loop.strides[0][a];
    }
  }
}

// Copies elements [begin, begin + n) of a strided view, in row-major order, to `out`.
void gather(const PointwiseLoad& load, int64_t begin, int64_t n, float* out) {
  const int64_t stride = load.loop.strides[0][static_cast<size_t>(load.loop.rank - 1)];
  strided_runs(load.loop, begin, n, [&](int64_t offset, int64_t done, int64_t length) {
    const float* in = load.base + offset;
    if (stride == 1) std::memcpy(out + done, in, static_cast<size_t>(length) * 4);
    else if (stride == 0) std::fill(out + done, out + done + length, in[0]);
    else
      for (int64_t j = 0; j < length; ++j) out[done + j] = in[j * stride];
  });
}

// The other way: elements [begin, begin + n) from `in` to their places in a strided view.
void scatter(const PointwiseStore& store, int64_t begin, int64_t n, const float* in) {
  const int64_t stride = store.loop.strides[0][static_cast<size_t>(store.loop.rank - 1)];
  strided_runs(store.loop, begin, n, [&](int64_t offset, int64_t done, int64_t length) {
    float* out = store.base + offset;
    if (stride == 1) std::memcpy(out, in + done, static_cast<size_t>(length) * 4);
    else
      for (int64_t j = 0; j < length; ++j) out[j * stride] = in[done + j];
  });
}

class PointwiseKernel final : public Kernel {
 public:
  PointwiseKernel(PointwiseProgram program, std::vector<std::unique_ptr<Kernel>> after)
      : program_(std::move(program)), after_(std::move(after)) {
    // A parallel region costs microseconds: split only when every thread gets enough work, the
    // chain's ops counted together.
    const auto work = static_cast<int64_t>(program_.instructions.size() + program_.loads.size());
    grain_ = std::max<int64_t>(block, 2 * elementwise_grain / std::max<int64_t>(work, 1));
  }

  void run() override {
    parallel_ranges(program_.count, grain_, [&](int64_t begin, int64_t end) {
      alignas(64) float scratch[max_pointwise_slots][block];
      for (const PointwiseConstant& constant : program_.constants) std::fill(scratch[constant.slot], scratch[constant.slot] + block, constant.value);
      auto pointer = [&](const PointwiseRef& ref, int64_t position) { return ref.memory ? ref.memory + position : scratch[ref.slot]; };
      for (int64_t position = begin; position < end; position += block) {
        const int64_t n = std::min(block, end - position);
        for (const PointwiseLoad& load : program_.loads) gather(load, position, n, pointer(load.into, position));
        for (const PointwiseInstruction& instruction : program_.instructions) {
          const float* inputs[3] = {nullptr, nullptr, nullptr};
          for (int k = 0; k < instruction.operands; ++k) inputs[k] = pointer(instruction.inputs[k], position);
          apply(instruction.op, n, inputs[0], inputs[1], inputs[2], pointer(instruction.output, position));
        }
        for (const PointwiseStore& store : program_.stores) scatter(store, position, n, pointer(store.from, position));
      }
    });
    for (const std::unique_ptr<Kernel>& kernel : after_) kernel->run();
  }

 private:
  PointwiseProgram program_;
  std::vector<std::unique_ptr<Kernel>> after_;
  int64_t grain_;
};

}  // namespace

std::unique_ptr<Kernel> pointwise_kernel(PointwiseProgram program, std::vector<std::unique_ptr<Kernel>> after) {
  return std::make_unique<PointwiseKernel>(std::move(program), std::move(after));
}

}  // namespace heed::cpu
