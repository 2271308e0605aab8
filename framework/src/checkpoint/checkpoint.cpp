// Model-level checkpoints: the persistent values of a compiled program, saved under their node
// names. Loading compares the whole file with what the model expects before writing anything,
// so a user sees every mismatch in one message and a bad file never half-loads a model.
#include <heed/checkpoint.hpp>
#include <heed/error.hpp>

#include <set>

namespace heed {

namespace {

void check_unique_names(const std::vector<Tensor>& values, std::string_view what, const std::filesystem::path& path) {
  std::set<std::string_view> seen;
  for (const Tensor& value : values) {
    if (!value.valid()) fail("{} {}: an invalid (default-constructed) tensor was given", what, path.string());
    if (!is_persistent(value.node().op)) fail("{} {}: {} is not a parameter or state", what, path.string(), describe(value));
    if (value.name().empty()) fail("{} {}: {} has no name", what, path.string(), describe(value));
    if (!seen.insert(value.name()).second) fail("{} {}: the name '{}' is given twice", what, path.string(), value.name());
  }
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += fmt::format("{}'{}'", text.empty() ? "" : ", ", name);
  return text;
}

}  // namespace

void save_checkpoint(Program& program, const std::vector<Tensor>& values, const std::filesystem::path& path, const Metadata& metadata) {
  check_unique_names(values, "save_checkpoint", path);
  std::map<std::string, HostTensor> tensors;
  for (const Tensor& value : values) tensors.emplace(value.name(), program.read(value));
  save_safetensors(path, tensors, metadata);
}

Metadata load_checkpoint(Program& program, const std::vector<Tensor>& expected, const std::filesystem::path& path,
                         const LoadCheckpointOptions& options) {
  check_unique_names(expected, "load_checkpoint", path);
  Safetensors file = load_safetensors(path);

  // Another model's checkpoint would mismatch on every name; saying which model it is, alone,
  // is the useful message. A file without the key (written by a tool that stores no metadata)
  // is judged by its names and shapes.
  if (!options.model.empty()) {
    auto model = file.metadata.find(metadata_model_key);
    if (model != file.metadata.end() && model->second != options.model)
      fail("checkpoint {}: this checkpoint is of model '{}', not '{}'", path.string(), model->second, options.model);
  }

  std::vector<std::string> missing, unexpected, wrong;
  std::set<std::string_view> expected_names;
  for (const Tensor& value : expected) {
    expected_names.insert(value.name());
    auto found = file.tensors.find(value.name());
    if (found == file.tensors.end()) {
      if (!options.allow_missing) missing.push_back(value.name());
      continue;
    }
    const HostTensor& stored = found->second;
    if (stored.shape() != value.shape())
      wrong.push_back(fmt::format("'{}' has shape {} in the file, {} in the model", value.name(), shape_string(stored.shape()),
                                  shape_string(value.shape())));
    if (stored.dtype() != value.dtype())
      wrong.push_back(fmt::format("'{}' has dtype {} in the file, {} in the model", value.name(), dtype_name(stored.dtype()),
                                  dtype_name(value.dtype())));
  }
  if (!options.allow_unexpected)
    for (const auto& [name, tensor] : file.tensors)
      if (!expected_names.contains(name)) unexpected.push_back(name);

  if (!missing.empty() || !unexpected.empty() || !wrong.empty()) {
    std::string report;
    if (!missing.empty()) report += fmt::format("\n  missing from the file ({}): {}", missing.size(), quoted_list(missing));
    if (!unexpected.empty()) report += fmt::format("\n  not in the model ({}): {}", unexpected.size(), quoted_list(unexpected));
    for (const std::string& line : wrong) report += "\n  " + line;
    fail("checkpoint {} does not match the model ({} missing, {} unexpected, {} wrong shape or dtype):{}", path.string(), missing.size(),
         unexpected.size(), wrong.size(), report);
  }

  for (const Tensor& value : expected) {
    auto found = file.tensors.find(value.name());
    if (found != file.tensors.end()) program.write(value, found->second);
  }
  return std::move(file.metadata);
}

}  // namespace heed
