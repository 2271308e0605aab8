#pragma once
// Text files written the way save_safetensors writes tensors: to `path + ".tmp"`, flushed to the
// disk, then renamed over `path`. A crash or a full disk part way leaves the old file intact, so a
// run folder never holds half a metrics.jsonl or run.json.
#include <filesystem>
#include <string>
#include <string_view>

namespace heed::train {

void write_text_atomically(const std::filesystem::path& path, std::string_view text);

// The whole file; a heed::Error naming it when it cannot be read.
std::string read_text(const std::filesystem::path& path);

}  // namespace heed::train
