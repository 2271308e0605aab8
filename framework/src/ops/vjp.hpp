#pragma once
// VJPs of every differentiable op, each defined beside its builder in ops/<family>.cpp and
// listed in op_table.cpp. Internal to the core.
#include <heed/graph.hpp>
#include <heed/ops.hpp>

namespace heed::vjp {

#define HEED_VJP(name) std::vector<Tensor> name(Graph& graph, const Node& node, Tensor output, Tensor grad)
HEED_VJP(neg);
HEED_VJP(exp);
HEED_VJP(log);
HEED_VJP(sqrt);
HEED_VJP(rsqrt);
HEED_VJP(tanh);
HEED_VJP(sigmoid);
HEED_VJP(relu);
HEED_VJP(gelu);
HEED_VJP(cast);
HEED_VJP(add);
HEED_VJP(sub);
HEED_VJP(mul);
HEED_VJP(div);
HEED_VJP(pow);
HEED_VJP(where);
HEED_VJP(sum);
HEED_VJP(max);
HEED_VJP(reshape);
HEED_VJP(permute);
HEED_VJP(concat);
HEED_VJP(broadcast);
HEED_VJP(matmul);
HEED_VJP(softmax);
HEED_VJP(log_softmax);
HEED_VJP(layer_norm);
HEED_VJP(embedding);
HEED_VJP(cross_entropy);
HEED_VJP(attention);
HEED_VJP(all_reduce);
#undef HEED_VJP

}  // namespace heed::vjp

namespace heed::detail {

// Input i of a node as a tensor handle.
inline Tensor input(Graph& graph, const Node& node, size_t i) { return graph.tensor(node.inputs.at(i)); }

void expect_dtype(std::string_view op, const Tensor& x, DType dtype);
void expect_same_dtype(std::string_view op, const Tensor& a, const Tensor& b);

}  // namespace heed::detail
