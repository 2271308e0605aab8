#pragma once
// Texts with class labels for classify: a UTF-8 file of `label<TAB>text` lines, or by default
// fortunes of Debian's fortunes package labelled by the file they come from. Class indices
// follow the label names in sorted order, so the same data always gives the same indices.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace heed::data {

struct LabelledText {
  std::string text;  // UTF-8 bytes
  int32_t label = 0;
  int64_t line = 0;  // where it starts in its file, from 1
};

struct LabelledTexts {
  std::vector<std::string> labels;  // class names; index = class
  std::vector<LabelledText> examples;
};

// The categories the default data draws on: four files of the English fortunes whose subjects
// differ, 3676 fortunes in all.
const std::vector<std::string>& default_fortune_categories();

// Every `label<TAB>text` line of `path`; the text is what follows the first tab. Blank lines are
// skipped and a trailing carriage return dropped. A line without a tab, with an empty label or
// text, or with invalid UTF-8 is a heed::Error naming the file and line. With `labels` given (a
// trained model's classes) a label outside them is an error naming it; otherwise the classes
// are the labels found, at least two.
LabelledTexts read_labelled_texts(const std::filesystem::path& path, const std::vector<std::string>& labels = {});

// The fortunes of each category file in `directory` (fortunes are separated by lines holding
// "%"), labelled by category. A missing file names the Debian package that provides it.
LabelledTexts read_fortune_categories(const std::filesystem::path& directory, const std::vector<std::string>& categories);

// A fixed tenth of any data set, chosen by a hash of the example's index: held out whatever
// order the examples come in (a file sorted by label loses no class).
bool in_held_out_tenth(int64_t index);

// Appends the first `length` bytes of `text` to tokens (0-padded) and their mask (1 at real
// bytes); returns whether the text was cut.
bool append_bytes(const std::string& text, int64_t length, std::vector<int32_t>& tokens, std::vector<float>& mask);

}  // namespace heed::data
