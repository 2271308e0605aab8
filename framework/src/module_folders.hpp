#pragma once
// Where the registries of backends and communicators look for their modules, and what they find
// there. Internal to the core.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace heed {

// In order: $HEED_BACKEND_PATH, the executable's folder, the heed/ folder beside the installed
// libheed, and an uninstalled build tree's backends/ and communicators/ folders.
std::vector<std::string> module_search_folders();

// The files <prefix><name>.so in `folders`, by name; where two folders hold one name, the first
// in order wins.
std::map<std::string, std::string> find_modules(const std::vector<std::string>& folders, std::string_view prefix);

}  // namespace heed
