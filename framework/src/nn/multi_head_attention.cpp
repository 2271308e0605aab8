#include <heed/error.hpp>
#include <heed/nn.hpp>
#include <heed/ops.hpp>

namespace heed::nn {

MultiHeadAttention::MultiHeadAttention(Graph& graph, const std::string& name, AttentionOptions options_) : options(options_) {
  int64_t d = options.width;
  if (d <= 0 || options.heads <= 0 || d % options.heads != 0)
    fail("MultiHeadAttention '{}': width {} must be a positive multiple of heads {}", name, d, options.heads);
  if (options.cross) {
    q = Linear(graph, name + ".q", d, d, true, options.normal_std);
    kv = Linear(graph, name + ".kv", d, 2 * d, true, options.normal_std);
  } else {
    qkv = Linear(graph, name + ".qkv", d, 3 * d, true, options.normal_std);
  }
  proj = Linear(graph, name + ".proj", d, d, true, options.normal_std);
}

namespace {

// [B, T, parts * d] -> parts tensors [B, heads, T, d / heads]; heads are consecutive chunks.
std::vector<Tensor> split_heads(Tensor x, int64_t parts, int64_t heads) {
  int64_t batch = x.dim(0), steps = x.dim(1), head_width = x.dim(2) / parts / heads;
  Tensor grouped = permute(reshape(x, {batch, steps, parts, heads, head_width}), {2, 0, 3, 1, 4});
  std::vector<Tensor> result;
  for (int64_t p = 0; p < parts; ++p) result.push_back(reshape(slice(grouped, 0, p, p + 1), {batch, heads, steps, head_width}));
  return result;
}

void expect_sequence(const MultiHeadAttention& attention, const Tensor& x) {
  if (x.rank() != 3 || x.dim(-1) != attention.options.width)
    fail("MultiHeadAttention '{}': expects [batch, steps, {}], got {}", attention.proj.weight.name(), attention.options.width,
         describe(x));
}

}  // namespace

AttentionOutput MultiHeadAttention::attend(Tensor queries, Tensor keys, Tensor values, Tensor mask) const {
  Attention attention =
      scaled_dot_product_attention(queries, keys, values, {.mask = mask, .causal = options.causal, .fused = !options.differentiable_weights});
  Tensor merged = permute(attention.output, {0, 2, 1, 3});  // [B, T, heads, head width]
  return {proj(reshape(merged, {merged.dim(0), merged.dim(1), options.width})), attention.weights};
}

AttentionOutput MultiHeadAttention::operator()(Tensor x, Tensor mask) const {
  if (options.cross) fail("MultiHeadAttention '{}': cross-attention needs the memory to attend to", proj.weight.name());
  expect_sequence(*this, x);
  // The fused op reads the heads where the projection leaves them. The weights come from the
  // heads split apart, nodes that are planned only when something reads them.
  Tensor projected = qkv(x);
  std::vector<Tensor> parts = split_heads(projected, 3, options.heads);
  if (options.differentiable_weights) {
    Attention attention = scaled_dot_product_attention(parts[0], parts[1], parts[2], {.mask = mask, .causal = options.causal, .fused = false});
    Tensor merged = permute(attention.output, {0, 2, 1, 3});
    return {proj(reshape(merged, {merged.dim(0), merged.dim(1), options.width})), attention.weights};
  }
  Tensor output = packed_attention(projected, options.heads, {.mask = mask, .causal = options.causal});
  return {proj(output), scaled_dot_product_attention(parts[0], parts[1], parts[2], {.mask = mask, .causal = options.causal, .fused = false}).weights};
}

AttentionOutput MultiHeadAttention::operator()(Tensor queries, Tensor memory, Tensor mask) const {
  if (!options.cross) fail("MultiHeadAttention '{}': built for self-attention, not cross-attention", proj.weight.name());
  expect_sequence(*this, queries);
  expect_sequence(*this, memory);
  if (queries.dim(0) != memory.dim(0)) fail("MultiHeadAttention '{}': batch of {} and {} differ", proj.weight.name(), describe(queries), describe(memory));
  std::vector<Tensor> key_values = split_heads(kv(memory), 2, options.heads);
  return attend(split_heads(q(queries), 1, options.heads)[0], key_values[0], key_values[1], mask);
}

}  // namespace heed::nn
