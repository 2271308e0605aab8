#pragma once
// Task `dates` (shared/MODELS.md section 1): human-readable dates and their ISO form, encoded for
// the seq2seq model. The surface formats mirror DATE_FORMATS of shared/bench/torch_models.py.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace heed::data::dates {

inline constexpr int64_t source_length = 32;  // S
inline constexpr int64_t target_length = 11;  // T: the 10 ISO characters + <eos>
inline constexpr int64_t source_vocab = 64;   // Vs
inline constexpr int64_t target_vocab = 16;   // Vt
inline constexpr int32_t pad = 0, bos = 1, eos = 2;
// Source index i + 1 is source_alphabet[i]; target index i + 3 is target_alphabet[i].
inline constexpr std::string_view source_alphabet = " ,-./0123456789abcdefghijklmnopqrstuvwxyz";
inline constexpr std::string_view target_alphabet = "0123456789-";
inline constexpr int first_year = 1900, last_year = 2099;

struct Date {
  int year = 1900, month = 1, day = 1;
  bool operator==(const Date&) const = default;
};

// Days counted as Python's date.toordinal() (0001-01-01 is day 1), so splits agree with
// torch_models.py.
int64_t ordinal(const Date& date);
Date from_ordinal(int64_t ordinal);
int64_t first_ordinal();  // 1900-01-01
int64_t last_ordinal();   // 2099-12-31

// Every 20th calendar day (ordinal % 20 == 0) is held out: the held-out set never shares a date,
// and so never an ISO string, with the training set.
enum class Split { train, held_out };
bool in_split(int64_t ordinal, Split split);

int format_count();                                   // 11
std::string format_date(const Date& date, int format);  // lower-case; format in [0, format_count())
std::string iso(const Date& date);                    // "1998-03-03"

struct Example {
  std::string source;  // e.g. "tuesday, 3 march 1998"
  std::string target;  // e.g. "1998-03-03"
};

// One batch in the layout the model's inputs take, row-major:
//   src [size, S] source indices 0-padded; src_mask [size, S] 1 at real characters, 0 at padding;
//   tgt_in [size, T] <bos> + first 10 target indices; tgt_out [size, T] 10 target indices + <eos>.
struct Batch {
  int64_t size = 0;
  std::vector<int32_t> src;
  std::vector<float> src_mask;
  std::vector<int32_t> tgt_in;
  std::vector<int32_t> tgt_out;
};

// A user's string as S source indices (0-padded). A character outside source_alphabet, or more
// than S characters, is a heed::Error naming the character and its position, or the length.
std::vector<int32_t> encode_source(std::string_view text);
// An ISO date as T target indices (10 characters + <eos>); anything else is a heed::Error.
std::vector<int32_t> encode_target(std::string_view iso_date);
// Target indices back to text, stopping at <eos>; an index that is no character reads as '?'.
std::string decode_target(std::span<const int32_t> indices);
Batch encode(std::span<const Example> examples);

// A seeded stream of examples from one split. Example i depends only on (seed, split, i), so
// position() and seek() are all a checkpoint needs to resume the stream.
class Generator {
 public:
  explicit Generator(uint64_t seed = 0, Split split = Split::train) : seed_(seed), split_(split) {}

  Example example(uint64_t index) const;  // the stream's index-th example, without moving
  Example next();                         // example(position()), then advances by one
  Batch batch(int64_t n);                 // the next n examples, encoded

  uint64_t position() const { return position_; }
  void seek(uint64_t position) { position_ = position; }
  uint64_t seed() const { return seed_; }
  Split split() const { return split_; }

 private:
  uint64_t seed_;
  Split split_;
  uint64_t position_ = 0;
};

}  // namespace heed::data::dates
