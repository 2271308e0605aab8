// Cross-entropy and its backward op (docs/ops.md). The backward's exponentials run in oneDNN's
// softmax primitive over all rows; the loss is computed per row in double for accuracy.
#include "dnnl_support.hpp"
#include "isa_clones.hpp"
#include "parallel.hpp"
#include "rows.hpp"
#include "vector_math.hpp"

#include <cmath>
#include <cstring>

namespace heed::cpu {

namespace {

bool counts(int64_t target, int64_t ignore_index, int64_t classes) { return target != ignore_index && target >= 0 && target < classes; }

// The sum of exp(x[j] - x[top]) over every j but top, with x[top] the first largest element: all
// its terms are positive, so a float sum keeps the digits that log1p needs. The maximum runs in
// 16 lanes too, as vector_math::lane_sum does the sum: a single running maximum is a chain the
// compiler may not reorder. The loops are plain code over selects, so that they vectorise for
// the instruction set the loader picks.
constexpr int64_t lanes = 16;

HEED_ISA_CLONES float sum_of_others(const float* x, int64_t width, int64_t& top) {
  const int64_t full = width / lanes * lanes;
  float largest = x[0];
  if (full > 0) {
    float lane_max[lanes];
    for (int64_t l = 0; l < lanes; ++l) lane_max[l] = x[l];
    for (int64_t j = lanes; j < full; j += lanes)
      for (int64_t l = 0; l < lanes; ++l) lane_max[l] = x[j + l] > lane_max[l] ? x[j + l] : lane_max[l];
    for (int64_t l = 0; l < lanes; ++l) largest = lane_max[l] > largest ? lane_max[l] : largest;
  }
  for (int64_t j = full; j < width; ++j) largest = x[j] > largest ? x[j] : largest;
  top = 0;
  while (top + 1 < width && !(x[top] == largest)) ++top;
  return vector_math::lane_sum(width, [&](int64_t j) {
    const float term = vector_math::exp(x[j] - largest);
    return j == top ? 0.0f : term;
  });
}

// The sum of p[j] over every j but `skip`.
HEED_ISA_CLONES float sum_except(const float* p, int64_t width, int64_t skip) {
  return vector_math::lane_sum(width, [&](int64_t j) { return j == skip ? 0.0f : p[j]; });
}

// mean over counted rows of logsumexp(row) - row[target]; 0 when no row counts. Computed per
// row as log1p(sum of exp(x - max) over all but the maximum) - (x[target] - max), in double
// from the sum on: a log-softmax in float loses the digits of a small loss (3e-3 came out 5e-4
// relative off).
class CrossEntropyKernel final : public Kernel {
 public:
  CrossEntropyKernel(const CompileContext&, const std::byte* logits, const int32_t* targets, float* output, Rows rows, int64_t ignore_index)
      : row_losses_(rows.rows * 8), logits_(reinterpret_cast<const float*>(logits)), targets_(targets), output_(output), rows_(rows),
        ignore_index_(ignore_index) {}

  void run() override {
    auto* losses = reinterpret_cast<double*>(row_losses_.data());
    const int64_t width = rows_.width;
    parallel_ranges(rows_.rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(width, 1)), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        int64_t target = targets_[row];
        if (!counts(target, ignore_index_, width)) continue;
        const float* x = logits_ + row * width;
        int64_t top = 0;
        const double rest = sum_of_others(x, width, top);
        losses[row] = std::log1p(rest) - (static_cast<double>(x[target]) - static_cast<double>(x[top]));
      }
    });
    // Summed serially in row order, so the result does not depend on the thread count.
    double total = 0;
    int64_t counted = 0;
    for (int64_t row = 0; row < rows_.rows; ++row) {
      if (!counts(targets_[row], ignore_index_, rows_.width)) continue;
      total += losses[row];
      ++counted;
    }
    *output_ = counted == 0 ? 0.0f : static_cast<float>(total / static_cast<double>(counted));
  }

 private:
  AlignedBuffer row_losses_;
  const float* logits_;
  const int32_t* targets_;
  float* output_;
  Rows rows_;
  int64_t ignore_index_;
};

// dlogits = dloss (softmax(row) - one_hot(target)) / count on counted rows, 0 elsewhere: the
// softmax is written straight into dlogits, then scaled in place. At the target, p - 1 is taken
// as minus the sum of the other probabilities: all positive, so it keeps its digits when a
// confident row's p is within a few ulp of 1, where the subtraction would cancel (as the Vulkan
// shader does).
class CrossEntropyBackwardKernel final : public Kernel {
 public:
  CrossEntropyBackwardKernel(const CompileContext& context, const std::byte* logits, const int32_t* targets, const float* dloss, float* dlogits,
                             Rows rows, int64_t ignore_index)
      : softmax_(softmax_primitive(context, false, rows, logits, reinterpret_cast<std::byte*>(dlogits))),
        targets_(targets),
        dloss_(dloss),
        dlogits_(dlogits),
        rows_(rows),
        ignore_index_(ignore_index) {}

  void run() override {
    softmax_->run();
    int64_t counted = 0;
    for (int64_t row = 0; row < rows_.rows; ++row) counted += counts(targets_[row], ignore_index_, rows_.width);
    const float scale = counted == 0 ? 0.0f : static_cast<float>(static_cast<double>(*dloss_) / static_cast<double>(counted));
    parallel_ranges(rows_.rows, row_grain(rows_), [&](int64_t begin, int64_t end) {
      for (int64_t row = begin; row < end; ++row) {
        float* dx = dlogits_ + row * rows_.width;
        int64_t target = targets_[row];
        if (!counts(target, ignore_index_, rows_.width)) {
          std::memset(dx, 0, static_cast<size_t>(rows_.width) * sizeof(float));
          continue;
        }
        const float others = sum_except(dx, rows_.width, target);
        for (int64_t i = 0; i < rows_.width; ++i) dx[i] *= scale;
        dx[target] = -scale * others;
      }
    });
  }

 private:
  std::unique_ptr<Kernel> softmax_;
  const int32_t* targets_;
  const float* dloss_;
  float* dlogits_;
  Rows rows_;
  int64_t ignore_index_;
};

}  // namespace

std::unique_ptr<Kernel> make_cross_entropy(const CompileContext& context, NodeRef node) {
  return std::make_unique<CrossEntropyKernel>(context, context.input_address(node.node, 0),
                                              reinterpret_cast<const int32_t*>(context.input_address(node.node, 1)),
                                              reinterpret_cast<float*>(context.address(node.id)), rows_of(context.input(node.node, 0).shape),
                                              node.node.attrs.ignore_index);
}

std::unique_ptr<Kernel> make_cross_entropy_backward(const CompileContext& context, NodeRef node) {
  Rows rows = rows_of(node.node.shape);
  if (rows.rows == 0) return nullptr;
  return std::make_unique<CrossEntropyBackwardKernel>(context, context.input_address(node.node, 0),
                                                      reinterpret_cast<const int32_t*>(context.input_address(node.node, 1)),
                                                      reinterpret_cast<const float*>(context.input_address(node.node, 2)),
                                                      reinterpret_cast<float*>(context.address(node.id)), rows, node.node.attrs.ignore_index);
}

}  // namespace heed::cpu
