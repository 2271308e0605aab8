// Effects: the optimiser updates and Assign write persistent buffers in place. Hyperparameters
// are a graph value (a schedule changes them without recompiling), so they are read at run time.
#include "kernel.hpp"
#include "parallel.hpp"

#include <cmath>
#include <cstring>

namespace heed::cpu {

namespace {

// g = grad + weight_decay param; velocity = momentum velocity + g; param -= lr velocity.
class SgdKernel final : public Kernel {
 public:
  SgdKernel(float* param, const float* grad, float* velocity, const float* hyper, int64_t count)
      : param_(param), grad_(grad), velocity_(velocity), hyper_(hyper), count_(count) {}

  void run() override {
    const float lr = hyper_[0], momentum = hyper_[1], weight_decay = hyper_[2];
    parallel_ranges(count_, elementwise_grain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        float g = grad_[i] + weight_decay * param_[i];
        velocity_[i] = momentum * velocity_[i] + g;
        param_[i] -= lr * velocity_[i];
      }
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
    const auto decay = static_cast<float>(1.0 - lr * weight_decay);
    const auto step_size = static_cast<float>(lr / (1.0 - std::pow(beta1, step)));
    const auto second_correction = static_cast<float>(1.0 / (1.0 - std::pow(beta2, step)));
    const auto b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2), epsilon = static_cast<float>(eps);
    parallel_ranges(count_, elementwise_grain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        float g = grad_[i];
        float m = b1 * m_[i] + (1.0f - b1) * g;
        float v = b2 * v_[i] + (1.0f - b2) * g * g;
        m_[i] = m;
        v_[i] = v;
        param_[i] = param_[i] * decay - step_size * m / (std::sqrt(v * second_correction) + epsilon);
      }
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
