// Build-time errors: a bad shape or dtype throws heed::Error at the line that builds the op, and
// the message names the op and the shapes involved.
#include <doctest/doctest.h>
#include <heed/heed.hpp>

#include <functional>
#include <string>

namespace heed::test {
namespace {

// Runs `build`, expecting a heed::Error whose message contains every one of `fragments`.
void expect_error(const std::function<void()>& build, const std::vector<std::string>& fragments) {
  try {
    build();
    FAIL_CHECK("no heed::Error was thrown; expected one mentioning " << fragments.front());
  } catch (const Error& error) {
    std::string message = error.what();
    for (const std::string& fragment : fragments) CHECK_MESSAGE(message.find(fragment) != std::string::npos, "'" << message << "' does not mention '" << fragment << "'");
  }
}

TEST_CASE("adding tensors whose shapes do not broadcast names the op and both shapes") {
  Graph g;
  Tensor a = g.input("a", {2, 3}), b = g.input("b", {4, 3});
  expect_error([&] { add(a, b); }, {"add", "[2, 3]", "[4, 3]"});
  expect_error([&] { where(a, a, b); }, {"where", "[2, 3]", "[4, 3]"});
}

TEST_CASE("a matmul with mismatched inner dimensions names both operands and the transposes") {
  Graph g;
  Tensor a = g.input("a", {3, 5}), b = g.input("b", {4, 5});
  expect_error([&] { matmul(a, b); }, {"matmul", "[3, 5]", "[4, 5]"});
  expect_error([&] { matmul(a, b, true, true); }, {"matmul", "^T", "[3, 5]", "[4, 5]"});
  expect_error([&] { matmul(g.input("c", {2, 3, 4}), g.input("d", {3, 4, 2})); }, {"matmul", "batch", "[2]", "[3]"});
  expect_error([&] { matmul(g.input("v", {5}), b, false, true); }, {"matmul", "rank", "[5]"});
}

TEST_CASE("mixing dtypes is refused with both tensors named") {
  Graph g;
  Tensor x = g.input("x", {3}), i = g.input("i", {3}, i32);
  expect_error([&] { add(x, i); }, {"add", "f32[3]", "i32[3]"});
  expect_error([&] { exp(i); }, {"exp", "i32[3]"});
  expect_error([&] { div(i, i); }, {"div", "i32[3]"});
  expect_error([&] { matmul(g.input("m", {2, 2}, i32), g.input("n", {2, 2})); }, {"matmul", "i32[2, 2]"});
}

TEST_CASE("reshape to another element count names both shapes and counts") {
  Graph g;
  Tensor x = g.input("x", {2, 3});
  expect_error([&] { reshape(x, {4, 2}); }, {"reshape", "[2, 3]", "[4, 2]"});
  expect_error([&] { reshape(x, {-1, -1}); }, {"reshape", "-1"});
  expect_error([&] { reshape(x, {4, -1}); }, {"reshape", "[4, -1]", "[2, 3]"});
}

TEST_CASE("axes out of range are refused by every op that takes one") {
  Graph g;
  Tensor x = g.input("x", {2, 3});
  expect_error([&] { sum(x, {2}); }, {"sum", "axis 2", "rank 2"});
  expect_error([&] { max(x, {-3}); }, {"max", "-3"});
  expect_error([&] { sum(x, {0, -2}); }, {"sum", "repeated"});
  expect_error([&] { argmax(x, 5); }, {"argmax", "5"});
  expect_error([&] { slice(x, 3, 0, 1); }, {"slice", "3"});
  expect_error([&] { concat({x, x}, 2); }, {"concat", "2"});
  expect_error([&] { permute(x, {0, 0}); }, {"permute", "repeats", "[2, 3]"});
  expect_error([&] { permute(x, {0}); }, {"permute", "[2, 3]"});
  expect_error([&] { squeeze(x, 0); }, {"squeeze", "[2, 3]"});
}

TEST_CASE("concat of parts that differ off the joined axis names the parts") {
  Graph g;
  Tensor a = g.input("a", {2, 3}), b = g.input("b", {3, 3});
  expect_error([&] { concat({a, b}, 1); }, {"concat", "[2, 3]", "[3, 3]"});
}

TEST_CASE("broadcast to a shape that does not fit names both shapes") {
  Graph g;
  Tensor x = g.input("x", {3, 2});
  expect_error([&] { broadcast(x, {3, 4}); }, {"broadcast", "[3, 2]", "[3, 4]"});
  expect_error([&] { broadcast(x, {2}); }, {"broadcast", "[3, 2]", "[2]"});
  expect_error([&] { sum_to(x, {4}); }, {"sum_to", "[3, 2]", "[4]"});
}

TEST_CASE("nn ops check their inputs' shapes") {
  Graph g;
  Tensor x = g.input("x", {4, 5});
  expect_error([&] { layer_norm(x, g.input("w", {4})); }, {"layer_norm", "weight", "[5]", "[4]"});
  expect_error([&] { layer_norm(x, {}, {}, 0); }, {"layer_norm", "eps"});
  expect_error([&] { softmax(g.input("s", {})); }, {"softmax", "[]"});
  expect_error([&] { cross_entropy(x, g.input("t", {5}, i32)); }, {"cross_entropy", "[4, 5]", "[5]"});
  expect_error([&] { cross_entropy(x, g.input("tf", {4})); }, {"cross_entropy", "i32", "f32[4]"});
  expect_error([&] { embedding(g.input("table", {3, 4, 5}), g.input("i", {2}, i32)); }, {"embedding", "[3, 4, 5]"});
  expect_error([&] { embedding(x, g.input("fi", {2})); }, {"embedding", "i32", "f32[2]"});
  expect_error([&] { scaled_dot_product_attention(g.input("q", {2, 3, 4}), g.input("k", {2, 5, 4}), g.input("v", {2, 6, 4})); },
               {"scaled_dot_product_attention", "[2, 5, 4]", "[2, 6, 4]"});
  expect_error([&] { dropout(x, 1.0); }, {"dropout", "1"});
  expect_error([&] { one_hot(x, 3); }, {"one_hot", "f32[4, 5]"});
  expect_error([&] { softmax_backward(x, g.input("dy", {4, 4})); }, {"softmax_backward", "[4, 5]", "[4, 4]"});
}

TEST_CASE("fused attention checks q, k, v, the mask and the backward's o, do and statistics") {
  Graph g;
  Tensor q = g.input("q", {2, 3, 4}), k = g.input("k", {2, 5, 4}), v = g.input("v", {2, 5, 6});
  auto sdpa = [](Tensor q, Tensor k, Tensor v, Tensor mask = {}) { return scaled_dot_product_attention(q, k, v, {.mask = mask}); };
  expect_error([&] { sdpa(q, k, g.input("v_short", {2, 6, 6})); }, {"attention", "[2, 5, 4]", "[2, 6, 6]"});
  expect_error([&] { sdpa(q, g.input("k_wide", {2, 5, 3}), v); }, {"attention", "width", "[2, 3, 4]", "[2, 5, 3]"});
  expect_error([&] { sdpa(g.input("q_rank", {4}), k, v); }, {"attention", "rank", "[4]"});
  expect_error([&] { sdpa(q, g.input("no_keys", {2, 0, 4}), g.input("no_values", {2, 0, 6})); }, {"attention", "key", "[2, 0, 4]"});
  expect_error([&] { sdpa(q, k, v, g.input("mask", {3, 4})); }, {"attention", "mask", "[3, 4]", "[2, 3, 5]"});
  expect_error([&] { sdpa(q, k, v, g.input("mask_big", {7, 2, 3, 5})); }, {"attention", "mask", "[7, 2, 3, 5]", "[2, 3, 5]"});
  Tensor statistics = g.input("statistics", {2, 3});
  expect_error([&] { attention_backward(q, k, v, g.input("o", {2, 3, 4}), g.input("do", {2, 3, 6}), statistics, {}, false, 0.5); },
               {"attention_backward", "[2, 3, 6]", "[2, 3, 4]"});
  Tensor o = g.input("o6", {2, 3, 6});
  expect_error([&] { attention_backward(q, k, v, o, o, g.input("statistics_long", {2, 4}), {}, false, 0.5); },
               {"attention_backward", "statistics", "[2, 3]", "[2, 4]"});
  expect_error([&] { attention_statistics(q); }, {"attention_statistics", "fused attention", "[2, 3, 4]"});
}

TEST_CASE("packed attention checks qkv against its heads, the mask and the backward's o, do and statistics") {
  Graph g;
  Tensor qkv = g.input("qkv", {2, 5, 24});  // 2 heads of width 4
  expect_error([&] { packed_attention(qkv, 0); }, {"packed_attention", "heads", "0"});
  expect_error([&] { packed_attention(qkv, 5); }, {"packed_attention", "[2, 5, 24]", "5 heads"});
  expect_error([&] { packed_attention(g.input("flat", {24}), 2); }, {"packed_attention", "[24]"});
  expect_error([&] { packed_attention(g.input("no_steps", {2, 0, 24}), 2); }, {"packed_attention", "[2, 0, 24]"});
  expect_error([&] { packed_attention(g.input("ints", {2, 5, 24}, i32), 2); }, {"packed_attention", "i32"});
  expect_error([&] { packed_attention(qkv, 2, {.mask = g.input("mask", {3, 5, 5})}); }, {"packed_attention", "mask", "[3, 5, 5]", "[2, 2, 5, 5]"});
  Tensor statistics = g.input("statistics", {2, 2, 5});
  expect_error([&] { packed_attention_backward(qkv, 2, g.input("o", {2, 5, 8}), g.input("do", {2, 5, 24}), statistics, {}, false, 0.5); },
               {"packed_attention_backward", "[2, 5, 8]", "[2, 5, 24]"});
  Tensor o = g.input("o8", {2, 5, 8});
  expect_error([&] { packed_attention_backward(qkv, 2, o, o, g.input("statistics_flat", {2, 5}), {}, false, 0.5); },
               {"packed_attention_backward", "statistics", "[2, 2, 5]", "[2, 5]"});
}

TEST_CASE("effects refuse targets that are not persistent and values of another shape") {
  Graph g;
  Tensor x = g.input("x", {3});
  Tensor w = g.parameter("w", HostTensor(f32, {3}));
  expect_error([&] { assign(x, x); }, {"assign", "'x'"});
  expect_error([&] { assign(w, g.input("y", {4})); }, {"assign", "[4]", "[3]"});
  Tensor v = g.state("v", HostTensor(f32, {3}));
  expect_error([&] { sgd_update(w, x, v, g.input("h", {2})); }, {"sgd_update", "hyper", "[2]"});
}

TEST_CASE("a tensor from another graph is refused") {
  Graph g, other;
  Tensor a = g.input("a", {2}), b = other.input("b", {2});
  expect_error([&] { add(a, b); }, {"add", "graph"});
  expect_error([&] { g.output(b); }, {"output", "graph"});
}

TEST_CASE("names of leaves are unique and required") {
  Graph g;
  g.input("x", {2});
  expect_error([&] { g.input("x", {3}); }, {"'x'", "taken"});
  expect_error([&] { g.parameter("", HostTensor(f32, {2})); }, {"parameter", "name"});
  expect_error([&] { g.parameter("p", HostTensor(i32, {2})); }, {"parameter", "f32"});
  expect_error([&] { g.input("neg", {2, -1}); }, {"negative", "[2, -1]"});
}

TEST_CASE("grad needs a scalar loss or a seed of its shape, and f32 tensors to differentiate") {
  Graph g;
  Tensor x = g.input("x", {3}), i = g.input("i", {3}, i32);
  expect_error([&] { grad(exp(x), {x}); }, {"grad", "[3]", "scalar"});
  expect_error([&] { grad(sum(x), {i}); }, {"grad", "i32"});
  expect_error([&] { grad(exp(x), {x}, full(g, {2}, 1)); }, {"grad", "seed", "[2]", "[3]"});
}

}  // namespace
}  // namespace heed::test
