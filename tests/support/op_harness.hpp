#pragma once
// Per-op tests in the spirit of ggml's test-backend-ops. One case is a builder over graph inputs
// plus the specs of those inputs. For every case the harness checks:
//   (a) forward: each backend's outputs against the reference evaluator (normalised mean
//       squared error under the case's stated tolerance; NaN fails; guard values around the
//       output catch out-of-bounds writes where the planner places them side by side);
//   (b) the VJP: loss = sum(y * fixed random weights), heed::grad(loss, inputs) evaluated on the
//       reference, against central finite differences of the same loss on the reference, in
//       double;
//   (c) backward: each backend's gradients (the gradient nodes compiled and run there) against
//       the reference's.
#include <heed/graph.hpp>

#include <functional>
#include <string>
#include <vector>

namespace heed::test {

// How one graph input of a case is filled.
struct In {
  Shape shape;
  DType dtype = f32;
  double low = -1, high = 1;  // f32: uniform in [low, high); i32: whole numbers in [low, high]
  double min_abs = 0;         // f32: |x| >= min_abs, to stay clear of kinks (relu at 0, say)
  bool whole = false;         // f32 whole numbers, so that comparisons meet ties
  bool differentiable = true;  // false: its gradient is not checked (masks, conditions)
  std::vector<double> fixed;  // given values instead of random ones

  In(Shape shape_) : shape(std::move(shape_)) {}
  static In i32(Shape shape, int64_t low, int64_t high);
  In range(double low_, double high_) const;
  In away_from_zero(double margin) const;
  In whole_numbers(double low_, double high_) const;  // f32, not differentiated
  In no_grad() const;
  In stored_as(DType dtype_) const;  // values drawn as for f32, then rounded to dtype_ (not differentiated)
  In values(std::vector<double> given) const;
};

// Tolerances, stated per case. NMSE limits for a backend's f32 values against the reference
// (i32 values must always match exactly) and for the reference VJP against finite differences.
// The defaults: f32 rounding of one op gives an NMSE near 1e-14; sums, matmuls and the softmax
// family over the cases' sizes stay below 1e-11 on the CPU backend, so 1e-10 leaves a margin
// while still catching an approximation off by a few hundred ulps. A case whose inputs make f32
// cancel (layer norm of rows around 100, exp(x) - 1 near 0) states a looser limit beside it.
struct Tolerance {
  double forward = 1e-10;
  double backward = 1e-10;
  double finite_difference = 1e-12;  // in double: the worst case seen is about 1e-17
  double step = 1e-5;  // h of the central differences (f(x + h) - f(x - h)) / 2h
};

using Builder = std::function<std::vector<Tensor>(Graph& graph, const std::vector<Tensor>& inputs)>;

// A backend that must refuse to compile a case (a dtype it does not hold, instructions its CPU
// lacks), with an error that says `says`.
struct Refusal {
  std::string backend;
  std::string says;
};

struct OpCase {
  std::string op;    // the op (its op_name) or composite builder this case is for
  std::string name;  // what the case exercises
  std::vector<In> inputs;
  Builder build;
  Tolerance tolerance = {};
  bool gradients = true;           // false: not differentiable, only forward is checked
  bool finite_differences = true;  // false: the gradient is checked on backends but not by FD
  std::vector<Refusal> refusals = {};  // every other backend runs the case
};

// Every case of every family (tests/ops/cases_*.cpp).
const std::vector<OpCase>& all_cases();

// Runs every case of `op` on the reference and every backend under test, recording doctest
// failures that name the case, the backend and the values that differ.
void check_op(std::string_view op);
void check_case(const OpCase& c);

// The ops (heed::Op) that the graphs of the cases contain, forward and backward.
std::vector<Op> ops_exercised();

}  // namespace heed::test
