// Full and Arange: plain fills. Their values are constant, but they live in the arena, whose
// bytes other values reuse, so they are written again on every run.
#include "kernel.hpp"
#include "parallel.hpp"

namespace heed::cpu {

namespace {

template <typename T>
class FullKernel final : public Kernel {
 public:
  FullKernel(T* output, int64_t count, T value) : output_(output), count_(count), value_(value) {}
  void run() override {
    parallel_ranges(count_, 65536, [&](int64_t begin, int64_t end) { std::fill(output_ + begin, output_ + end, value_); });
  }

 private:
  T* output_;
  int64_t count_;
  T value_;
};

template <typename T>
class ArangeKernel final : public Kernel {
 public:
  ArangeKernel(T* output, int64_t count, double start, double step) : output_(output), count_(count), start_(start), step_(step) {}
  void run() override {
    parallel_ranges(count_, 65536, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) output_[i] = static_cast<T>(start_ + static_cast<double>(i) * step_);
    });
  }

 private:
  T* output_;
  int64_t count_;
  double start_, step_;
};

}  // namespace

std::unique_ptr<Kernel> make_creation(const CompileContext& context, NodeRef node) {
  const Attributes& attrs = node.node.attrs;
  std::byte* output = context.address(node.id);
  int64_t count = element_count(node.node.shape);
  if (node.node.op == Op::Full) {
    if (node.node.dtype == f32) return std::make_unique<FullKernel<float>>(reinterpret_cast<float*>(output), count, static_cast<float>(attrs.value));
    return std::make_unique<FullKernel<int32_t>>(reinterpret_cast<int32_t*>(output), count, static_cast<int32_t>(attrs.value));
  }
  if (node.node.dtype == f32) return std::make_unique<ArangeKernel<float>>(reinterpret_cast<float*>(output), count, attrs.value, attrs.step);
  return std::make_unique<ArangeKernel<int32_t>>(reinterpret_cast<int32_t*>(output), count, attrs.value, attrs.step);
}

}  // namespace heed::cpu
