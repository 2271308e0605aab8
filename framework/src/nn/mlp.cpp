#include <heed/nn.hpp>
#include <heed/ops.hpp>

namespace heed::nn {

MLP::MLP(Graph& graph, const std::string& name, int64_t width, int64_t hidden, double normal_std)
    : fc(graph, name + ".fc", width, hidden, true, normal_std), proj(graph, name + ".proj", hidden, width, true, normal_std) {}

Tensor MLP::operator()(Tensor x) const { return proj(gelu(fc(x))); }

}  // namespace heed::nn
