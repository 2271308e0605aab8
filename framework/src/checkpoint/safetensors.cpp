// The .safetensors format: reading checks everything the header claims against the file before
// touching the data, so a corrupt or hostile file is an error message, never a crash.
#include "atomic_file.hpp"

#include <heed/checkpoint.hpp>
#include <heed/error.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <fstream>
#include <limits>

namespace heed {

// Tensor data is copied byte for byte between the file (little-endian) and memory.
static_assert(std::endian::native == std::endian::little, "heed's safetensors code assumes a little-endian host");

namespace {

using json = nlohmann::json;
// Writing keeps insertion order (metadata, then names sorted; dtype, shape, data_offsets within
// an entry), the order torch_models.save_safetensors writes, so the same tensors give the same
// bytes from either side.
using ordered_json = nlohmann::ordered_json;

constexpr const char* metadata_entry = "__metadata__";
// The reference implementation refuses larger headers too; it bounds what a corrupt length
// field can make us allocate.
constexpr uint64_t max_header_bytes = 100u << 20;
constexpr uint64_t max_elements = uint64_t{1} << 40;

// safetensors' names of the dtypes heed holds.
constexpr std::pair<DType, std::string_view> file_dtypes[] = {{DType::f32, "F32"}, {DType::i32, "I32"}, {DType::bf16, "BF16"}, {DType::f16, "F16"}};

std::string_view file_dtype(DType dtype) {
  for (const auto& [ours, theirs] : file_dtypes)
    if (ours == dtype) return theirs;
  fail("checkpoint: no safetensors name for dtype {}", dtype_name(dtype));
}

std::vector<char> read_file(const std::filesystem::path& path) {
  std::error_code error;
  auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) fail("checkpoint {}: no such file", path.string());
  if (!std::filesystem::is_regular_file(status)) fail("checkpoint {}: not a regular file", path.string());
  uintmax_t size = std::filesystem::file_size(path, error);
  if (error) fail("checkpoint {}: cannot read its size: {}", path.string(), error.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("checkpoint {}: cannot open it for reading", path.string());
  std::vector<char> bytes(static_cast<size_t>(size));
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<uintmax_t>(in.gcount()) != size) fail("checkpoint {}: could only read {} of its {} bytes", path.string(), in.gcount(), size);
  return bytes;
}

// A non-negative JSON integer; `what` says where it is for the error.
uint64_t count_value(const json& value, const std::string& file, const std::string& what) {
  if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<int64_t>() < 0))
    fail("checkpoint {}: {} must be a non-negative integer, found {}", file, what, value.dump());
  return value.get<uint64_t>();
}

Metadata parse_metadata(const json& value, const std::string& file) {
  Metadata metadata;
  if (value.is_null()) return metadata;
  if (!value.is_object()) fail("checkpoint {}: __metadata__ must be an object of strings, found {}", file, value.type_name());
  for (const auto& [key, entry] : value.items()) {
    if (!entry.is_string()) fail("checkpoint {}: __metadata__[\"{}\"] must be a string, found {}", file, key, entry.type_name());
    metadata.emplace(key, entry.get<std::string>());
  }
  return metadata;
}

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

Entry parse_entry(const std::string& name, const json& info, const std::string& file) {
  if (!info.is_object()) fail("checkpoint {}: tensor '{}': its header entry must be an object, found {}", file, name, info.type_name());
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!info.contains(key)) fail("checkpoint {}: tensor '{}': its header entry has no \"{}\"", file, name, key);
  const json& dtype = info["dtype"];
  if (!dtype.is_string()) fail("checkpoint {}: tensor '{}': dtype must be a string, found {}", file, name, dtype.dump());
  Entry entry{name, DType::f32, {}, 0, 0};
  const auto known = std::find_if(std::begin(file_dtypes), std::end(file_dtypes), [&](const auto& pair) { return dtype == pair.second; });
  if (known == std::end(file_dtypes))
    fail("checkpoint {}: tensor '{}' has dtype {}; heed reads F32, I32, BF16 and F16 tensors only", file, name, dtype.get<std::string>());
  entry.dtype = known->first;
  const json& shape = info["shape"];
  if (!shape.is_array()) fail("checkpoint {}: tensor '{}': shape must be an array, found {}", file, name, shape.dump());
  uint64_t elements = 1;
  for (size_t axis = 0; axis < shape.size(); ++axis) {
    uint64_t extent = count_value(shape[axis], file, fmt::format("tensor '{}': shape[{}]", name, axis));
    if (extent != 0 && elements > max_elements / extent)
      fail("checkpoint {}: tensor '{}': shape {} is impossibly large", file, name, shape.dump());
    elements *= extent;
    entry.shape.push_back(static_cast<int64_t>(extent));
  }
  const json& offsets = info["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2)
    fail("checkpoint {}: tensor '{}': data_offsets must be [begin, end], found {}", file, name, offsets.dump());
  entry.begin = count_value(offsets[0], file, fmt::format("tensor '{}': data_offsets[0]", name));
  entry.end = count_value(offsets[1], file, fmt::format("tensor '{}': data_offsets[1]", name));
  uint64_t needed = elements * static_cast<uint64_t>(dtype_size(entry.dtype));
  if (entry.end < entry.begin || entry.end - entry.begin != needed)
    fail("checkpoint {}: tensor '{}': data_offsets [{}, {}] do not match its shape {} of {} ({} bytes)", file, name, entry.begin,
         entry.end, shape_string(entry.shape), dtype.get<std::string>(), needed);
  return entry;
}

}  // namespace

void save_safetensors(const std::filesystem::path& path, const std::map<std::string, HostTensor>& tensors, const Metadata& metadata) {
  ordered_json header = ordered_json::object();
  if (!metadata.empty()) header[metadata_entry] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {  // std::map: sorted by name, as the format asks
    if (name.empty() || name == metadata_entry) fail("cannot write {}: '{}' is not a valid tensor name", path.string(), name);
    auto bytes = static_cast<uint64_t>(tensor.bytes());
    header[name] = {{"dtype", file_dtype(tensor.dtype())}, {"shape", tensor.shape()}, {"data_offsets", ordered_json::array({offset, offset + bytes})}};
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump(-1, ' ', false, ordered_json::error_handler_t::strict);
  } catch (const ordered_json::exception& e) {
    fail("cannot write {}: a tensor name or metadata string is not valid UTF-8 ({})", path.string(), e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // the data then starts 8-byte aligned

  std::array<unsigned char, 8> length{};
  for (size_t i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(static_cast<uint64_t>(text.size()) >> (8 * i));
  detail::AtomicFile file(path);
  file.write(length.data(), length.size());
  file.write(text.data(), text.size());
  for (const auto& [name, tensor] : tensors) file.write(tensor.data(), static_cast<size_t>(tensor.bytes()));
  file.commit();
}

Safetensors load_safetensors(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::vector<char> bytes = read_file(path);
  if (bytes.size() < 8) fail("checkpoint {}: {} bytes is too short for a safetensors file (it starts with an 8-byte header length)", file, bytes.size());
  uint64_t header_bytes = 0;
  for (size_t i = 0; i < 8; ++i) header_bytes |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  if (header_bytes > bytes.size() - 8)
    fail("checkpoint {}: the header length {} runs past the end of the file ({} bytes): the file is truncated or not a safetensors file",
         file, header_bytes, bytes.size());
  if (header_bytes > max_header_bytes) fail("checkpoint {}: the header length {} is larger than the format allows", file, header_bytes);

  json header;
  try {
    header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_bytes));
  } catch (const json::exception& e) {
    fail("checkpoint {}: the header is not valid JSON: {}", file, e.what());
  }
  if (!header.is_object()) fail("checkpoint {}: the header must be a JSON object, found {}", file, header.type_name());

  Safetensors result;
  std::vector<Entry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == metadata_entry)
      result.metadata = parse_metadata(info, file);
    else
      entries.push_back(parse_entry(name, info, file));
  }

  const uint64_t data_bytes = bytes.size() - 8 - header_bytes;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  const Entry* furthest = nullptr;  // of the entries so far, the one whose data ends last
  for (const Entry& entry : entries) {
    if (entry.end > data_bytes)
      fail("checkpoint {}: tensor '{}': data_offsets [{}, {}] run past the end of the data ({} bytes): the file is truncated", file,
           entry.name, entry.begin, entry.end, data_bytes);
    if (entry.begin == entry.end) continue;  // an empty tensor overlaps nothing
    if (furthest && furthest->end > entry.begin)
      fail("checkpoint {}: tensors '{}' and '{}' overlap (data_offsets [{}, {}] and [{}, {}])", file, furthest->name, entry.name,
           furthest->begin, furthest->end, entry.begin, entry.end);
    if (!furthest || entry.end > furthest->end) furthest = &entry;
  }

  const char* data = bytes.data() + 8 + header_bytes;
  for (Entry& entry : entries) {
    HostTensor tensor(entry.dtype, std::move(entry.shape));
    // An empty tensor has no storage to copy into (and memcpy must not see its null pointer).
    if (entry.end > entry.begin) std::memcpy(tensor.data(), data + entry.begin, entry.end - entry.begin);
    result.tensors.emplace(std::move(entry.name), std::move(tensor));
  }
  return result;
}

}  // namespace heed
