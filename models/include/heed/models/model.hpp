#pragma once
// What every reference model (shared/MODELS.md) builds: a train::BuiltModel, a graph at one batch
// size with named inputs, its logits, its attention distributions and, when training, its loss.
// The training API (heed/train/) adds the optimiser and compiles it on any backend.
#include <heed/heed.hpp>
#include <heed/train/built_model.hpp>
#include <heed/train/task.hpp>

namespace heed::models {

using train::BuildOptions;
using train::BuiltModel;

}  // namespace heed::models
