// Full and Arange.
#include "reference.hpp"

namespace heed::reference {

namespace {

// A value of an f32 node is the double rounded to float first: that is the value a backend holds.
double rounded(DType dtype, double x) { return dtype == f32 ? static_cast<double>(static_cast<float>(x)) : static_cast<double>(static_cast<int32_t>(x)); }

Array full(const Node& node, Inputs) {
  Array out(node.dtype, node.shape);
  std::fill(out.data.begin(), out.data.end(), rounded(node.dtype, node.attrs.value));
  return out;
}

Array arange(const Node& node, Inputs) {
  Array out(node.dtype, node.shape);
  for (int64_t i = 0; i < out.size(); ++i) out[i] = rounded(node.dtype, node.attrs.value + static_cast<double>(i) * node.attrs.step);
  return out;
}

}  // namespace

void add_creation_kernels(KernelTable& table) {
  table.add(Op::Full, full);
  table.add(Op::Arange, arange);
}

}  // namespace heed::reference
