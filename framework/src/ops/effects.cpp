// Effects: the only ops that write persistent values. The planner runs them after every other
// node, in creation order, so every read of a parameter sees its value from before the step.
#include "vjp.hpp"

#include <heed/error.hpp>

namespace heed {

namespace {

void expect_persistent(std::string_view op, const Tensor& target) {
  if (!is_persistent(target.node().op)) fail("{}: the target must be a parameter or state, got {}", op, describe(target));
}

void expect_like(std::string_view op, const Tensor& target, const Tensor& value, std::string_view what) {
  if (&value.graph() != &target.graph()) fail("{}: {} belongs to another graph", op, what);
  if (value.shape() != target.shape() || value.dtype() != target.dtype())
    fail("{}: {} {} does not match the target {}", op, what, describe(value), describe(target));
}

void expect_hyper(std::string_view op, const Tensor& hyper, int64_t size) {
  if (hyper.dtype() != f32 || hyper.shape() != Shape{size})
    fail("{}: hyper must be f32[{}], got {}", op, size, describe(hyper));
}

}  // namespace

void assign(Tensor target, Tensor value) {
  expect_persistent("assign", target);
  expect_like("assign", target, value, "the value");
  target.graph().add_node(Op::Assign, target.dtype(), target.shape(), {target, value});
}

void sgd_update(Tensor param, Tensor grad, Tensor velocity, Tensor hyper) {
  expect_persistent("sgd_update", param);
  expect_persistent("sgd_update", velocity);
  expect_like("sgd_update", param, grad, "the gradient");
  expect_like("sgd_update", param, velocity, "the velocity");
  expect_hyper("sgd_update", hyper, 3);
  param.graph().add_node(Op::SgdUpdate, f32, param.shape(), {param, grad, velocity, hyper});
}

void adamw_update(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor hyper) {
  expect_persistent("adamw_update", param);
  expect_persistent("adamw_update", m);
  expect_persistent("adamw_update", v);
  expect_like("adamw_update", param, grad, "the gradient");
  expect_like("adamw_update", param, m, "the first moment");
  expect_like("adamw_update", param, v, "the second moment");
  expect_hyper("adamw_update", hyper, 6);
  param.graph().add_node(Op::AdamWUpdate, f32, param.shape(), {param, grad, m, v, hyper});
}

}  // namespace heed
