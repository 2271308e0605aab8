#pragma once
// A pairs file the tests write: whole numbers below 10 000 in English words, and their digits
// ("three thousand sixty-one<TAB>3061"), in a shuffled order fixed by the seed.
#include "files.hpp"

#include <algorithm>
#include <array>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace trainer_test {

inline std::string in_words(int n) {
  static const std::array<std::string, 20> ones{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                                                "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                                                "eighteen", "nineteen"};
  static const std::array<std::string, 10> tens{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};
  std::string words;
  if (n < 20) {
    words = ones[static_cast<size_t>(n)];
  } else if (n < 100) {
    words = tens[static_cast<size_t>(n / 10)];
    if (n % 10) words.append("-").append(ones[static_cast<size_t>(n % 10)]);
  } else {
    bool thousands = n >= 1000;
    words = thousands ? in_words(n / 1000) : ones[static_cast<size_t>(n / 100)];
    words.append(thousands ? " thousand" : " hundred");
    int rest = thousands ? n % 1000 : n % 100;
    if (rest) words.append(" ").append(in_words(rest));
  }
  return words;
}

// `count` distinct numbers, one pair a line.
inline std::string numbers_in_words(int count, unsigned seed = 1) {
  std::vector<int> numbers(10000);
  std::iota(numbers.begin(), numbers.end(), 0);
  std::shuffle(numbers.begin(), numbers.end(), std::mt19937(seed));
  std::string text;
  for (int i = 0; i < count; ++i) text += in_words(numbers[static_cast<size_t>(i)]) + "\t" + std::to_string(numbers[static_cast<size_t>(i)]) + "\n";
  return text;
}

}  // namespace trainer_test
