#pragma once
// An attention map drawn in the terminal: two columns per cell, rows and columns labelled, each
// weight shaded against the map's largest. With colour, 256-colour backgrounds on the viridis
// scale; without (NO_COLOR, or output that is not a terminal), Unicode shade blocks.
#include <heed/train/prediction.hpp>

#include <string>

namespace heed::train {

// At most `max_cells` of the last rows and columns are drawn (a long charlm context); a note
// says so.
std::string render_terminal(const AttentionMap& map, bool colour, size_t max_cells = 48);

// Whether stdout takes colour: a terminal, and NO_COLOR unset.
bool stdout_takes_colour();

}  // namespace heed::train
