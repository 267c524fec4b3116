#include "actors/campaign/active_window.hpp"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <cstdio>
#include <memory>

namespace sb::campaigns {

namespace {

constexpr int64_t ms_per_second = 1000;
constexpr int64_t ms_per_day = 86'400'000;

// Howard Hinnant's days_from_civil / civil_from_days: proleptic Gregorian, day 0 = 1970-01-01.
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

local_time civil_from_ms(int64_t ms) {
  int64_t days = ms / ms_per_day;
  int64_t rest = ms % ms_per_day;
  if (rest < 0) {
    rest += ms_per_day;
    --days;
  }
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  local_time t;
  t.year = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  t.month = static_cast<int>(m);
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int64_t seconds = rest / ms_per_second;
  t.hour = static_cast<int>(seconds / 3600);
  t.minute = static_cast<int>(seconds / 60 % 60);
  t.second = static_cast<int>(seconds % 60);
  t.weekday = static_cast<int>(((days % 7) + 7 + 3) % 7 + 1);  // day 0 was a Thursday (4)
  return t;
}

int64_t ms_of_civil(const local_time& t) {
  return days_from_civil(t.year, t.month, t.day) * ms_per_day +
         ((int64_t{t.hour} * 60 + t.minute) * 60 + t.second) * ms_per_second;
}

// createTimeZone never fails: for an id it does not know it returns a copy of "Etc/Unknown".
std::unique_ptr<icu::TimeZone> zone_of(const std::string& id) {
  std::unique_ptr<icu::TimeZone> zone{
      icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(id))};
  if (!zone) {
    return nullptr;
  }
  icu::UnicodeString got;
  zone->getID(got);
  if (id.empty() || got == icu::UnicodeString{"Etc/Unknown"}) {
    return nullptr;
  }
  return zone;
}

// Returns the zone's offset from UTC at `ms`, read as local wall time when `local`.
result<int64_t> offset_ms(const std::string& time_zone, int64_t ms, bool local) {
  auto zone = zone_of(time_zone);
  if (!zone) {
    return error{errc::invalid_argument, "unknown time zone \"" + time_zone + "\""};
  }
  int32_t raw = 0;
  int32_t dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  zone->getOffset(static_cast<UDate>(ms), local ? 1 : 0, raw, dst, status);
  if (U_FAILURE(status)) {
    return error{errc::internal, std::string{"ICU getOffset failed: "} + u_errorName(status)};
  }
  return int64_t{raw} + dst;
}

bool read_number(std::string_view text, size_t pos, size_t digits, int& out) {
  out = 0;
  for (size_t i = pos; i < pos + digits; ++i) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') {
      return false;
    }
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

int days_in_month(int year, int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

}  // namespace

bool is_time_zone(const std::string& id) {
  return zone_of(id) != nullptr;
}

std::optional<local_time> parse_local_time(std::string_view text) {
  // YYYY-MM-DDTHH:MM, optionally :SS
  if (text.size() != 16 && text.size() != 19) {
    return std::nullopt;
  }
  local_time t;
  const bool shape =
      read_number(text, 0, 4, t.year) && text[4] == '-' && read_number(text, 5, 2, t.month) &&
      text[7] == '-' && read_number(text, 8, 2, t.day) && text[10] == 'T' &&
      read_number(text, 11, 2, t.hour) && text[13] == ':' && read_number(text, 14, 2, t.minute) &&
      (text.size() == 16 || (text[16] == ':' && read_number(text, 17, 2, t.second)));
  if (!shape || t.month < 1 || t.month > 12 || t.day < 1 ||
      t.day > days_in_month(t.year, t.month) || t.hour > 23 || t.minute > 59 || t.second > 59) {
    return std::nullopt;
  }
  t.weekday = civil_from_ms(ms_of_civil(t)).weekday;
  return t;
}

result<int64_t> to_epoch_ms(const local_time& t, const std::string& time_zone) {
  const int64_t wall = ms_of_civil(t);
  auto offset = offset_ms(time_zone, wall, true);
  if (!offset) {
    return offset.err();
  }
  return wall - *offset;
}

result<local_time> to_local(int64_t epoch_ms, const std::string& time_zone) {
  auto offset = offset_ms(time_zone, epoch_ms, false);
  if (!offset) {
    return offset.err();
  }
  return civil_from_ms(epoch_ms + *offset);
}

std::string format_minute(const local_time& t) {
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d", t.year, t.month, t.day, t.hour,
                t.minute);
  return text;
}

}  // namespace sb::campaigns
