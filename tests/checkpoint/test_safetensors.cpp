// The .safetensors reader and writer: round trips, interchange with torch_models.py, atomic
// writes, and every way a file can be wrong.
#include "error_message.hpp"
#include "../support/temp_dir.hpp"

#include <heed/checkpoint.hpp>

#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace {

using heed::HostTensor;
using heed_test::TempDir;

std::vector<char> read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const std::filesystem::path& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A file from a header written by hand and `data_bytes` bytes of data.
void write_raw(const std::filesystem::path& path, const std::string& header, size_t data_bytes) {
  std::vector<char> bytes(8);
  uint64_t length = header.size();
  std::memcpy(bytes.data(), &length, 8);
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.resize(bytes.size() + data_bytes, '\0');
  write_all(path, bytes);
}

// The tensors of tests/checkpoint/make_fixtures.py.
std::map<std::string, HostTensor> fixture_tensors() {
  return {{"layer.weight", HostTensor({2, 3}, std::vector<float>{-0.5f, -0.25f, 0.0f, 0.25f, 0.5f, 0.75f})},
          {"layer.bias", HostTensor({3}, std::vector<float>{1.5f, -2.0f, 3.25f})},
          {"scale", HostTensor({1}, std::vector<float>{7.0f})}};
}
const heed::Metadata fixture_metadata = {{"config", R"({"d":3})"}, {"model", "tiny"}};
const std::filesystem::path torch_fixture = std::filesystem::path(HEED_CHECKPOINT_FIXTURES) / "torch_written.safetensors";

std::map<std::string, HostTensor> mixed_tensors() {
  return {{"w", HostTensor({2, 2}, std::vector<float>{1.0f, -2.5f, 3.0e-8f, 4.0e8f})},
          {"step", HostTensor({1}, std::vector<int32_t>{42})},
          {"ids", HostTensor({3}, std::vector<int32_t>{-1, 0, 2147483647})}};
}

void check_equal(const std::map<std::string, HostTensor>& got, const std::map<std::string, HostTensor>& want) {
  REQUIRE(got.size() == want.size());
  for (const auto& [name, tensor] : want) {
    INFO("tensor ", name);
    REQUIRE(got.contains(name));
    const HostTensor& other = got.at(name);
    CHECK(other.dtype() == tensor.dtype());
    CHECK(other.shape() == tensor.shape());
    REQUIRE(other.bytes() == tensor.bytes());
    if (tensor.bytes() > 0) CHECK(std::memcmp(other.data(), tensor.data(), static_cast<size_t>(tensor.bytes())) == 0);
  }
}

}  // namespace

TEST_CASE("save_safetensors then load_safetensors gives back the same f32 and i32 tensors and metadata") {
  TempDir dir;
  heed::Metadata metadata = {{"model", "vit"}, {"config", R"({"d": 64, "layers": 4})"}};
  heed::save_safetensors(dir / "a.safetensors", mixed_tensors(), metadata);
  heed::Safetensors loaded = heed::load_safetensors(dir / "a.safetensors");
  check_equal(loaded.tensors, mixed_tensors());
  CHECK(loaded.metadata == metadata);
}

TEST_CASE("bf16 and f16 tensors are written as BF16 and F16, two bytes a value, and read back bit for bit") {
  TempDir dir;
  using heed::bfloat16, heed::float16;
  std::map<std::string, HostTensor> tensors = {
      {"a", HostTensor({3}, std::vector<bfloat16>{bfloat16(1.0f), bfloat16(-0.1f), bfloat16(3.0e38f)})},
      {"b", HostTensor({1, 3}, std::vector<float16>{float16(65504.0f), float16(0x1p-24f), float16(-2.5f)})},
      {"c", HostTensor({2}, std::vector<float>{1.0f, 2.0f})}};
  heed::save_safetensors(dir / "a.safetensors", tensors);
  check_equal(heed::load_safetensors(dir / "a.safetensors").tensors, tensors);
  std::vector<char> bytes = read_all(dir / "a.safetensors");
  uint64_t header = 0;
  std::memcpy(&header, bytes.data(), 8);
  std::string text(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header));
  CHECK(text.find(R"("a":{"dtype":"BF16","shape":[3],"data_offsets":[0,6]})") != std::string::npos);
  CHECK(text.find(R"("b":{"dtype":"F16","shape":[1,3],"data_offsets":[6,12]})") != std::string::npos);
  CHECK(text.find(R"("c":{"dtype":"F32","shape":[2],"data_offsets":[12,20]})") != std::string::npos);
}

TEST_CASE("a BF16 tensor whose data_offsets do not hold two bytes a value is an error") {
  TempDir dir;
  write_raw(dir / "a.safetensors", R"({"w":{"dtype":"BF16","shape":[3],"data_offsets":[0,12]}})", 12);
  CHECK_ERROR_MENTIONS(heed::load_safetensors(dir / "a.safetensors"), "do not match its shape [3] of BF16 (6 bytes)");
}

TEST_CASE("rank-0 and empty tensors survive a round trip") {
  TempDir dir;
  std::map<std::string, HostTensor> tensors = {{"scalar", HostTensor({}, std::vector<float>{2.5f})},
                                               {"empty", HostTensor(heed::f32, {0, 4})}};
  heed::save_safetensors(dir / "a.safetensors", tensors);
  check_equal(heed::load_safetensors(dir / "a.safetensors").tensors, tensors);
}

TEST_CASE("the header is padded with spaces to a multiple of 8 bytes and the data follows in name order") {
  TempDir dir;
  heed::save_safetensors(dir / "a.safetensors", mixed_tensors(), {{"model", "x"}});
  std::vector<char> bytes = read_all(dir / "a.safetensors");
  uint64_t header = 0;
  std::memcpy(&header, bytes.data(), 8);
  CHECK(header % 8 == 0);
  std::string text(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header));
  CHECK(text.find(R"("ids":{"dtype":"I32","shape":[3],"data_offsets":[0,12]})") != std::string::npos);
  CHECK(text.find(R"("step":{"dtype":"I32","shape":[1],"data_offsets":[12,16]})") != std::string::npos);
  CHECK(text.find(R"("w":{"dtype":"F32","shape":[2,2],"data_offsets":[16,32]})") != std::string::npos);
  CHECK(bytes.size() == 8 + header + 32);
}

TEST_CASE("a file written by torch_models.save_safetensors is read with its values and metadata") {
  heed::Safetensors loaded = heed::load_safetensors(torch_fixture);
  check_equal(loaded.tensors, fixture_tensors());
  CHECK(loaded.metadata == fixture_metadata);
}

TEST_CASE("heed writes byte for byte the file torch_models.save_safetensors writes for the same tensors") {
  TempDir dir;
  heed::save_safetensors(dir / "heed.safetensors", fixture_tensors(), fixture_metadata);
  CHECK(read_all(dir / "heed.safetensors") == read_all(torch_fixture));
}

TEST_CASE("a successful save replaces the previous file and leaves no temporary file") {
  TempDir dir;
  heed::save_safetensors(dir / "a.safetensors", fixture_tensors());
  heed::save_safetensors(dir / "a.safetensors", mixed_tensors());
  check_equal(heed::load_safetensors(dir / "a.safetensors").tensors, mixed_tensors());
  CHECK_FALSE(std::filesystem::exists(dir / "a.safetensors.tmp"));
}

TEST_CASE("a failed save leaves the previous file intact and names the file") {
  TempDir dir;
  heed::save_safetensors(dir / "a.safetensors", fixture_tensors());
  std::vector<char> before = read_all(dir / "a.safetensors");
  // A directory where the temporary file must go makes the write fail (even for root).
  std::filesystem::create_directory(dir / "a.safetensors.tmp");
  CHECK_ERROR_MENTIONS(heed::save_safetensors(dir / "a.safetensors", mixed_tensors()), dir / "a.safetensors");
  CHECK(read_all(dir / "a.safetensors") == before);
}

TEST_CASE("saving into a directory that does not exist is an error naming the file") {
  TempDir dir;
  CHECK_ERROR_MENTIONS(heed::save_safetensors(dir.path() / "no" / "such" / "a.safetensors", mixed_tensors()), "a.safetensors");
}

TEST_CASE("a tensor named __metadata__ is refused when saving") {
  TempDir dir;
  CHECK_ERROR_MENTIONS(heed::save_safetensors(dir / "a.safetensors", {{"__metadata__", HostTensor(heed::f32, {1})}}),
                       "not a valid tensor name");
}

TEST_CASE("loading a file that does not exist names it") {
  TempDir dir;
  CHECK_ERROR_MENTIONS(heed::load_safetensors(dir / "missing.safetensors"), "missing.safetensors: no such file");
}

TEST_CASE("a file shorter than the 8-byte header length is an error") {
  TempDir dir;
  write_all(dir / "a.safetensors", {'a', 'b', 'c'});
  CHECK_ERROR_MENTIONS(heed::load_safetensors(dir / "a.safetensors"), "too short");
}

TEST_CASE("a header length past the end of the file is an error") {
  TempDir dir;
  std::vector<char> bytes(16, '\0');
  bytes[0] = 100;
  write_all(dir / "a.safetensors", bytes);
  CHECK_ERROR_MENTIONS(heed::load_safetensors(dir / "a.safetensors"), "header length 100 runs past the end of the file (16 bytes)");
}

TEST_CASE("a header that is not JSON is an error") {
  TempDir dir;
  write_raw(dir / "a.safetensors", R"({"w": {"dtype": "F32", )", 0);
  CHECK_ERROR_MENTIONS(heed::load_safetensors(dir / "a.safetensors"), "the header is not valid JSON");
}

TEST_CASE("a header that is JSON but not an object is an error") {
  TempDir dir;
  write_raw(dir / "a.safetensors", "[1, 2]  ", 0);
  CHECK_ERROR_MENTIONS(heed::load_safetensors(dir / "a.safetensors"), "must be a JSON object");
}

TEST_CASE("an unsupported dtype is an error naming the tensor and the dtype") {
  TempDir dir;
  write_raw(dir / "a.safetensors", R"({"w":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}})", 16);
  CHECK_ERROR_MENTIONS(heed::load_safetensors(dir / "a.safetensors"), "tensor 'w' has dtype F64; heed reads F32, I32, BF16 and F16 tensors only");
}

TEST_CASE("data_offsets that disagree with the shape are an error") {
  TempDir dir;
  write_raw(dir / "a.safetensors", R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 24);
  CHECK_ERROR_MENTIONS(heed::load_safetensors(dir / "a.safetensors"), "tensor 'w': data_offsets [0, 20] do not match its shape [2, 3]");
}

TEST_CASE("data_offsets past the end of the data say the file is truncated") {
  TempDir dir;
  write_raw(dir / "a.safetensors", R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 12);
  CHECK_ERROR_MENTIONS(heed::load_safetensors(dir / "a.safetensors"), "run past the end of the data (12 bytes): the file is truncated");
}

TEST_CASE("overlapping tensors are an error naming both") {
  TempDir dir;
  write_raw(dir / "a.safetensors",
            R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"I32","shape":[2],"data_offsets":[8,16]}})", 16);
  CHECK_ERROR_MENTIONS(heed::load_safetensors(dir / "a.safetensors"), "tensors 'a' and 'b' overlap");
}

TEST_CASE("a negative extent in a shape is an error") {
  TempDir dir;
  write_raw(dir / "a.safetensors", R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4);
  CHECK_ERROR_MENTIONS(heed::load_safetensors(dir / "a.safetensors"), "shape[0] must be a non-negative integer");
}

TEST_CASE("a header entry without data_offsets is an error") {
  TempDir dir;
  write_raw(dir / "a.safetensors", R"({"w":{"dtype":"F32","shape":[1]}})", 4);
  CHECK_ERROR_MENTIONS(heed::load_safetensors(dir / "a.safetensors"), "has no \"data_offsets\"");
}

TEST_CASE("metadata that is not a string is an error") {
  TempDir dir;
  write_raw(dir / "a.safetensors", R"({"__metadata__":{"epochs":3}})", 0);
  CHECK_ERROR_MENTIONS(heed::load_safetensors(dir / "a.safetensors"), "__metadata__[\"epochs\"] must be a string");
}

TEST_CASE("every truncation of a valid file is a heed::Error, never a crash") {
  TempDir dir;
  heed::save_safetensors(dir / "full.safetensors", mixed_tensors(), {{"model", "x"}});
  std::vector<char> bytes = read_all(dir / "full.safetensors");
  for (size_t size = 0; size < bytes.size(); ++size) {
    INFO("truncated to ", size, " bytes");
    write_all(dir / "cut.safetensors", std::vector<char>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size)));
    CHECK_THROWS_AS(heed::load_safetensors(dir / "cut.safetensors"), heed::Error);
  }
}

TEST_CASE("a corrupted header byte gives a heed::Error or a consistent file, never a crash") {
  TempDir dir;
  heed::save_safetensors(dir / "full.safetensors", mixed_tensors(), {{"model", "x"}});
  std::vector<char> bytes = read_all(dir / "full.safetensors");
  uint64_t header = 0;
  std::memcpy(&header, bytes.data(), 8);
  for (size_t at = 0; at < 8 + header; ++at) {
    for (char replacement : {'\0', '9', '"', '}', '\xff'}) {
      std::vector<char> corrupt = bytes;
      corrupt[at] = replacement;
      write_all(dir / "corrupt.safetensors", corrupt);
      INFO("byte ", at, " set to ", static_cast<int>(replacement));
      try {
        heed::Safetensors loaded = heed::load_safetensors(dir / "corrupt.safetensors");
        for (const auto& [name, tensor] : loaded.tensors) CHECK(tensor.bytes() == heed::element_count(tensor.shape()) * 4);
      } catch (const heed::Error&) {
        // the expected outcome for most bytes
      }
    }
  }
}
