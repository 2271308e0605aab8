#pragma once
// Checkpoints are .safetensors files, the format PyTorch users already exchange, so a model
// trained here loads into the PyTorch twin of shared/bench/torch_models.py and back.
//
// File layout: an 8-byte little-endian header length N, N bytes of JSON (padded with spaces to a
// multiple of 8), then the raw little-endian tensor data. The JSON maps each tensor name to
// {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the data), plus an
// optional "__metadata__" object of string values. heed stores F32 and I32 tensors; by
// convention metadata["model"] is the model's name and metadata["config"] its configuration as
// JSON text.
#include <heed/backend.hpp>
#include <heed/host_tensor.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace heed {

using Metadata = std::map<std::string, std::string>;

struct Safetensors {
  std::map<std::string, HostTensor> tensors;
  Metadata metadata;
};

// Writes the tensors (names sorted, data in that order) to `path + ".tmp"`, flushes it to disk
// and renames it over `path`, so a failed write never destroys an existing file. Throws a
// heed::Error naming the file when it cannot.
void save_safetensors(const std::filesystem::path& path, const std::map<std::string, HostTensor>& tensors,
                      const Metadata& metadata = {});

// Reads a whole .safetensors file. Every way the file can be wrong (missing, truncated, a header
// length past the end, malformed JSON, a dtype other than F32 or I32, data offsets that disagree
// with the shape, overlap or run past the end) is a heed::Error naming the file and the tensor.
Safetensors load_safetensors(const std::filesystem::path& path);

// The conventional metadata keys.
inline constexpr const char* metadata_model_key = "model";
inline constexpr const char* metadata_config_key = "config";

// Saves the current values of persistent graph values (parameters, optimiser state, counters)
// of a compiled program under their node names.
void save_checkpoint(Program& program, const std::vector<Tensor>& values, const std::filesystem::path& path,
                     const Metadata& metadata = {});

struct LoadCheckpointOptions {
  std::string model;              // when set, metadata["model"] must equal it
  bool allow_missing = false;     // expected values absent from the file keep their current values
  bool allow_unexpected = false;  // tensors in the file that nothing expects are ignored
};

// Checks the file against `expected` (every name, shape and dtype) and throws one heed::Error
// that lists every mismatch at once: missing names, unexpected names, wrong shapes (file and
// model shape), wrong dtypes, another model's checkpoint. Only when all agree does it write the
// values into the program. Returns the file's metadata (the caller may read its config).
Metadata load_checkpoint(Program& program, const std::vector<Tensor>& expected, const std::filesystem::path& path,
                         const LoadCheckpointOptions& options = {});

}  // namespace heed
