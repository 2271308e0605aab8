// Sum and Max over a set of axes, and Argmax along one axis.
#include "indexing.hpp"
#include "reference.hpp"

#include <algorithm>
#include <limits>

namespace heed::reference {

namespace {

// For every element of x, the flat index of the element of the reduced output it falls into
// (the same whether or not reduced axes are kept, since they then have size 1).
std::vector<int64_t> reduced_map(const Shape& shape, const std::vector<int64_t>& axes) {
  Shape kept = shape;
  for (int64_t axis : axes) kept[static_cast<size_t>(axis)] = 1;
  std::vector<int64_t> map(static_cast<size_t>(element_count(shape)));
  for (int64_t flat = 0; flat < element_count(shape); ++flat) {
    std::vector<int64_t> index = unravel(flat, shape);
    for (int64_t axis : axes) index[static_cast<size_t>(axis)] = 0;
    map[static_cast<size_t>(flat)] = ravel(index, kept);
  }
  return map;
}

Array sum(const Node& node, Inputs inputs) {
  const Array& x = *inputs[0];
  Array out(f32, node.shape);
  std::vector<int64_t> map = reduced_map(x.shape, node.attrs.axes);
  for (int64_t i = 0; i < x.size(); ++i) out[map[static_cast<size_t>(i)]] += x[i];
  return out;
}

Array max(const Node& node, Inputs inputs) {
  const Array& x = *inputs[0];
  Array out(f32, node.shape);
  std::fill(out.data.begin(), out.data.end(), -std::numeric_limits<double>::infinity());
  std::vector<int64_t> map = reduced_map(x.shape, node.attrs.axes);
  for (int64_t i = 0; i < x.size(); ++i) {
    double& target = out[map[static_cast<size_t>(i)]];
    target = std::max(target, x[i]);
  }
  return out;
}

Array argmax(const Node& node, Inputs inputs) {
  const Array& x = *inputs[0];
  AxisView view(x.shape, node.attrs.axis);
  Array out(i32, node.shape);
  for (int64_t o = 0; o < view.outer; ++o)
    for (int64_t i = 0; i < view.inner; ++i) {
      int64_t best = 0;
      for (int64_t j = 1; j < view.length; ++j)
        if (x[view.at(o, j, i)] > x[view.at(o, best, i)]) best = j;
      out[o * view.inner + i] = static_cast<double>(best);
    }
  return out;
}

}  // namespace

void add_reduction_kernels(KernelTable& table) {
  table.add(Op::Sum, sum);
  table.add(Op::Max, max);
  table.add(Op::Argmax, argmax);
}

}  // namespace heed::reference
