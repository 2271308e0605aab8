// The communicator registry: finds libheed-communicator-<name>.so where the backends are, checks
// its ABI version and keeps the one communicator it creates until the process exits (a job is
// joined once per process). Global state of the kind the design allows: a registry.
#include "../module_folders.hpp"

#include <heed/communication/module.hpp>
#include <heed/error.hpp>

#include <dlfcn.h>

#include <map>
#include <mutex>

namespace heed {

namespace {

struct Joined {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<Communicator>, std::less<>> communicators;
};

Joined& joined() {
  static Joined instance;
  return instance;
}

const CommunicatorModule& open_module(const std::string& name) {
  std::vector<std::string> folders = module_search_folders();
  std::map<std::string, std::string> modules = find_modules(folders, "libheed-communicator-");
  auto found = modules.find(name);
  if (found == modules.end()) {
    std::vector<std::string> names;
    for (const auto& entry : modules) names.push_back(entry.first);
    fail("no communicator module '{}' (libheed-communicator-{}.so); found: {}. heed builds the 'mpi' module only where Open MPI's "
         "development files (libopenmpi-dev) were installed. Searched:\n  {}",
         name, name, names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", ")), fmt::join(folders, "\n  "));
  }
  const std::string& path = found->second;
  dlerror();
  // Kept loaded until exit, like the backends: the communicator's code must outlive it.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    const char* why = dlerror();
    fail("cannot load the communicator module {}: {}", path, why ? why : "unknown error");
  }
  using EntryPoint = const CommunicatorModule* (*)();
  auto entry_point = reinterpret_cast<EntryPoint>(dlsym(handle, "heed_communicator_entry"));
  if (!entry_point) fail("{} has no heed_communicator_entry function", path);
  const CommunicatorModule* module = entry_point();
  if (!module || module->abi_version != communicator_abi_version)
    fail("{} was built for communicator ABI version {}, this heed needs version {}; rebuild it", path, module ? module->abi_version : 0,
         communicator_abi_version);
  return *module;
}

}  // namespace

Communicator& join_job(std::string_view name) {
  Joined& state = joined();
  std::lock_guard lock(state.mutex);
  if (auto existing = state.communicators.find(name); existing != state.communicators.end()) return *existing->second;
  std::string key(name);
  std::unique_ptr<Communicator> communicator = open_module(key).create();
  if (!communicator) fail("the communicator module '{}' created no communicator", key);
  return *state.communicators.emplace(key, std::move(communicator)).first->second;
}

}  // namespace heed
