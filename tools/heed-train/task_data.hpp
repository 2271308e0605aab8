#pragma once
// Where each task's data comes from, shared by training, eval and predict so that all three see
// the same held-out examples.
#include <heed/data/fashion_mnist.hpp>
#include <heed/data/text.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace heed::trainer {

// The held-out dates: the first 1000 examples of this stream (as quality_peer.py, seed 0 + 1000003).
inline constexpr uint64_t dates_held_out_seed = 1'000'003;
inline constexpr int64_t dates_held_out_count = 1000;

// --data for charlm: a text file, or a folder of fortune files; empty: Debian's fortunes.
data::TextData load_text(const std::string& data, int64_t context, uint64_t seed);
// --data for vit: the folder holding the four IDX files; empty: Debian's dataset-fashion-mnist.
std::filesystem::path fashion_directory(const std::string& data);

inline constexpr const char* fashion_class_names[10] = {"t-shirt/top", "trouser", "pullover", "dress", "coat",
                                                        "sandal",      "shirt",   "sneaker",  "bag",   "ankle boot"};

}  // namespace heed::trainer
