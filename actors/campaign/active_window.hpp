#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/result.hpp"

namespace sb::campaigns {

// Local times of a campaign's time zone, through ICU's tz database: the bounds of `active`, the
// time.hour/time.weekday facts and the {expires_at} placeholder. Every function is pure and
// thread-safe (each call makes its own icu::TimeZone).

/// A wall-clock time in some time zone, to the second.
struct local_time {
  int year = 1970;
  int month = 1;    ///< 1..12
  int day = 1;      ///< 1..31
  int hour = 0;     ///< 0..23
  int minute = 0;   ///< 0..59
  int second = 0;   ///< 0..59
  int weekday = 4;  ///< 1 = Monday .. 7 = Sunday (1970-01-01 was a Thursday)
};

/// Returns whether ICU knows the time zone `id` ("Asia/Shanghai", "UTC", "Europe/Paris").
bool is_time_zone(const std::string& id);

/// Parses "2026-11-01T00:00" or "2026-11-01T00:00:30" (a calendar date, 24-hour time); nothing if
/// `text` has another shape or names an impossible date or time. `weekday` is filled in.
std::optional<local_time> parse_local_time(std::string_view text);

/// Returns the epoch milliseconds (UTC) at which the clocks of `time_zone` show `t`; invalid
/// argument for an unknown zone. In a daylight-saving gap or overlap, ICU's choice applies.
result<int64_t> to_epoch_ms(const local_time& t, const std::string& time_zone);

/// Returns what the clocks of `time_zone` show at `epoch_ms`; invalid argument for an unknown zone.
result<local_time> to_local(int64_t epoch_ms, const std::string& time_zone);

/// Returns "2026-11-28 14:30" (the format of {expires_at}).
std::string format_minute(const local_time& t);

}  // namespace sb::campaigns
