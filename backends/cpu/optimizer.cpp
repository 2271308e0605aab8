// Effects: the optimiser updates and Assign write persistent buffers in place. Hyperparameters
// are a graph value (a schedule changes them without recompiling), so they are read at run time.
#include "isa_clones.hpp"
#include "kernel.hpp"
#include "parallel.hpp"

#include <cmath>
#include <cstring>

namespace heed::cpu {

namespace {

// The update loops are compiled once per instruction set and the loader picks one: the library is
// built for any x86-64, and a division and a square root per element on SSE2's four lanes made
// charlm's 53 AdamW updates take over a millisecond a step.
HEED_ISA_CLONES void sgd_range(float* __restrict param, const float* __restrict grad, float* __restrict velocity, float lr, float momentum,
                               float weight_decay, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    float g = grad[i] + weight_decay * param[i];
    velocity[i] = momentum * velocity[i] + g;
    param[i] -= lr * velocity[i];
  }
}

struct AdamWStep {
  float decay, step_size, second_correction, b1, b2, epsilon;
};

HEED_ISA_CLONES void adamw_range(float* __restrict param, const float* __restrict grad, float* __restrict m, float* __restrict v,
                                 AdamWStep step, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    float g = grad[i];
    float mi = step.b1 * m[i] + (1.0f - step.b1) * g;
    float vi = step.b2 * v[i] + (1.0f - step.b2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = param[i] * step.decay - step.step_size * mi / (std::sqrt(vi * step.second_correction) + step.epsilon);
  }
}

// g = grad + weight_decay param; velocity = momentum velocity + g; param -= lr velocity.
class SgdKernel final : public Kernel {
 public:
  SgdKernel(float* param, const float* grad, float* velocity, const float* hyper, int64_t count)
      : param_(param), grad_(grad), velocity_(velocity), hyper_(hyper), count_(count) {}

  void run() override {
    const float lr = hyper_[0], momentum = hyper_[1], weight_decay = hyper_[2];
    parallel_ranges(count_, elementwise_grain, [&](int64_t begin, int64_t end) {
      sgd_range(param_ + begin, grad_ + begin, velocity_ + begin, lr, momentum, weight_decay, end - begin);
    });
  }

 private:
  float* param_;
  const float* grad_;
  float* velocity_;
  const float* hyper_;
  int64_t count_;
};

// Decoupled weight decay first, then the bias-corrected Adam step with the new moments.
class AdamWKernel final : public Kernel {
 public:
  AdamWKernel(float* param, const float* grad, float* m, float* v, const float* hyper, int64_t count)
      : param_(param), grad_(grad), m_(m), v_(v), hyper_(hyper), count_(count) {}

  void run() override {
    const double lr = hyper_[0], beta1 = hyper_[1], beta2 = hyper_[2], eps = hyper_[3], weight_decay = hyper_[4], step = hyper_[5];
    const AdamWStep update{static_cast<float>(1.0 - lr * weight_decay), static_cast<float>(lr / (1.0 - std::pow(beta1, step))),
                           static_cast<float>(1.0 / (1.0 - std::pow(beta2, step))), static_cast<float>(beta1), static_cast<float>(beta2),
                           static_cast<float>(eps)};
    parallel_ranges(count_, elementwise_grain, [&](int64_t begin, int64_t end) {
      adamw_range(param_ + begin, grad_ + begin, m_ + begin, v_ + begin, update, end - begin);
    });
  }

 private:
  float* param_;
  const float* grad_;
  float* m_;
  float* v_;
  const float* hyper_;
  int64_t count_;
};

template <typename T>
T* at(const CompileContext& context, const Node& node, size_t index) {
  return reinterpret_cast<T*>(context.input_address(node, index));
}

}  // namespace

std::unique_ptr<Kernel> make_optimizer(const CompileContext& context, NodeRef node) {
  const Node& n = node.node;
  int64_t count = element_count(context.input(n, 0).shape);
  if (n.op == Op::SgdUpdate)
    return std::make_unique<SgdKernel>(at<float>(context, n, 0), at<const float>(context, n, 1), at<float>(context, n, 2), at<const float>(context, n, 3),
                                       count);
  return std::make_unique<AdamWKernel>(at<float>(context, n, 0), at<const float>(context, n, 1), at<float>(context, n, 2), at<float>(context, n, 3),
                                       at<const float>(context, n, 4), count);
}

std::unique_ptr<Kernel> make_assign(const CompileContext& context, NodeRef node) {
  return copy_kernel(context.input_address(node.node, 1), context.input_address(node.node, 0), element_count(context.input(node.node, 0).shape) * 4);
}

}  // namespace heed::cpu
