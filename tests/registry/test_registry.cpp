// The backend registry: modules are found on $HEED_BACKEND_PATH (tests/meson.build puts the
// build's backend folders and this folder, with libheed-backend-badabi.so, there); a module
// built for another ABI version is refused with the reason; a missing one is explained.
#include "../support/backends.hpp"

#include <doctest/doctest.h>
#include <algorithm>
#include <heed/heed.hpp>
#include <heed/backend/module.hpp>

#include <cstdlib>
#include <functional>
#include <string>

namespace heed::test {
namespace {

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  FAIL_CHECK("no heed::Error was thrown");
  return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_CASE("a module built for another ABI version is refused, and the error names both versions") {
  std::string message = error_of([] { load_backend("badabi"); });
  INFO(message);
  CHECK(contains(message, "badabi"));
  CHECK(contains(message, "ABI"));
  CHECK(contains(message, "999"));
  CHECK(contains(message, std::to_string(backend_abi_version)));
}

TEST_CASE("backends() lists the module with the wrong ABI as not loaded, with the reason") {
  bool listed = false;
  for (const BackendStatus& status : backends()) {
    if (status.name != "badabi") continue;
    listed = true;
    CHECK_FALSE(status.loaded);
    CHECK(contains(status.path, "libheed-backend-badabi.so"));
    CHECK(contains(status.detail, "ABI"));
    CHECK(contains(status.detail, "999"));
  }
  CHECK(listed);
}

TEST_CASE("every backend this build made is listed as loaded, with its device") {
  std::vector<BackendStatus> all = backends();
  for (const std::string& name : backends_under_test()) {
    INFO("backend " << name);
    auto found = std::find_if(all.begin(), all.end(), [&](const BackendStatus& s) { return s.name == name; });
    REQUIRE(found != all.end());
    CHECK_MESSAGE(found->loaded, found->detail);
    CHECK_FALSE(found->detail.empty());
    auto backend = load_for_test(name);
    REQUIRE(backend);
    CHECK(backend->name() == name);
  }
}

TEST_CASE("loading an unknown backend lists the available backends and the folders searched") {
  std::string message = error_of([] { load_backend("nosuch"); });
  INFO(message);
  CHECK(contains(message, "nosuch"));
  CHECK(contains(message, "badabi"));  // an available (if unusable) module is listed
  for (const std::string& name : backends_under_test()) CHECK(contains(message, name));
  const char* path = std::getenv("HEED_BACKEND_PATH");
  REQUIRE(path);
  std::string first_folder = std::string(path).substr(0, std::string(path).find(':'));
  CHECK(contains(message, first_folder));
}

TEST_CASE("an empty name picks $HEED_BACKEND, else cpu") {
  const std::vector<std::string> names = backends_under_test();
  REQUIRE(!names.empty());
  const char* saved = std::getenv("HEED_BACKEND");
  std::string restore = saved ? saved : "";
  unsetenv("HEED_BACKEND");
  if (std::find(names.begin(), names.end(), "cpu") != names.end()) CHECK(load_backend()->name() == "cpu");
  setenv("HEED_BACKEND", names.back().c_str(), 1);
  CHECK(load_backend()->name() == names.back());
  setenv("HEED_BACKEND", "nosuch", 1);
  CHECK(contains(error_of([] { load_backend(); }), "nosuch"));
  if (saved) setenv("HEED_BACKEND", restore.c_str(), 1);
  else unsetenv("HEED_BACKEND");
}

}  // namespace
}  // namespace heed::test
