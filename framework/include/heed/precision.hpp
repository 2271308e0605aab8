#pragma once
// How a program computes: CompileOptions::precision. f32 is the default and the reference. Under
// bf16, Backend::compile rewrites the graph before planning so that every product (matmul) reads
// bf16 copies of its f32 operands and sums in f32; parameters, gradients, optimiser moments,
// reductions, softmax and normalisation stay f32. The model's own graph is not changed: the
// program is fed, read and written through it.
#include <heed/graph.hpp>

#include <string_view>

namespace heed {

enum class Precision { f32, bf16 };
std::string_view precision_name(Precision precision);
Precision parse_precision(std::string_view text);  // "f32" or "bf16"; else an Error naming both

// The graph a program of `precision` plans (bf16 only: f32 is the graph as built). A value read
// by several products (a weight by its forward and gradient products, an activation by its layer
// and the weight's gradient) is cast once. A product whose result has fewer than 16 rows or
// columns (batch-1 inference, a decoder's step, a small head) stays f32: it is bound by reading
// its operands, which casts would read once more and write again.
RewrittenGraph apply_precision(const Graph& graph, Precision precision);

}  // namespace heed
