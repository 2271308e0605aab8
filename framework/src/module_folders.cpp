#include "module_folders.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>

namespace heed {

namespace {

namespace fs = std::filesystem;

// The folder of the file this function was linked into: libheed.so wherever it was installed,
// copied or staged, so that modules are found relative to it and not to a path fixed at build time.
fs::path library_folder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&library_folder), &info) == 0 || !info.dli_fname) return {};
  std::error_code error;
  fs::path library = fs::canonical(info.dli_fname, error);
  return error ? fs::path() : library.parent_path();
}

}  // namespace

std::vector<std::string> module_search_folders() {
  std::vector<std::string> folders;
  if (const char* path = std::getenv("HEED_BACKEND_PATH"); path && *path) {
    std::string text = path;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find(':', start);
      if (end == std::string::npos) end = text.size();
      if (end > start) folders.push_back(text.substr(start, end - start));
      start = end + 1;
    }
  }
  std::error_code error;
  fs::path executable = fs::read_symlink("/proc/self/exe", error);
  if (!error) folders.push_back(executable.parent_path().string());
  if (fs::path library = library_folder(); !library.empty()) {
    // Installed: <libdir>/libheed.so beside <libdir>/heed/libheed-backend-<name>.so.
    folders.push_back((library / HEED_BACKEND_SUBDIR).string());
    // An uninstalled build tree: framework/libheed.so beside backends/<name>/ and communicators/<name>/.
    if (fs::exists(library.parent_path() / "build.ninja", error))
      for (const char* kind : {"backends", "communicators"}) {
        fs::path modules = library.parent_path() / kind;
        if (!fs::is_directory(modules, error)) continue;
        for (const auto& item : fs::directory_iterator(modules, error))
          if (item.is_directory()) folders.push_back(item.path().string());
      }
  }
  return folders;
}

std::map<std::string, std::string> find_modules(const std::vector<std::string>& folders, std::string_view prefix) {
  constexpr std::string_view suffix = ".so";
  std::map<std::string, std::string> modules;
  for (const std::string& folder : folders) {
    std::error_code error;
    if (!fs::is_directory(folder, error)) continue;
    for (const auto& item : fs::directory_iterator(folder, error)) {
      std::string file = item.path().filename().string();
      if (!file.starts_with(prefix) || !file.ends_with(suffix)) continue;
      std::string name = file.substr(prefix.size(), file.size() - prefix.size() - suffix.size());
      if (!name.empty()) modules.emplace(name, item.path().string());  // emplace keeps the first
    }
  }
  return modules;
}

}  // namespace heed
