#include "atomic_file.hpp"

#include <heed/error.hpp>

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace heed::detail {

namespace {

std::string last_error() { return std::generic_category().message(errno); }

// The rename is only durable once the directory entry itself is on disk. A failure here cannot
// lose data (the file is complete and in place), so it is not reported.
void sync_directory(const std::filesystem::path& file) {
  std::filesystem::path directory = file.parent_path();
  if (directory.empty()) directory = ".";
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)), temporary_(path_.string() + ".tmp") {
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("cannot write {}: cannot create the temporary file {}: {}", path_.string(), temporary_.string(), last_error());
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  if (fd_ >= 0) ::close(fd_);
  std::error_code ignored;
  std::filesystem::remove(temporary_, ignored);
}

void AtomicFile::write(const void* data, size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t written = ::write(fd_, bytes, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) fail("cannot write {}: writing {}: {}", path_.string(), temporary_.string(), last_error());
    bytes += written;
    size -= static_cast<size_t>(written);
  }
}

void AtomicFile::close_or_fail() {
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("cannot write {}: closing {}: {}", path_.string(), temporary_.string(), last_error());
}

void AtomicFile::commit() {
  // Flushed before the rename: otherwise a crash could leave the new name on empty contents.
  if (::fsync(fd_) != 0) fail("cannot write {}: flushing {} to disk: {}", path_.string(), temporary_.string(), last_error());
  close_or_fail();
  if (::rename(temporary_.c_str(), path_.c_str()) != 0)
    fail("cannot write {}: renaming {} into place: {}", path_.string(), temporary_.string(), last_error());
  committed_ = true;
  sync_directory(path_);
}

}  // namespace heed::detail
