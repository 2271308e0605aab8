#pragma once
// The --png pictures: a labelled heat map of one attention map (dates: output characters against
// input characters; charlm: the context against itself), or, for vit, the input image and one
// panel per layer with the CLS attention over the patches laid over the image.
#include <heed/train/image.hpp>
#include <heed/train/prediction.hpp>

namespace heed::train {

Image render_matrix(const AttentionMap& map, const std::string& caption);
Image render_image_attention(const Prediction& prediction, const std::string& caption);
// A text's words wrapped into lines, each on the colour of its weight (classify).
Image render_running_text(const AttentionMap& map, const std::string& caption);

// The picture of a prediction, whichever model made it.
Image render_prediction(const Prediction& prediction, const std::string& caption);

}  // namespace heed::train
