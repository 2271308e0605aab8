#include <heed/nn.hpp>
#include <heed/ops.hpp>

namespace heed::nn {

TransformerBlock::TransformerBlock(Graph& graph, const std::string& name, int64_t width, int64_t heads, int64_t hidden,
                                   bool causal, double normal_std)
    : ln1(graph, name + ".ln1", width),
      ln2(graph, name + ".ln2", width),
      attn(graph, name + ".attn", {.width = width, .heads = heads, .causal = causal, .cross = false, .normal_std = normal_std}),
      mlp(graph, name + ".mlp", width, hidden, normal_std) {}

AttentionOutput TransformerBlock::operator()(Tensor x, Tensor mask) const {
  AttentionOutput attended = attn(ln1(x), mask);
  Tensor y = x + attended.output;
  return {y + mlp(ln2(y)), attended.weights};
}

}  // namespace heed::nn
