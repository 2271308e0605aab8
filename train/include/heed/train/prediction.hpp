#pragma once
// What `heed-train predict` shows: the model's output and its attention, as maps that the
// terminal, JSON and PNG renderers all draw from. A model's Task::predict fills one in.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace heed::train {

struct AttentionMap {
  std::string title;
  std::string row_axis, column_axis;  // what the rows and columns are, for the picture's caption
  std::vector<std::string> rows, columns;  // one label each (a character or a short word)
  std::vector<float> weights;              // rows x columns, row-major
  // Shade each row against its own largest weight rather than the map's: a language model's
  // rows spread over up to 128 positions, and against the map's largest (often the first
  // position) they would all look blank.
  bool by_row = false;
  // One row whose columns are the words of a text (a classifier's attention): drawn as the
  // running text with each word shaded, rather than as a grid.
  bool running_text = false;

  float at(size_t row, size_t column) const { return weights[row * columns.size() + column]; }
  // The weight as a share of what it is shaded against, in [0, 1].
  double share(size_t row, size_t column) const;
  float peak() const;  // the map's largest weight
};

struct Prediction {
  std::string output;              // the answer
  std::vector<std::string> notes;  // further lines for people (input, probabilities, expected answer)
  std::vector<AttentionMap> maps;  // dates, charlm: one; vit: one 7 x 7 map per layer
  nlohmann::json json;             // the --json object: output, attention, source, target and more
  std::string caption;             // the picture's caption; empty: the first map's title
  // A model that reads a picture: it, [side, side] in [0, 1], drawn with each map laid over it.
  std::vector<float> image;
  int image_side = 0;
};

// A character as a one-glyph label: a space, a newline and bytes outside printable ASCII get
// visible marks (terminal: UTF-8 symbols; PNG: the font's extra glyphs).
std::string label_of(unsigned char c);

}  // namespace heed::train
