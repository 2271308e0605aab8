// Collectives: the communicator the program was compiled with combines the ranks' values, in
// the kernel's place in the schedule; with none the program is one rank and values pass through.
#include "kernel.hpp"

#include <heed/communicator.hpp>

#include <cstring>

namespace heed::cpu {

namespace {

class AllReduceKernel final : public Kernel {
 public:
  AllReduceKernel(const float* input, float* output, int64_t count, Communicator* communicator)
      : input_(input), output_(output), count_(count), communicator_(communicator) {}
  void run() override {
    if (input_ != output_) std::memmove(output_, input_, static_cast<size_t>(count_) * sizeof(float));
    if (communicator_) communicator_->all_reduce_sum({output_, static_cast<size_t>(count_)});
  }

 private:
  const float* input_;
  float* output_;
  int64_t count_;
  Communicator* communicator_;
};

}  // namespace

std::unique_ptr<Kernel> make_all_reduce(const CompileContext& context, NodeRef node) {
  int64_t count = element_count(node.node.shape);
  if (count == 0) return nullptr;
  return std::make_unique<AllReduceKernel>(reinterpret_cast<const float*>(context.input_address(node.node, 0)),
                                           reinterpret_cast<float*>(context.address(node.id)), count, context.communicator());
}

}  // namespace heed::cpu
