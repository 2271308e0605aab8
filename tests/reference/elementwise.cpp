// Elementwise ops: unary functions, Cast, and the broadcasting binary ops, comparisons and Where.
#include "indexing.hpp"
#include "reference.hpp"

#include <cmath>
#include <numbers>

namespace heed::reference {

namespace {

template <double (*f)(double)>
Array unary(const Node& node, Inputs inputs) {
  const Array& x = *inputs[0];
  Array out(node.dtype, x.shape);
  for (int64_t i = 0; i < x.size(); ++i) out[i] = f(x[i]);
  return out;
}

double neg(double x) { return -x; }
double exp(double x) { return std::exp(x); }
double log(double x) { return std::log(x); }
double sqrt(double x) { return std::sqrt(x); }
double rsqrt(double x) { return 1.0 / std::sqrt(x); }
double tanh(double x) { return std::tanh(x); }
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double relu(double x) { return x > 0 ? x : 0.0; }
double gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / std::numbers::sqrt2)); }

Array cast(const Node& node, Inputs inputs) {
  const Array& x = *inputs[0];
  Array out(node.attrs.to, x.shape);
  for (int64_t i = 0; i < x.size(); ++i) out[i] = node.attrs.to == i32 ? std::trunc(x[i]) : x[i];
  return out;
}

template <double (*f)(double, double)>
Array binary(const Node& node, Inputs inputs) {
  const Array &a = *inputs[0], &b = *inputs[1];
  Shape shape = broadcast_of(a.shape, b.shape);
  std::vector<int64_t> ia = broadcast_map(shape, a.shape), ib = broadcast_map(shape, b.shape);
  Array out(node.dtype, shape);
  for (int64_t i = 0; i < out.size(); ++i) out[i] = f(a[ia[static_cast<size_t>(i)]], b[ib[static_cast<size_t>(i)]]);
  return out;
}

double add(double a, double b) { return a + b; }
double sub(double a, double b) { return a - b; }
double mul(double a, double b) { return a * b; }
double div(double a, double b) { return a / b; }
double pow(double a, double b) { return std::pow(a, b); }
double equal(double a, double b) { return a == b ? 1.0 : 0.0; }
double not_equal(double a, double b) { return a != b ? 1.0 : 0.0; }
double less(double a, double b) { return a < b ? 1.0 : 0.0; }
double less_equal(double a, double b) { return a <= b ? 1.0 : 0.0; }
double greater(double a, double b) { return a > b ? 1.0 : 0.0; }
double greater_equal(double a, double b) { return a >= b ? 1.0 : 0.0; }

Array where(const Node& node, Inputs inputs) {
  const Array &c = *inputs[0], &t = *inputs[1], &e = *inputs[2];
  Shape shape = broadcast_of(broadcast_of(c.shape, t.shape), e.shape);
  std::vector<int64_t> ic = broadcast_map(shape, c.shape), it = broadcast_map(shape, t.shape), ie = broadcast_map(shape, e.shape);
  Array out(node.dtype, shape);
  for (size_t i = 0; i < out.data.size(); ++i) out.data[i] = c[ic[i]] != 0 ? t[it[i]] : e[ie[i]];
  return out;
}

}  // namespace

void add_elementwise_kernels(KernelTable& table) {
  table.add(Op::Neg, unary<neg>);
  table.add(Op::Exp, unary<exp>);
  table.add(Op::Log, unary<log>);
  table.add(Op::Sqrt, unary<sqrt>);
  table.add(Op::Rsqrt, unary<rsqrt>);
  table.add(Op::Tanh, unary<tanh>);
  table.add(Op::Sigmoid, unary<sigmoid>);
  table.add(Op::Relu, unary<relu>);
  table.add(Op::Gelu, unary<gelu>);
  table.add(Op::Cast, cast);
  table.add(Op::Add, binary<add>);
  table.add(Op::Sub, binary<sub>);
  table.add(Op::Mul, binary<mul>);
  table.add(Op::Div, binary<div>);
  table.add(Op::Pow, binary<pow>);
  table.add(Op::Equal, binary<equal>);
  table.add(Op::NotEqual, binary<not_equal>);
  table.add(Op::Less, binary<less>);
  table.add(Op::LessEqual, binary<less_equal>);
  table.add(Op::Greater, binary<greater>);
  table.add(Op::GreaterEqual, binary<greater_equal>);
  table.add(Op::Where, where);
}

}  // namespace heed::reference
