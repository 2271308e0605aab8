#include <heed/train/task.hpp>

#include <heed/error.hpp>

namespace heed::train {

BuiltModel Task::build_explanation(int64_t) const {
  fail("--explain: the {} model explains its predictions by its raw attention only", model());
}

Evaluation Task::faithfulness(Program&, const BuiltModel&, int64_t) {
  fail("--faithfulness: the {} model does not measure how faithful its explanations are", model());
}

}  // namespace heed::train
