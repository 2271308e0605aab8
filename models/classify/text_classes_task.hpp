#pragma once
// classify's task: labelled texts (a label<TAB>text file, or by default four categories of
// Debian's fortunes), the class names stored in the configuration, accuracy against the
// majority class on a held-out tenth (or --valid), and a text's class with the attention over
// its words.
#include <heed/data/labelled_text.hpp>
#include <heed/models/classify.hpp>
#include <heed/train/explanation.hpp>

#include <memory>

namespace heed::models {

std::unique_ptr<train::Task> make_text_classes_task(train::TaskOptions options);

// One text through the model: its class, every class's probability and the pooling attention,
// summed over each word for people (the JSON also holds it per byte).
// `model` is an explanation graph (compile_explanation) unless the method is raw attention.
train::Prediction predict_classify(Program& program, const BuiltModel& model, const ClassifyConfig& config, const std::string& text,
                                   int32_t label, train::ExplainMethod method);

}  // namespace heed::models
