#include "model.hpp"

namespace heed::models {

Tensor BuiltModel::input(const std::string& name) const {
  auto found = inputs.find(name);
  if (found == inputs.end()) {
    std::vector<std::string> names;
    for (const auto& [known, tensor] : inputs) names.push_back(known);
    fail("model input '{}' does not exist; the inputs are {}", name, fmt::join(names, ", "));
  }
  return found->second;
}

}  // namespace heed::models
