// Counter-based random ops: element i is a pure function of (seed, counter, i), computed with
// heed::random_bits exactly as every backend does, so the result depends on no thread count.
#include "kernel.hpp"
#include "parallel.hpp"

#include <heed/backend/random_bits.hpp>

namespace heed::cpu {

namespace {

using Draw = float (*)(uint32_t seed, uint32_t counter, uint32_t index);

class RandomKernel final : public Kernel {
 public:
  RandomKernel(Draw draw, float* output, int64_t count, uint32_t seed, const int32_t* counter)
      : draw_(draw), output_(output), count_(count), seed_(seed), counter_(counter) {}

  void run() override {
    // The counter is a graph value (it advances every step), so it is read at run time.
    uint32_t counter = counter_ ? static_cast<uint32_t>(*counter_) : 0u;
    parallel_ranges(count_, 4096, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) output_[i] = draw_(seed_, counter, static_cast<uint32_t>(i));
    });
  }

 private:
  Draw draw_;
  float* output_;
  int64_t count_;
  uint32_t seed_;
  const int32_t* counter_;
};

}  // namespace

std::unique_ptr<Kernel> make_random(const CompileContext& context, NodeRef node) {
  Draw draw = node.node.op == Op::RandomUniform  ? &random_bits::uniform
              : node.node.op == Op::RandomNormal ? &random_bits::normal
                                                 : &random_bits::gumbel;
  const int32_t* counter = node.node.inputs.empty() ? nullptr : reinterpret_cast<const int32_t*>(context.input_address(node.node, 0));
  return std::make_unique<RandomKernel>(draw, reinterpret_cast<float*>(context.address(node.id)), element_count(node.node.shape),
                                        node.node.attrs.seed, counter);
}

}  // namespace heed::cpu
