#pragma once
// What a decoder needs to turn a timestamp as written in a log into an absolute instant.
#include <cstdint>

namespace seerflow::parse {

struct time_context {
  // The instant the record is assumed to be near: arrival time for live input; during a replay,
  // the previous record's event time. RFC 3164 and other year-less stamps take the year that
  // puts them nearest to this instant (so Dec 31 followed by Jan 1 rolls the year over).
  std::int64_t reference_ns = 0;
  // Offset of zone-less timestamps from UTC, in seconds (config parse.timezone: "UTC", "+02:00").
  std::int32_t utc_offset_s = 0;
  // When true, zone-less timestamps are in the machine's local zone (config "local"); the offset
  // then comes from the C library for that instant, daylight saving included.
  bool local_zone = false;
  // When nonzero, a year-less stamp takes this year outright (replay with --year, before the
  // first dated record). The nearest-year rule cannot stand in for it: no single reference
  // instant is nearer to every moment of a year than to the same moment of the adjacent ones
  // (with a Jul 2 reference, the afternoon of Dec 31 of a common year falls in the year before).
  std::int32_t fixed_year = 0;
};

}  // namespace seerflow::parse
