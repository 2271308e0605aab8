#include <heed/train/atomic_text.hpp>

#include <heed/error.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include <unistd.h>

namespace heed::train {

namespace {

struct CloseFile {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, CloseFile>;

}  // namespace

void write_text_atomically(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  {
    File file(std::fopen(temporary.c_str(), "wb"));
    if (!file) fail("{}: cannot create it: {}", temporary.string(), std::strerror(errno));
    bool written = std::fwrite(text.data(), 1, text.size(), file.get()) == text.size();
    // fsync before the rename: otherwise a crash could leave the new name pointing at no data.
    written = written && std::fflush(file.get()) == 0 && ::fsync(::fileno(file.get())) == 0;
    if (!written) {
      int error = errno;
      file.reset();
      std::filesystem::remove(temporary);
      fail("{}: writing failed: {}", temporary.string(), std::strerror(error));
    }
    if (std::fclose(file.release()) != 0) fail("{}: closing failed: {}", temporary.string(), std::strerror(errno));
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) fail("{}: cannot rename {} over it: {}", path.string(), temporary.string(), error.message());
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open it for reading", path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) fail("{}: reading failed", path.string());
  return text.str();
}

}  // namespace heed::train
