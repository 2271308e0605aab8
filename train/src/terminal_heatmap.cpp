#include <heed/train/terminal_heatmap.hpp>

#include <heed/train/image.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <unistd.h>

namespace heed::train {

namespace {

// The xterm 6 x 6 x 6 colour cube entry nearest a colour.
int cube_index(Colour colour) {
  auto level = [](uint8_t value) { return static_cast<int>(std::lround(value / 255.0 * 5)); };
  return 16 + 36 * level(colour.r) + 6 * level(colour.g) + level(colour.b);
}

std::string cell(double share, bool colour) {
  if (colour) return fmt::format("\x1b[48;5;{}m  \x1b[0m", cube_index(viridis(share)));
  static constexpr const char* shades[] = {"  ", "\u2591\u2591", "\u2592\u2592", "\u2593\u2593", "\u2588\u2588"};
  return shades[std::clamp(static_cast<int>(std::lround(share * 4)), 0, 4)];
}

// Display width of a label, counting each UTF-8 sequence once.
size_t width_of(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

std::string shown(const std::string& label) { return label.size() == 1 ? label_of(static_cast<unsigned char>(label[0])) : label; }

}  // namespace

bool stdout_takes_colour() {
  const char* no_colour = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) == 1 && !(no_colour && *no_colour);
}

namespace {

// The words wrapped at 78 columns, each on its shade: a coloured background, or without colour
// a shade block after the word.
std::string render_running_text(const AttentionMap& map, bool colour) {
  std::string out = fmt::format("{}\n", map.title), line;
  size_t line_width = 0;
  for (size_t c = 0; c < map.columns.size(); ++c) {
    const std::string& word = map.columns[c];
    double share = map.share(0, c);
    std::string shaded = colour ? fmt::format("\x1b[48;5;{};{}m{}\x1b[0m", cube_index(viridis(share)), share > 0.6 ? 30 : 97, word)
                                : word + cell(share, false).substr(0, cell(share, false).size() / 2);
    size_t width = width_of(word) + (colour ? 0 : 1);
    if (line_width > 0 && line_width + 1 + width > 78) {
      out += line + "\n";
      line.clear();
      line_width = 0;
    }
    line += (line_width > 0 ? " " : "") + shaded;
    line_width += (line_width > 0 ? 1 : 0) + width;
  }
  if (!line.empty()) out += line + "\n";
  out += fmt::format("shade: share of the largest weight, {:.3f}\n", map.peak());
  return out;
}

}  // namespace

std::string render_terminal(const AttentionMap& map, bool colour, size_t max_cells) {
  if (map.running_text) return render_running_text(map, colour);
  size_t rows = map.rows.size(), columns = map.columns.size();
  size_t first_row = rows > max_cells ? rows - max_cells : 0, first_column = columns > max_cells ? columns - max_cells : 0;
  float peak = map.peak();
  size_t label_width = 0;
  for (size_t r = first_row; r < rows; ++r) label_width = std::max(label_width, width_of(shown(map.rows[r])));

  std::string out = fmt::format("{}\n", map.title);
  // Column labels are single characters (dates, charlm) or digits (vit): one glyph a cell.
  out += std::string(label_width + 1, ' ');
  for (size_t c = first_column; c < columns; ++c) out += shown(map.columns[c].substr(0, 1)) + " ";
  out += "\n";
  for (size_t r = first_row; r < rows; ++r) {
    std::string label = shown(map.rows[r]);
    out += std::string(label_width - width_of(label), ' ') + label + " ";
    for (size_t c = first_column; c < columns; ++c) out += cell(map.share(r, c), colour);
    out += "\n";
  }
  out += map.by_row ? fmt::format("{}shade: share of each row's largest weight", std::string(label_width + 1, ' '))
                    : fmt::format("{}shade: share of the largest weight, {:.3f}", std::string(label_width + 1, ' '), peak);
  if (first_row > 0 || first_column > 0)
    out += fmt::format(" (the last {} of {} positions; --json or --png show all)", std::min(rows, max_cells), rows);
  out += "\n";
  return out;
}

}  // namespace heed::train
