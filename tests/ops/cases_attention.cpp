// The fused attention op and its backward op: sizes that are not multiples of a vector width or
// of a kernel's tiles, more and fewer queries than keys, masks of every shape and dtype, causal
// masking alone and with a mask, and rows that every key is masked from (uniform weights).
#include "cases.hpp"

#include <algorithm>

namespace heed::test {

namespace {

struct Shapes {
  Shape q, k, v;
};

// The output's (and do's) shape: q's with v's width.
Shape output_shape(const Shapes& s) {
  Shape o = s.q;
  o.back() = s.v.back();
  return o;
}

// A mask that keeps about three positions in four, in a pattern of rows and columns.
std::vector<double> keep_most(int64_t rows, int64_t columns) {
  std::vector<double> values;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c) values.push_back((r * 5 + c * 3) % 4 != 1);
  return values;
}

Builder fused(bool causal, std::optional<double> scale, bool with_mask) {
  return [=](Graph&, const Inputs& x) -> Outputs { return {scaled_dot_product_attention(x[0], x[1], x[2], {with_mask ? x[3] : Tensor{}, causal, scale}).output}; };
}

// The rows' statistics alone, which run a kernel of their own, or beside the attention's output,
// which the forward's kernel then writes too.
Builder statistics(bool causal, std::optional<double> scale, bool with_mask, bool with_output) {
  return [=](Graph&, const Inputs& x) -> Outputs {
    Tensor o = scaled_dot_product_attention(x[0], x[1], x[2], {with_mask ? x[3] : Tensor{}, causal, scale}).output;
    if (with_output) return {attention_statistics(o), o};
    return {attention_statistics(o)};
  };
}

// o and the statistics come from the forward op; do is any upstream gradient.
Builder backward(bool causal, double scale, bool with_mask) {
  return [=](Graph&, const Inputs& x) -> Outputs {
    Tensor mask = with_mask ? x[4] : Tensor{};
    Tensor o = scaled_dot_product_attention(x[0], x[1], x[2], {mask, causal, scale}).output;
    return {attention_backward(x[0], x[1], x[2], o, x[3], attention_statistics(o), mask, causal, scale)};
  };
}

Builder packed(int64_t heads, bool causal, std::optional<double> scale, bool with_mask) {
  return [=](Graph&, const Inputs& x) -> Outputs { return {packed_attention(x[0], heads, {with_mask ? x[1] : Tensor{}, causal, scale})}; };
}

Builder packed_backward(int64_t heads, bool causal, double scale, bool with_mask) {
  return [=](Graph&, const Inputs& x) -> Outputs {
    Tensor mask = with_mask ? x[2] : Tensor{};
    Tensor o = packed_attention(x[0], heads, {mask, causal, scale});
    return {packed_attention_backward(x[0], heads, o, x[1], attention_statistics(o), mask, causal, scale)};
  };
}

// The packed form: qkv [..., T, 3 * heads * D] and its o and do [..., T, heads * D].
void add_packed_cases(std::vector<OpCase>& cases) {
  struct Packed {
    std::string name;
    Shape qkv;
    int64_t heads;
  };
  const std::vector<Packed> shapes{
      {"one head, no batch axes", {5, 3 * 3}, 1},
      {"heads of odd width", {2, 9, 3 * 3 * 5}, 3},
      {"several tiles, ragged ends", {1, 97, 3 * 2 * 16}, 2},
      {"two batch axes", {2, 2, 7, 3 * 2 * 4}, 2},
      // 32 problems and more (batch x heads): the CPU kernels' one task per problem.
      {"many problems", {4, 20, 3 * 8 * 16}, 8},
  };
  for (const auto& [name, qkv, heads] : shapes)
    for (bool causal : {false, true}) {
      std::string label = name + (causal ? ", causal" : "");
      Shape output = qkv;
      output.back() = qkv.back() / 3;
      cases.push_back({"packed_attention", label, {In(qkv).range(-2, 2)}, packed(heads, causal, std::nullopt, false)});
      cases.push_back({"attention_statistics", "packed, " + label, {In(qkv).range(-2, 2)},
                       [=](Graph&, const Inputs& x) -> Outputs { return {attention_statistics(packed_attention(x[0], heads, {{}, causal}))}; }, {},
                       false});
      cases.push_back({"packed_attention_backward", label, {In(qkv).range(-2, 2), In(output)}, packed_backward(heads, causal, 0.6, false), {}, false});
    }
  // A key mask per batch element, broadcast over heads and queries, that hides every key from
  // the second element (its rows are uniform); an i32 mask per head with causal masking.
  std::vector<double> keys{1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0};
  cases.push_back({"packed_attention", "a key mask broadcast over heads and queries",
                   {In({2, 6, 3 * 2 * 4}), In({2, 1, 1, 6}).values(keys).no_grad()}, packed(2, false, std::nullopt, true)});
  cases.push_back({"packed_attention", "causal with an i32 mask per head", {In({2, 6, 3 * 2 * 4}), In::i32({2, 6, 6}, 0, 1)},
                   packed(2, true, 0.3, true)});
  cases.push_back({"packed_attention_backward", "a key mask broadcast over heads and queries",
                   {In({2, 6, 3 * 2 * 4}), In({2, 6, 2 * 4}), In({2, 1, 1, 6}).values(keys).no_grad()}, packed_backward(2, false, 0.5, true), {},
                   false});
  cases.push_back({"packed_attention_backward", "causal with an i32 mask per head",
                   {In({2, 6, 3 * 2 * 4}), In({2, 6, 2 * 4}), In::i32({2, 6, 6}, 0, 1)}, packed_backward(2, true, 0.3, true), {}, false});
}

}  // namespace

std::vector<OpCase> attention_cases() {
  std::vector<OpCase> cases;
  const std::vector<std::pair<std::string, Shapes>> shapes{
      {"rank 2, no batch axes", {{5, 3}, {7, 3}, {7, 2}}},
      {"fewer queries than keys", {{2, 3, 4}, {2, 5, 4}, {2, 5, 6}}},
      {"more queries than keys", {{2, 6, 4}, {2, 4, 4}, {2, 4, 5}}},
      {"heads, odd sizes", {{2, 3, 17, 5}, {2, 3, 19, 5}, {2, 3, 19, 7}}},
      // Longer than one tile of keys and of queries, with partial tiles at the ends.
      {"several tiles, ragged ends", {{2, 70, 16}, {2, 131, 16}, {2, 131, 16}}},
      {"several tiles of self-attention", {{1, 2, 97, 32}, {1, 2, 97, 32}, {1, 2, 97, 8}}},
      // Causal, the first 30 queries see no key: uniform over all 70, the keys of tiles that
      // their query tile skips included.
      {"more queries than keys over several tiles", {{1, 100, 8}, {1, 70, 8}, {1, 70, 4}}},
      // 32 batch elements and more: the CPU backward's other schedule, one task per element.
      {"many batch elements", {{4, 8, 20, 16}, {4, 8, 70, 16}, {4, 8, 70, 16}}},
  };
  for (const auto& [name, s] : shapes)
    for (bool causal : {false, true}) {
      std::string label = name + (causal ? ", causal" : "");
      cases.push_back({"attention", label, {In(s.q).range(-2, 2), In(s.k).range(-2, 2), In(s.v)}, fused(causal, std::nullopt, false)});
      for (bool with_output : {false, true})
        cases.push_back({"attention_statistics", label + (with_output ? ", beside the output" : ""),
                         {In(s.q).range(-2, 2), In(s.k).range(-2, 2), In(s.v)}, statistics(causal, std::nullopt, false, with_output), {}, false});
      const double scale = 0.7;
      cases.push_back({"attention_backward", label, {In(s.q).range(-2, 2), In(s.k).range(-2, 2), In(s.v), In(output_shape(s))},
                       backward(causal, scale, false), {}, false});
    }

  // Masks: keep where non-zero. A row with every key masked is uniform over all keys, as the
  // composite's masked_fill + softmax gives.
  std::vector<double> padding = keep_most(3, 5);
  for (int64_t c = 0; c < 5; ++c) padding[static_cast<size_t>(2 * 5 + c)] = 0;
  cases.push_back({"attention", "a padding mask with a fully masked row",
                   {In({2, 3, 4}), In({2, 5, 4}), In({2, 5, 6}), In({3, 5}).values(padding).no_grad()}, fused(false, std::nullopt, true)});
  cases.push_back({"attention", "a key mask broadcast over heads and queries",
                   {In({2, 2, 3, 4}), In({2, 2, 5, 4}), In({2, 2, 5, 3}), In({2, 1, 1, 5}).values({1, 1, 0, 1, 0, 1, 1, 1, 1, 0}).no_grad()},
                   fused(false, std::nullopt, true)});
  cases.push_back({"attention", "an i32 mask with a given scale", {In({3, 6, 8}), In({3, 9, 8}), In({3, 9, 4}), In::i32({3, 6, 9}, 0, 1)},
                   fused(false, 0.25, true)});
  // Causal and a mask: row 1 sees keys 0 and 1, both masked, so it is fully masked and averages
  // all six values, the ones the causal mask hides included.
  std::vector<double> hide_first_two(36, 1.0);
  hide_first_two[6] = hide_first_two[7] = 0;
  cases.push_back({"attention", "causal with a mask that hides all a row sees",
                   {In({2, 6, 4}), In({2, 6, 4}), In({2, 6, 3}), In({6, 6}).values(hide_first_two).no_grad()}, fused(true, std::nullopt, true)});
  // A fully masked row's logsumexp is masked_logit, as every one of its scores is.
  for (bool with_output : {false, true}) {
    cases.push_back({"attention_statistics", std::string("a padding mask with a fully masked row") + (with_output ? ", beside the output" : ""),
                     {In({2, 3, 4}), In({2, 5, 4}), In({2, 5, 6}), In({3, 5}).values(padding).no_grad()}, statistics(false, std::nullopt, true, with_output),
                     {}, false});
    cases.push_back({"attention_statistics", std::string("causal with a mask that hides all a row sees") + (with_output ? ", beside the output" : ""),
                     {In({2, 6, 4}), In({2, 6, 4}), In({2, 6, 3}), In({6, 6}).values(hide_first_two).no_grad()},
                     statistics(true, std::nullopt, true, with_output), {}, false});
  }
  cases.push_back({"attention", "causal with a mask over several tiles",
                   {In({2, 90, 8}).range(-2, 2), In({2, 90, 8}).range(-2, 2), In({2, 90, 8}), In({90, 90}).values(keep_most(90, 90)).no_grad()},
                   fused(true, std::nullopt, true)});
  // Large scores (up to 1000): only a max-subtracted (online) softmax stays finite. The rows are
  // nearly one-hot, so dq and dk, p (dp - D) with p (1 - p) near 1e-3, are differences of O(1)
  // values in f32 that keep about three digits (NMSE 3e-6 seen): the backward limit says so.
  cases.push_back({"attention", "large scores", {In({2, 5, 4}).range(-8, 8), In({2, 7, 4}).range(-8, 8), In({2, 7, 3})}, fused(false, 4.0, false),
                   {.backward = 3e-5, .step = 1e-6}});

  cases.push_back({"attention_backward", "many batch elements, causal, a mask with a fully masked row",
                   {In({4, 8, 12, 16}), In({4, 8, 70, 16}), In({4, 8, 70, 16}), In({4, 8, 12, 16}), In({12, 70}).values([] {
                      std::vector<double> mask = keep_most(12, 70);
                      std::fill(mask.begin() + 70, mask.begin() + 140, 0.0);
                      return mask;
                    }()).no_grad()},
                   backward(true, 0.5, true), {}, false});
  cases.push_back({"attention_backward", "a padding mask with a fully masked row",
                   {In({2, 3, 4}), In({2, 5, 4}), In({2, 5, 6}), In({2, 3, 6}), In({3, 5}).values(padding).no_grad()}, backward(false, 0.5, true), {},
                   false});
  cases.push_back({"attention_backward", "causal with a mask that hides all a row sees",
                   {In({2, 6, 4}), In({2, 6, 4}), In({2, 6, 3}), In({2, 6, 3}), In({6, 6}).values(hide_first_two).no_grad()},
                   backward(true, 0.5, true), {}, false});
  cases.push_back({"attention_backward", "causal with a mask over several tiles",
                   {In({2, 90, 8}), In({2, 90, 8}), In({2, 90, 8}), In({2, 90, 8}), In({90, 90}).values(keep_most(90, 90)).no_grad()},
                   backward(true, 0.5, true), {}, false});
  add_packed_cases(cases);
  return cases;
}

}  // namespace heed::test
