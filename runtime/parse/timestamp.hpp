#pragma once
// Timestamps as logs write them, turned into nanoseconds since the Unix epoch (UTC). Every
// format here is one real logs use, and every field is validated exactly (month 1-12, day valid
// for the month, hour < 24, ...), so version numbers, ids and counters are not taken for times.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runtime/parse/time_context.hpp"

namespace seerflow::parse {

// Recognises a timestamp at the very start of `s`, optionally inside "[...]", and returns the
// bytes it occupies (brackets included), or 0 when there is none. out_ns is written only on
// success. The timestamp must end the string or be followed by a byte that cannot continue it
// (not a letter or digit). Formats:
//   RFC 3339 / ISO 8601   2015-10-18T18:01:47.978+02:00, "T" or space, "." or "," and 1-9
//                         fraction digits, Z / ±hh:mm / ±hhmm / ±hh / " UTC" / " GMT" / none
//                         (log4j's 2015-10-18 18:01:47,978 is this form)
//   RFC 3164              Dec 10 06:55:46, "Jun  4", optional year "Dec 10 2005 06:55:46",
//                         optional fraction; the year is inferred (see time_context)
//   ctime / Apache        Sun Dec 04 04:47:44 2005, optional fraction, year optional
//   Common Log Format     10/Oct/2000:13:55:36 -0700
//   yyyy/MM/dd HH:mm:ss   Go's log package, nginx error log; optional fraction
//   yy/MM/dd HH:mm:ss     Spark 17/06/09 20:10:40
//   yyMMdd HHmmss         HDFS 081109 203615
//   yyyyMMdd-HH:mm:ss:SSS HealthApp 20171223-22:15:29:606, which writes the time fields
//                         unpadded: "20171223-22:16:0:96" is 22:16:00.096
//   epoch                 10/13/16/19 digits (s/ms/us/ns) within 2000..2100, seconds with an
//                         optional .fraction, followed by the end, a blank or one of "]|,;"
// Two-digit years follow POSIX %y: 69-99 are 19xx, 00-68 are 20xx. Zone-less stamps are read in
// the context's zone.
std::size_t parse_leading_timestamp(std::string_view s, const time_context& ctx,
                                    std::int64_t& out_ns);

// The subset a syslog header carries: RFC 3164 (with optional year and fraction) and ISO 8601
// with a "T" separator (rsyslog's high-precision format). Same contract as above, no brackets.
std::size_t parse_syslog_timestamp(std::string_view s, const time_context& ctx,
                                   std::int64_t& out_ns);

// Strict RFC 3339 date-time over the whole string: "T" (or "t"), 1-9 fraction digits, a zone
// (Z or ±hh:mm) required, leap second 60 accepted. Years outside what int64 ns can hold
// (1678..2261) are refused.
bool parse_rfc3339(std::string_view whole, std::int64_t& out_ns);

// Configuration of the zone of zone-less stamps: "UTC", "GMT", "Z", "local", "+05:30", "-0800",
// "+05" (ASCII case-insensitive). Sets out.utc_offset_s and out.local_zone; on failure leaves
// `out` unchanged and returns false.
bool parse_zone_spec(std::string_view spec, time_context& out);

// Converts a wall-clock reading in the context's zone, expressed as if it were UTC, to UTC.
// For the local zone the C library's offset at that instant is used (cached per 15 minutes,
// per thread; the zone itself is read once per process, as localtime_r does).
std::int64_t zone_local_to_utc(std::int64_t local_ns, const time_context& ctx);

}  // namespace seerflow::parse
