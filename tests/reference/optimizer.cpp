// The effects: SGD with momentum, AdamW and Assign, updating persistent values in place.
#include "reference.hpp"

#include <cmath>

namespace heed::reference {

namespace {

void sgd_update(const Node&, std::span<Array* const> inputs) {
  Array &param = *inputs[0], &velocity = *inputs[2];
  const Array &grad = *inputs[1], &hyper = *inputs[3];
  const double lr = hyper[0], momentum = hyper[1], weight_decay = hyper[2];
  for (int64_t i = 0; i < param.size(); ++i) {
    double g = grad[i] + weight_decay * param[i];
    velocity[i] = momentum * velocity[i] + g;
    param[i] -= lr * velocity[i];
  }
}

void adamw_update(const Node&, std::span<Array* const> inputs) {
  Array &param = *inputs[0], &m = *inputs[2], &v = *inputs[3];
  const Array &grad = *inputs[1], &hyper = *inputs[4];
  const double lr = hyper[0], beta1 = hyper[1], beta2 = hyper[2], eps = hyper[3], weight_decay = hyper[4], step = hyper[5];
  const double correction1 = 1.0 - std::pow(beta1, step), correction2 = 1.0 - std::pow(beta2, step);
  for (int64_t i = 0; i < param.size(); ++i) {
    param[i] *= 1.0 - lr * weight_decay;
    m[i] = beta1 * m[i] + (1.0 - beta1) * grad[i];
    v[i] = beta2 * v[i] + (1.0 - beta2) * grad[i] * grad[i];
    param[i] -= lr * (m[i] / correction1) / (std::sqrt(v[i] / correction2) + eps);
  }
}

void assign(const Node&, std::span<Array* const> inputs) { inputs[0]->data = inputs[1]->data; }

}  // namespace

void add_optimizer_kernels(KernelTable& table) {
  table.add(Op::SgdUpdate, sgd_update);
  table.add(Op::AdamWUpdate, adamw_update);
  table.add(Op::Assign, assign);
}

}  // namespace heed::reference
