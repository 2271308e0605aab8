// The Vulkan backend's device, its report through the registry, and the validation layer.
#include "../support/backends.hpp"

#include <doctest/doctest.h>
#include <heed/heed.hpp>
#include <heed/backend/module.hpp>

#include <dlfcn.h>

#include <cstdlib>
#include <string_view>

namespace heed::test {
namespace {

bool environment_mentions(const char* name, std::string_view text) {
  const char* value = std::getenv(name);
  return value && std::string_view(value).find(text) != std::string_view::npos;
}

TEST_CASE("vulkan: the registry lists the backend as loaded with its device's name, type and driver") {
  bool found = false;
  for (const BackendStatus& status : backends()) {
    if (status.name != "vulkan") continue;
    found = true;
    INFO(status.path << ": " << status.detail);
    // With CI=true (and everywhere else) a missing device is a failure, never a skip.
    CHECK(status.loaded);
    CHECK(status.detail.find("driver") != std::string::npos);
    CHECK(status.detail.find("Vulkan 1.") != std::string::npos);
  }
  CHECK_MESSAGE(found, "libheed-backend-vulkan.so was built but the registry did not find it");
}

TEST_CASE("vulkan: the validation layer is on whenever the environment asks for it") {
  auto vulkan = load_for_test("vulkan");
  REQUIRE(vulkan);
  bool asked = environment_mentions("VK_INSTANCE_LAYERS", "VK_LAYER_KHRONOS_validation") ||
               environment_mentions("HEED_VULKAN_VALIDATION", "1");
  INFO(vulkan->device());
  CHECK((vulkan->device().find("[validation layer on]") != std::string::npos) == asked);
}

// Creates a second backend object straight from the module (the registry keeps the first).
std::shared_ptr<Backend> create_from_module() {
  std::string path;
  for (const BackendStatus& status : backends())
    if (status.name == "vulkan") path = status.path;
  REQUIRE_MESSAGE(!path.empty(), "the registry did not find libheed-backend-vulkan.so");
  void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);  // already loaded: this takes a reference
  REQUIRE(module != nullptr);
  auto entry = reinterpret_cast<const BackendModule* (*)()>(dlsym(module, "heed_backend_entry"));
  const bool has_entry = entry != nullptr;
  REQUIRE_MESSAGE(has_entry, "the module has no heed_backend_entry");
  REQUIRE(entry()->abi_version == backend_abi_version);
  return entry()->create();
}

TEST_CASE("vulkan: HEED_VULKAN_DEVICE chooses the device by index, and a wrong index is an error listing the devices") {
  setenv("HEED_VULKAN_DEVICE", "0", 1);
  CHECK_NOTHROW(create_from_module());
  setenv("HEED_VULKAN_DEVICE", "99", 1);
  try {
    create_from_module();
    FAIL("HEED_VULKAN_DEVICE=99 was accepted");
  } catch (const Error& error) {
    std::string message = error.what();
    INFO(message);
    CHECK(message.find("HEED_VULKAN_DEVICE=99") != std::string::npos);
    CHECK(message.find("0: ") != std::string::npos);
  }
  unsetenv("HEED_VULKAN_DEVICE");
}

TEST_CASE("vulkan: values persist across runs and write() reaches the device") {
  auto vulkan = load_for_test("vulkan");
  REQUIRE(vulkan);
  Graph g;
  Tensor counter = g.state("counter", HostTensor({3}, std::vector<float>{1, 2, 3}));
  Tensor step = g.input("step", {3});
  assign(counter, counter + step);
  g.output(counter * 2.0);
  Program program = vulkan->compile(g);
  const std::vector<float> ones{1, 1, 1};
  program.run({{step, ones}});
  program.run({{step, ones}});
  HostTensor counted = program.read(counter);
  CHECK(counted.f32()[2] == doctest::Approx(5));
  program.write(counter, HostTensor({3}, std::vector<float>{10, 20, 30}));
  program.run({{step, ones}});
  HostTensor values = program.read(counter);
  CHECK(values.f32()[0] == doctest::Approx(11));
  CHECK(values.f32()[1] == doctest::Approx(21));
  CHECK(values.f32()[2] == doctest::Approx(31));
}

}  // namespace
}  // namespace heed::test
