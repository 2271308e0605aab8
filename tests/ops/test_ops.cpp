// One test per op or composite builder: every case of it (tests/ops/cases_*.cpp) runs forward on
// each backend against the reference, its VJP against finite differences, and each backend's
// backward against the reference. Tolerances are stated with the cases.
#include "cases.hpp"

#include "../support/backends.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

namespace heed::test {
namespace {

// Every op name that has a test below; a case for any other name would never run.
const std::set<std::string> op_tests{
    "full", "arange", "random_uniform", "random_normal", "random_gumbel", "neg", "exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "relu",
    "gelu", "cast", "add", "sub", "mul", "div", "pow", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "where",
    "sum", "max", "mean", "argmax", "reshape", "permute", "transpose", "slice", "concat", "broadcast", "unsqueeze", "squeeze",
    "sum_to", "stop_gradient", "matmul", "softmax", "log_softmax", "masked_softmax", "masked_log_softmax", "layer_norm", "embedding",
    "cross_entropy", "counted_targets", "dropout", "one_hot", "scaled_dot_product_attention", "attention", "attention_statistics", "packed_attention", "softmax_backward", "log_softmax_backward", "gelu_backward",
    "layer_norm_backward", "embedding_backward", "cross_entropy_backward", "attention_backward", "packed_attention_backward", "masked_fill", "zeros_like", "ones_like", "scalar_arithmetic",
    "chain", "all_reduce"};

#define OP_TEST(op) \
  TEST_CASE(op ": every backend matches the reference forward and backward, and the VJP matches finite differences") { check_op(op); }

TEST_SUITE("creation") {
  OP_TEST("full")
  OP_TEST("arange")
  OP_TEST("random_uniform")
  OP_TEST("random_normal")
  OP_TEST("random_gumbel")
}

TEST_SUITE("elementwise") {
  OP_TEST("neg")
  OP_TEST("exp")
  OP_TEST("log")
  OP_TEST("sqrt")
  OP_TEST("rsqrt")
  OP_TEST("tanh")
  OP_TEST("sigmoid")
  OP_TEST("relu")
  OP_TEST("gelu")
  OP_TEST("cast")
  OP_TEST("add")
  OP_TEST("sub")
  OP_TEST("mul")
  OP_TEST("div")
  OP_TEST("pow")
  OP_TEST("equal")
  OP_TEST("not_equal")
  OP_TEST("less")
  OP_TEST("less_equal")
  OP_TEST("greater")
  OP_TEST("greater_equal")
  OP_TEST("where")
}

TEST_SUITE("reduction") {
  OP_TEST("sum")
  OP_TEST("max")
  OP_TEST("mean")
  OP_TEST("argmax")
}

TEST_SUITE("shape") {
  OP_TEST("reshape")
  OP_TEST("permute")
  OP_TEST("transpose")
  OP_TEST("slice")
  OP_TEST("concat")
  OP_TEST("broadcast")
  OP_TEST("unsqueeze")
  OP_TEST("squeeze")
  OP_TEST("sum_to")
  OP_TEST("stop_gradient")
}

TEST_SUITE("linear algebra") {
  OP_TEST("matmul")
}

TEST_SUITE("nn") {
  OP_TEST("softmax")
  OP_TEST("log_softmax")
  OP_TEST("masked_softmax")
  OP_TEST("masked_log_softmax")
  OP_TEST("layer_norm")
  OP_TEST("embedding")
  OP_TEST("cross_entropy")
  OP_TEST("counted_targets")
  OP_TEST("dropout")
  OP_TEST("one_hot")
  OP_TEST("scaled_dot_product_attention")
  OP_TEST("attention")
  OP_TEST("attention_statistics")
  OP_TEST("packed_attention")
}

TEST_SUITE("backward ops") {
  OP_TEST("softmax_backward")
  OP_TEST("log_softmax_backward")
  OP_TEST("gelu_backward")
  OP_TEST("layer_norm_backward")
  OP_TEST("embedding_backward")
  OP_TEST("cross_entropy_backward")
  OP_TEST("attention_backward")
  OP_TEST("packed_attention_backward")
}

TEST_SUITE("composites") {
  OP_TEST("masked_fill")
  OP_TEST("zeros_like")
  OP_TEST("ones_like")
  OP_TEST("scalar_arithmetic")
  OP_TEST("chain")
}

TEST_SUITE("collectives") {
  OP_TEST("all_reduce")
}

TEST_SUITE("coverage") {

TEST_CASE("every case belongs to an op that has a test") {
  for (const OpCase& c : all_cases()) CHECK_MESSAGE(op_tests.contains(c.op), "the cases of '" << c.op << "' are never run");
}

TEST_CASE("the cases exercise every op of the set, forward or backward, except the optimiser effects") {
  // Parameters and the SGD and AdamW updates are exercised by test_effects.
  const std::set<Op> elsewhere{Op::Parameter, Op::SgdUpdate, Op::AdamWUpdate};
  std::vector<Op> seen = ops_exercised();
  for (int i = 0; i < op_count; ++i) {
    auto op = static_cast<Op>(i);
    if (elsewhere.contains(op)) continue;
    CHECK_MESSAGE(std::find(seen.begin(), seen.end(), op) != seen.end(), "no case exercises " << op_name(op));
  }
}

TEST_CASE("at least one backend is under test, and each loads") {
  std::vector<std::string> names = backends_under_test();
  REQUIRE_MESSAGE(!names.empty(), "this build made no backend, so no op runs anywhere");
  for (const std::string& name : names) CHECK(load_for_test(name) != nullptr);
}

}  // TEST_SUITE("coverage")

}  // namespace
}  // namespace heed::test
