#pragma once
// heed::Error is the one exception type the library throws: its message names the op or
// file and the shapes involved, so that a user can act on it without a debugger.
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace heed {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace heed
