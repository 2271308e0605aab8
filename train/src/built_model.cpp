#include <heed/train/built_model.hpp>

#include <heed/error.hpp>

namespace heed::train {

Tensor BuiltModel::input(const std::string& name) const {
  auto found = inputs.find(name);
  if (found == inputs.end()) {
    std::vector<std::string> names;
    for (const auto& [known, tensor] : inputs) names.push_back(known);
    fail("model input '{}' does not exist; the inputs are {}", name, fmt::join(names, ", "));
  }
  return found->second;
}

std::vector<Feed> BuiltModel::feeds(std::initializer_list<std::pair<std::string, HostView>> values) const {
  std::vector<Feed> result;
  for (const auto& [name, view] : values)
    if (auto found = inputs.find(name); found != inputs.end()) result.push_back({found->second, view});
  return result;
}

}  // namespace heed::train
