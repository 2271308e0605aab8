// The backend registry: finds libheed-backend-<name>.so modules, checks their ABI version and
// keeps them loaded for the life of the process. This is the one piece of global state the
// design allows.
#include <heed/backend/module.hpp>
#include <heed/error.hpp>

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

namespace heed {

namespace {

namespace fs = std::filesystem;


struct Entry {
  BackendStatus status;
  bool attempted = false;  // modules load on first use: creating a backend can be slow (a GPU instance)
  // Modules stay loaded until exit: a backend's objects and static data may outlive any scope.
  void* module = nullptr;
  std::shared_ptr<Backend> backend;
};

struct Registry {
  std::mutex mutex;
  bool scanned = false;
  std::vector<std::string> folders;
  std::map<std::string, Entry> entries;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

// The folder of the file this function was linked into: libheed.so wherever it was installed,
// copied or staged, so that modules are found relative to it and not to a path fixed at build time.
fs::path library_folder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&library_folder), &info) == 0 || !info.dli_fname) return {};
  std::error_code error;
  fs::path library = fs::canonical(info.dli_fname, error);
  return error ? fs::path() : library.parent_path();
}

std::vector<std::string> search_folders() {
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
    // An uninstalled build tree: framework/libheed.so beside backends/<name>/.
    fs::path build_backends = library.parent_path() / "backends";
    if (fs::exists(library.parent_path() / "build.ninja", error) && fs::is_directory(build_backends, error))
      for (const auto& item : fs::directory_iterator(build_backends, error))
        if (item.is_directory()) folders.push_back(item.path().string());
  }
  return folders;
}

constexpr std::string_view prefix = "libheed-backend-", suffix = ".so";

void load_module(Entry& entry) {
  if (entry.attempted) return;
  entry.attempted = true;
  dlerror();
  void* handle = dlopen(entry.status.path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    entry.status.detail = fmt::format("cannot load {}: {}", entry.status.path, why ? why : "unknown error");
    return;
  }
  entry.module = handle;
  using EntryPoint = const BackendModule* (*)();
  auto entry_point = reinterpret_cast<EntryPoint>(dlsym(handle, "heed_backend_entry"));
  if (!entry_point) {
    entry.status.detail = fmt::format("{} has no heed_backend_entry function", entry.status.path);
    return;
  }
  const BackendModule* module = entry_point();
  if (!module || module->abi_version != backend_abi_version) {
    entry.status.detail = fmt::format("{} was built for backend ABI version {}, this heed needs version {}; rebuild it",
                                      entry.status.path, module ? module->abi_version : 0, backend_abi_version);
    return;
  }
  try {
    entry.backend = module->create();
    entry.status.loaded = entry.backend != nullptr;
    entry.status.detail = entry.backend ? entry.backend->device() : "the module created no backend";
  } catch (const std::exception& error) {
    entry.status.detail = error.what();
  }
}

void scan(Registry& reg) {
  if (reg.scanned) return;
  reg.scanned = true;
  reg.folders = search_folders();
  for (const std::string& folder : reg.folders) {
    std::error_code error;
    if (!fs::is_directory(folder, error)) continue;
    for (const auto& item : fs::directory_iterator(folder, error)) {
      std::string file = item.path().filename().string();
      if (!file.starts_with(prefix) || !file.ends_with(suffix)) continue;
      std::string name = file.substr(prefix.size(), file.size() - prefix.size() - suffix.size());
      if (name.empty() || reg.entries.contains(name)) continue;  // the first folder in search order wins
      Entry& entry = reg.entries[name];
      entry.status.name = name;
      entry.status.path = item.path().string();
    }
  }
}

std::string available(const Registry& reg) {
  std::vector<std::string> lines;
  for (const auto& [name, entry] : reg.entries)
    lines.push_back(fmt::format("  {} ({})", name,
                                !entry.attempted ? "found" : entry.status.loaded ? "loaded" : "not loaded: " + entry.status.detail));
  return lines.empty() ? std::string("  none") : fmt::format("{}", fmt::join(lines, "\n"));
}

}  // namespace

std::vector<BackendStatus> backends() {
  Registry& reg = registry();
  std::lock_guard lock(reg.mutex);
  scan(reg);
  std::vector<BackendStatus> result;
  for (auto& [name, entry] : reg.entries) {
    load_module(entry);
    result.push_back(entry.status);
  }
  return result;
}

std::vector<std::string> backend_search_folders() {
  Registry& reg = registry();
  std::lock_guard lock(reg.mutex);
  scan(reg);
  return reg.folders;
}

std::shared_ptr<Backend> load_backend(std::string_view requested) {
  std::string name(requested);
  if (name.empty()) {
    const char* from_environment = std::getenv("HEED_BACKEND");
    name = from_environment && *from_environment ? from_environment : "cpu";
  }
  Registry& reg = registry();
  std::lock_guard lock(reg.mutex);
  scan(reg);
  auto found = reg.entries.find(name);
  if (found == reg.entries.end())
    fail("unknown backend '{}'. Available backends:\n{}\nSearched ($HEED_BACKEND_PATH, the executable's folder, the "
         "modules' folder beside libheed):\n  {}",
         name, available(reg), fmt::join(reg.folders, "\n  "));
  load_module(found->second);
  if (!found->second.status.loaded)
    fail("backend '{}' is not available: {}\nAvailable backends:\n{}", name, found->second.status.detail, available(reg));
  return found->second.backend;
}

}  // namespace heed
