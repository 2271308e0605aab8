// Neural-network ops: softmax and log-softmax (with masks), layer norm, embedding,
// cross-entropy, and the composites built from them (dropout, one_hot, attention).
#include "cases.hpp"

#include <cmath>

namespace heed::test {

namespace {

// A 0/1 mask of `rows` x `columns` with row `empty_row` fully masked (-1 for none).
std::vector<double> mask_values(int64_t rows, int64_t columns, int64_t empty_row) {
  std::vector<double> values;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c) values.push_back(r == empty_row ? 0 : (r * 7 + c * 3) % 4 != 0);
  return values;
}

}  // namespace

std::vector<OpCase> nn_cases() {
  std::vector<OpCase> cases;
  for (const Shape& shape : std::vector<Shape>{{5}, {3, 7}, {2, 3, 17}, {4, 1}, {2, 2, 3, 33}}) {
    cases.push_back({"softmax", shape_string(shape), {In(shape).range(-3, 3)}, [](Graph&, const Inputs& x) -> Outputs { return {softmax(x[0])}; }});
    cases.push_back({"log_softmax", shape_string(shape), {In(shape).range(-3, 3)}, [](Graph&, const Inputs& x) -> Outputs { return {log_softmax(x[0])}; }});
  }
  // Large logits: only a max-subtracted softmax stays finite.
  cases.push_back({"softmax", "large logits", {In({3, 9}).range(-80, 80)}, [](Graph&, const Inputs& x) -> Outputs { return {softmax(x[0])}; },
                   {.step = 1e-6}});
  cases.push_back({"log_softmax", "large logits", {In({3, 9}).range(-80, 80)}, [](Graph&, const Inputs& x) -> Outputs { return {log_softmax(x[0])}; }});

  // Masks: a zero removes a position; a fully masked row is uniform rather than NaN.
  cases.push_back({"masked_softmax", "a [3, 7] mask with a fully masked row", {In({3, 7}), In({3, 7}).values(mask_values(3, 7, 1)).no_grad()},
                   [](Graph&, const Inputs& x) -> Outputs { return {softmax(x[0], x[1])}; }});
  cases.push_back({"masked_softmax", "a [1, 7] mask broadcast over rows of rank 3", {In({2, 3, 7}), In({1, 7}).values(mask_values(1, 7, -1)).no_grad()},
                   [](Graph&, const Inputs& x) -> Outputs { return {softmax(x[0], x[1])}; }});
  cases.push_back({"masked_softmax", "an i32 mask", {In({4, 5}), In::i32({4, 5}, 0, 1)},
                   [](Graph&, const Inputs& x) -> Outputs { return {softmax(x[0], x[1])}; }});
  // Masked log-probabilities are -1e30-ish; a loss never reads them, so they are zeroed here.
  cases.push_back({"masked_log_softmax", "a [3, 7] mask with a fully masked row", {In({3, 7}), In({3, 7}).values(mask_values(3, 7, 1)).no_grad()},
                   [](Graph&, const Inputs& x) -> Outputs { return {masked_fill(log_softmax(x[0], x[1]), x[1], 0)}; }});

  for (const Shape& shape : std::vector<Shape>{{7}, {3, 17}, {2, 3, 32}, {4, 1}}) {
    const int64_t d = shape.back();
    std::string name = shape_string(shape);
    cases.push_back({"layer_norm", name + " without weight", {In(shape).range(-2, 2)}, [](Graph&, const Inputs& x) -> Outputs { return {layer_norm(x[0])}; }});
    cases.push_back({"layer_norm", name + " with weight", {In(shape).range(-2, 2), In({d}).range(0.5, 1.5)},
                     [](Graph&, const Inputs& x) -> Outputs { return {layer_norm(x[0], x[1])}; }});
    cases.push_back({"layer_norm", name + " with weight and bias", {In(shape).range(-2, 2), In({d}).range(0.5, 1.5), In({d})},
                     [](Graph&, const Inputs& x) -> Outputs { return {layer_norm(x[0], x[1], x[2])}; }});
  }
  cases.push_back({"layer_norm", "bias only, eps 1e-3", {In({3, 9}), In({9})},
                   [](Graph&, const Inputs& x) -> Outputs { return {layer_norm(x[0], {}, x[1], 1e-3)}; }});
  // Rows around 100 with a spread of 1: f32's rounding of x - mean alone costs about 1e-10.
  cases.push_back({"layer_norm", "rows with a large offset", {In({4, 16}).range(100, 101), In({16})},
                   [](Graph&, const Inputs& x) -> Outputs { return {layer_norm(x[0], x[1])}; }, {.forward = 1e-8, .backward = 1e-7}});

  // Embedding: repeated indices, and out-of-range ones that give zero rows.
  cases.push_back({"embedding", "repeated indices", {In({5, 3}), In::i32({4, 6}, 0, 4)},
                   [](Graph&, const Inputs& x) -> Outputs { return {embedding(x[0], x[1])}; }});
  cases.push_back({"embedding", "out-of-range indices give zero rows", {In({6, 17}), In::i32({9}, 0, 0).values({0, -1, 5, 6, 3, 3, 100, -7, 2})},
                   [](Graph&, const Inputs& x) -> Outputs { return {embedding(x[0], x[1])}; }});
  cases.push_back({"embedding", "a scalar index", {In({4, 5}), In::i32({}, 0, 3)}, [](Graph&, const Inputs& x) -> Outputs { return {embedding(x[0], x[1])}; }});
  cases.push_back({"embedding", "rank-3 indices into a wide table", {In({11, 33}), In::i32({2, 3, 4}, 0, 10)},
                   [](Graph&, const Inputs& x) -> Outputs { return {embedding(x[0], x[1])}; }});

  // Cross-entropy: mean over counted rows; ignore_index and out-of-range targets do not count.
  cases.push_back({"cross_entropy", "[6, 5]", {In({6, 5}).range(-3, 3), In::i32({6}, 0, 4)},
                   [](Graph&, const Inputs& x) -> Outputs { return {cross_entropy(x[0], x[1])}; }});
  cases.push_back({"cross_entropy", "ignore_index -100 and out-of-range targets", {In({7, 4}), In::i32({7}, 0, 0).values({0, -100, 3, 4, -1, 2, 1})},
                   [](Graph&, const Inputs& x) -> Outputs { return {cross_entropy(x[0], x[1])}; }});
  cases.push_back({"counted_targets", "ignore_index -100 and out-of-range targets", {In::i32({7}, 0, 0).values({0, -100, 3, 4, -1, 2, 1})},
                   [](Graph&, const Inputs& x) -> Outputs { return {counted_targets(x[0])}; }, {}, false});
  cases.push_back({"counted_targets", "a custom ignore_index of 0", {In::i32({2, 3}, 0, 8).values({0, 5, 0, 8, 1, 0})},
                   [](Graph&, const Inputs& x) -> Outputs { return {counted_targets(x[0], 0)}; }, {}, false});
  cases.push_back({"cross_entropy", "a custom ignore_index of 0", {In({2, 3, 9}), In::i32({2, 3}, 0, 8).values({0, 5, 0, 8, 1, 0})},
                   [](Graph&, const Inputs& x) -> Outputs { return {cross_entropy(x[0], x[1], 0)}; }});
  cases.push_back({"cross_entropy", "every target ignored gives 0", {In({3, 4}), In::i32({3}, 0, 0).values({-100, -100, -100})},
                   [](Graph&, const Inputs& x) -> Outputs { return {cross_entropy(x[0], x[1])}; }});
  cases.push_back({"cross_entropy", "a single row of rank 1", {In({37}).range(-5, 5), In::i32({}, 0, 36)},
                   [](Graph&, const Inputs& x) -> Outputs { return {cross_entropy(x[0], x[1])}; }});
  cases.push_back({"cross_entropy", "large logits", {In({4, 6}).range(-60, 60), In::i32({4}, 0, 5)},
                   [](Graph&, const Inputs& x) -> Outputs { return {cross_entropy(x[0], x[1])}; }});
  // A confident prediction: each row's target 12 above the others in [-1, 1], a loss near 3e-4,
  // whose digits a float log-softmax (12.0003 - 12) would lose; rows of 50 cover the 16-lane
  // sums and their tail.
  const std::vector<double> confident = [] {
    const std::vector<int64_t> targets{7, 23, 49};
    std::vector<double> logits(3 * 50);
    for (size_t i = 0; i < logits.size(); ++i) logits[i] = std::sin(0.7 * static_cast<double>(i));
    for (size_t row = 0; row < targets.size(); ++row) logits[row * 50 + static_cast<size_t>(targets[row])] = 12;
    return logits;
  }();
  cases.push_back({"cross_entropy", "a confident prediction keeps the digits of its small loss",
                   {In({3, 50}).values(confident), In::i32({3}, 0, 0).values({7, 23, 49})},
                   [](Graph&, const Inputs& x) -> Outputs { return {cross_entropy(x[0], x[1])}; }});

  // dropout draws its mask from the graph's random counter: the same on the reference and backends.
  cases.push_back({"dropout", "p = 0.3 on [4, 33]", {In({4, 33})}, [](Graph&, const Inputs& x) -> Outputs { return {dropout(x[0], 0.3)}; }});
  cases.push_back({"dropout", "p = 0.5 on a rank-3 tensor, used twice", {In({2, 3, 5})},
                   [](Graph&, const Inputs& x) -> Outputs { return {dropout(x[0], 0.5), dropout(x[0], 0.5)}; }});
  cases.push_back({"dropout", "not training passes values through", {In({3, 4})}, [](Graph&, const Inputs& x) -> Outputs { return {dropout(x[0], 0.5, false) * 1.0}; }});

  cases.push_back({"one_hot", "out-of-range indices give zero rows", {In::i32({7}, 0, 0).values({0, 3, 1, -1, 4, 2, 2})},
                   [](Graph&, const Inputs& x) -> Outputs { return {one_hot(x[0], 4)}; }, {}, false});
  cases.push_back({"one_hot", "rank-2 indices", {In::i32({3, 5}, 0, 9)}, [](Graph&, const Inputs& x) -> Outputs { return {one_hot(x[0], 10)}; }, {}, false});
  cases.push_back({"one_hot", "as a loss weight", {In({6, 5}), In::i32({6}, 0, 4)},
                   [](Graph&, const Inputs& x) -> Outputs { return {sum(log_softmax(x[0]) * one_hot(x[1], 5), {-1})}; }});

  // Attention: output and weights, with a padding mask, causal masking and a given scale.
  auto attention = [](bool causal, std::optional<double> scale, bool with_mask) {
    return [=](Graph&, const Inputs& x) -> Outputs {
      Attention a = scaled_dot_product_attention(x[0], x[1], x[2], {with_mask ? x[3] : Tensor{}, causal, scale});
      return {a.output, a.weights};
    };
  };
  cases.push_back({"scaled_dot_product_attention", "[2, 3, 4] queries over [2, 5, *] keys", {In({2, 3, 4}), In({2, 5, 4}), In({2, 5, 6})},
                   attention(false, std::nullopt, false)});
  cases.push_back({"scaled_dot_product_attention", "a padding mask with a fully masked row",
                   {In({2, 3, 4}), In({2, 5, 4}), In({2, 5, 6}), In({3, 5}).values(mask_values(3, 5, 2)).no_grad()},
                   attention(false, std::nullopt, true)});
  cases.push_back({"scaled_dot_product_attention", "causal, fewer queries than keys", {In({2, 3, 4}), In({2, 5, 4}), In({2, 5, 6})},
                   attention(true, std::nullopt, false)});
  cases.push_back({"scaled_dot_product_attention", "causal self-attention with heads and a scale",
                   {In({2, 2, 7, 8}), In({2, 2, 7, 8}), In({2, 2, 7, 8})}, attention(true, 0.5, false)});
  cases.push_back({"scaled_dot_product_attention", "a key mask broadcast over heads and queries",
                   {In({2, 2, 3, 4}), In({2, 2, 5, 4}), In({2, 2, 5, 3}), In({2, 1, 1, 5}).values({1, 1, 0, 1, 0, 1, 1, 1, 1, 0}).no_grad()},
                   attention(false, std::nullopt, true)});
  return cases;
}

}  // namespace heed::test
