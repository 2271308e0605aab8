// IDX reading through zlib's gz* interface, which also reads uncompressed files as they are.
// Memory grows only as data actually arrives, so a corrupt header that claims billions of values
// ends in a "truncated" error rather than a huge allocation.
#include <heed/data/idx.hpp>
#include <heed/error.hpp>

#include <zlib.h>

#include <climits>
#include <memory>

namespace heed::data {

namespace {

struct GzClose {
  void operator()(gzFile file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<std::remove_pointer_t<gzFile>, GzClose>;

std::string describe_magic(uint32_t magic) {
  switch (magic) {
    case idx_labels_magic: return fmt::format("0x{:08x} (an IDX label file)", magic);
    case idx_images_magic: return fmt::format("0x{:08x} (an IDX image file)", magic);
    default: return fmt::format("0x{:08x}", magic);
  }
}

class Reader {
 public:
  explicit Reader(const std::filesystem::path& path) : path_(path.string()) {
    std::error_code error;
    auto status = std::filesystem::status(path, error);
    if (!std::filesystem::exists(status)) fail("{}: no such file", path_);
    if (!std::filesystem::is_regular_file(status)) fail("{}: not a regular file", path_);
    file_.reset(gzopen(path_.c_str(), "rb"));
    if (!file_) fail("{}: cannot open it for reading", path_);
    gzbuffer(file_.get(), 1u << 17);  // fewer, larger reads for the 47 MB of training images
  }

  // Appends up to `size` bytes to `out`; returns how many arrived before the end of the data.
  size_t read(std::vector<uint8_t>& out, size_t size) {
    size_t done = 0;
    while (done < size) {
      size_t chunk = std::min<size_t>(size - done, 1u << 20);
      size_t old = out.size();
      out.resize(old + chunk);
      int got = gzread(file_.get(), out.data() + old, static_cast<unsigned>(chunk));
      if (got < 0) fail("{}: corrupt gzip data: {}", path_, zlib_message());
      out.resize(old + static_cast<size_t>(got));
      done += static_cast<size_t>(got);
      if (static_cast<size_t>(got) < chunk) break;
    }
    return done;
  }

  // zlib reports a stream cut short ("unexpected end of file") only through gzerror.
  std::string stream_problem() {
    int code = Z_OK;
    const char* message = gzerror(file_.get(), &code);
    return code == Z_OK ? std::string() : std::string(message);
  }

  void read_exactly(std::vector<uint8_t>& out, size_t size, std::string_view what) {
    size_t got = read(out, size);
    if (got < size) {
      std::string problem = stream_problem();
      fail("{}: truncated: {} needs {} bytes but the data ends after {}{}", path_, what, size, got,
           problem.empty() ? "" : fmt::format(" ({})", problem));
    }
  }

  // Reading past the last value also makes zlib verify the gzip trailer (CRC and length).
  void expect_end() {
    std::vector<uint8_t> extra;
    if (read(extra, 1) != 0) fail("{}: more data follows the values its header declares", path_);
    if (std::string problem = stream_problem(); !problem.empty()) fail("{}: corrupt gzip data: {}", path_, problem);
  }

  const std::string& path() const { return path_; }

 private:
  std::string zlib_message() {
    std::string problem = stream_problem();
    return problem.empty() ? "unknown zlib error" : problem;
  }

  std::string path_;
  GzFile file_;
};

uint32_t big_endian(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | uint32_t{bytes[3]};
}

}  // namespace

IdxArray read_idx(const std::filesystem::path& path, uint32_t expected_magic) {
  Reader reader(path);
  std::vector<uint8_t> header;
  reader.read_exactly(header, 4, "the magic number");
  uint32_t magic = big_endian(header.data());
  if (magic != expected_magic)
    fail("{}: wrong magic number {}; expected {}{}", reader.path(), describe_magic(magic), describe_magic(expected_magic),
         (magic >> 16) != 0 ? ": not an IDX file" : "");
  const size_t rank = magic & 0xff;
  reader.read_exactly(header, 4 * rank, "the dimensions");
  IdxArray array;
  uint64_t count = 1;
  for (size_t axis = 0; axis < rank; ++axis) {
    uint32_t extent = big_endian(header.data() + 4 + 4 * axis);
    array.dims.push_back(extent);
    // Any real IDX file is far below this; a larger product can only come from a corrupt header.
    if (extent != 0 && count > (uint64_t{1} << 40) / extent) fail("{}: the dimensions in its header are impossibly large", reader.path());
    count *= extent;
  }
  reader.read_exactly(array.values, static_cast<size_t>(count), fmt::format("{} values of shape [{}]", count, fmt::join(array.dims, ", ")));
  reader.expect_end();
  return array;
}

}  // namespace heed::data
