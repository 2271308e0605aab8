// The calendar and the surface formats of task `dates`. Every format keeps the four-digit year
// and either spells the month out or puts the day first, so a source string names exactly one
// date and exact-match accuracy can reach 100 %.
#include <heed/data/dates.hpp>
#include <heed/error.hpp>

#include <array>
#include <chrono>

namespace heed::data::dates {

namespace {

using namespace std::chrono;

// Python's ordinal of 1970-01-01, the epoch of std::chrono::sys_days.
constexpr int64_t unix_epoch_ordinal = 719163;

constexpr std::array<std::string_view, 12> months = {"january", "february", "march",     "april",   "may",      "june",
                                                     "july",    "august",   "september", "october", "november", "december"};
constexpr std::array<std::string_view, 7> weekdays = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

std::string_view month_name(const Date& d) { return months[static_cast<size_t>(d.month - 1)]; }
std::string_view weekday_name(const Date& d) {
  year_month_day ymd{year{d.year}, month{static_cast<unsigned>(d.month)}, day{static_cast<unsigned>(d.day)}};
  return weekdays[weekday{sys_days{ymd}}.iso_encoding() - 1];  // ISO: Monday is 1
}

std::string day_ordinal(int day) {
  if (day % 100 >= 10 && day % 100 <= 20) return fmt::format("{}th", day);
  switch (day % 10) {
    case 1: return fmt::format("{}st", day);
    case 2: return fmt::format("{}nd", day);
    case 3: return fmt::format("{}rd", day);
    default: return fmt::format("{}th", day);
  }
}

constexpr int formats = 11;

}  // namespace

int64_t ordinal(const Date& date) {
  year_month_day ymd{year{date.year}, month{static_cast<unsigned>(date.month)}, day{static_cast<unsigned>(date.day)}};
  if (!ymd.ok()) fail("dates: {:04}-{:02}-{:02} is not a calendar date", date.year, date.month, date.day);
  return sys_days{ymd}.time_since_epoch().count() + unix_epoch_ordinal;
}

Date from_ordinal(int64_t ordinal) {
  year_month_day ymd{sys_days{days{ordinal - unix_epoch_ordinal}}};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

int64_t first_ordinal() { return ordinal({first_year, 1, 1}); }
int64_t last_ordinal() { return ordinal({last_year, 12, 31}); }

bool in_split(int64_t ordinal, Split split) {
  bool held_out = ordinal % 20 == 0;
  return split == Split::held_out ? held_out : !held_out;
}

int format_count() { return formats; }

std::string iso(const Date& d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); }

std::string format_date(const Date& d, int format) {
  std::string_view month = month_name(d);
  switch (format) {
    case 0: return fmt::format("{}, {} {} {}", weekday_name(d), d.day, month, d.year);           // tuesday, 3 march 1998
    case 1: return fmt::format("{}/{}/{}", d.day, d.month, d.year);                              // 3/3/1998
    case 2: return fmt::format("{} {}, {}", month.substr(0, 3), d.day, d.year);                  // mar 3, 1998
    case 3: return fmt::format("{} {} {}", d.day, month, d.year);                                // 3 march 1998
    case 4: return fmt::format("{} {}, {}", month, d.day, d.year);                               // march 3, 1998
    case 5: return fmt::format("{:02}.{:02}.{}", d.day, d.month, d.year);                        // 03.03.1998
    case 6: return fmt::format("{}/{:02}/{:02}", d.year, d.month, d.day);                        // 1998/03/03
    case 7: return fmt::format("{:02} {} {}", d.day, month.substr(0, 3), d.year);                // 03 mar 1998
    case 8: return fmt::format("{} {} {} {}", weekday_name(d).substr(0, 3), month.substr(0, 3), d.day, d.year);  // tue mar 3 1998
    case 9: return fmt::format("{} of {}, {}", day_ordinal(d.day), month, d.year);               // 3rd of march, 1998
    case 10: return fmt::format("{}{:02}{:02}", d.year, d.month, d.day);                         // 19980303
    default: fail("dates: format {} does not exist (there are {})", format, formats);
  }
}

}  // namespace heed::data::dates
