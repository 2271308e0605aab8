// The backend registry: finds libheed-backend-<name>.so modules, checks their ABI version and
// keeps them loaded for the life of the process. This is the one piece of global state the
// design allows.
#include "module_folders.hpp"

#include <heed/backend/module.hpp>
#include <heed/error.hpp>

#include <dlfcn.h>

#include <cstdlib>
#include <map>
#include <mutex>

namespace heed {

namespace {

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
  reg.folders = module_search_folders();
  for (const auto& [name, path] : find_modules(reg.folders, "libheed-backend-")) {
    Entry& entry = reg.entries[name];
    entry.status.name = name;
    entry.status.path = path;
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
