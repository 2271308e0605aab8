#pragma once
// The reference models as the training API knows them: seq2seq (dates, or pairs), charlm
// (text) and vit (Fashion-MNIST) of shared/MODELS.md, and classify (labelled texts), each with its defaults, graph builder, task and FLOP
// count. heed-train and heed-bench register them at start.
#include <heed/train/registry.hpp>

namespace heed::models {

train::ModelRegistration seq2seq_registration();
train::ModelRegistration charlm_registration();
train::ModelRegistration vit_registration();
train::ModelRegistration classify_registration();

// Registers the four, in that order (seq2seq is heed-train's default). Calling it again
// registers nothing more.
void register_reference_models();

}  // namespace heed::models
