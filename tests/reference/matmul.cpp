// Batched matmul with optional transposes and numpy-broadcast batch axes.
#include "indexing.hpp"
#include "reference.hpp"

namespace heed::reference {

namespace {

Array matmul(const Node& node, Inputs inputs) {
  const Array &a = *inputs[0], &b = *inputs[1];
  const bool ta = node.attrs.transpose_a, tb = node.attrs.transpose_b;
  const int64_t a_rows = a.shape[a.shape.size() - 2], a_cols = a.shape.back();
  const int64_t b_rows = b.shape[b.shape.size() - 2], b_cols = b.shape.back();
  const int64_t m = ta ? a_cols : a_rows, k = ta ? a_rows : a_cols, n = tb ? b_rows : b_cols;
  Shape batch(node.shape.begin(), node.shape.end() - 2);
  Shape batch_a(a.shape.begin(), a.shape.end() - 2), batch_b(b.shape.begin(), b.shape.end() - 2);
  std::vector<int64_t> map_a = broadcast_map(batch, batch_a), map_b = broadcast_map(batch, batch_b);
  Array out(f32, node.shape);
  for (int64_t batch_index = 0; batch_index < element_count(batch); ++batch_index) {
    const int64_t base_a = map_a[static_cast<size_t>(batch_index)] * a_rows * a_cols;
    const int64_t base_b = map_b[static_cast<size_t>(batch_index)] * b_rows * b_cols;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double total = 0;
        for (int64_t p = 0; p < k; ++p) {
          double x = ta ? a[base_a + p * a_cols + i] : a[base_a + i * a_cols + p];
          double y = tb ? b[base_b + j * b_cols + p] : b[base_b + p * b_cols + j];
          total += x * y;
        }
        out[(batch_index * m + i) * n + j] = total;
      }
  }
  return out;
}

}  // namespace

void add_matmul_kernels(KernelTable& table) { table.add(Op::Matmul, matmul); }

}  // namespace heed::reference
