#pragma once
// Writes a file so that readers only ever see the old contents or the complete new ones: the
// bytes go to `path + ".tmp"`, are flushed to the disk, and only then renamed over `path`. A
// write that fails (full disk, an exception part way) leaves the previous file untouched.
#include <cstddef>
#include <filesystem>

namespace heed::detail {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path path);  // creates path + ".tmp"
  ~AtomicFile();                                    // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t size);
  void commit();  // fsync, close, rename into place

 private:
  void close_or_fail();

  std::filesystem::path path_;
  std::filesystem::path temporary_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace heed::detail
