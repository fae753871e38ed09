#pragma once
// The textual forms of configuration values: booleans, integers, numbers, durations ("250ms",
// "10s", "5m", "1h", "2d"; a bare number is milliseconds), byte sizes ("64KiB", "4MiB"; a bare
// number is bytes), UTC offsets and registry names. Parsers accept exactly these forms and
// never throw; formatters produce text the parsers read back to the same value.
#include <cstdint>
#include <string>
#include <string_view>

namespace seerflow::config {

// true/false, yes/no, on/off, in any letter case.
bool parse_bool(std::string_view s, bool& out);

// Optional sign, then decimal digits. False on anything else, including overflow (`overflow`
// tells the two apart so the caller can say "out of range" instead of "not an integer").
bool parse_integer(std::string_view s, std::int64_t& out, bool& overflow);

// A finite decimal number ("0.4", "1", "-2.5e-3").
bool parse_number(std::string_view s, double& out);

// <digits><unit> with unit ms, s, m, h or d; bare digits are milliseconds.
bool parse_duration_ms(std::string_view s, std::int64_t& out, bool& overflow);

// <digits><unit> with unit B, KB, KiB, MB, MiB, GB or GiB (KB = 1000, KiB = 1024); bare digits
// are bytes.
bool parse_size_bytes(std::string_view s, std::int64_t& out, bool& overflow);

// The largest unit that divides the value exactly: 600000 -> "10m", 1500 -> "1500ms".
std::string format_duration_ms(std::int64_t ms);

// The largest binary unit that divides the value exactly: 4194304 -> "4MiB", 65507 -> "65507B".
std::string format_size_bytes(std::int64_t bytes);

// Shortest text that parse_number reads back to the same double.
std::string format_number(double v);

// "UTC", "local", or a UTC offset ±hh:mm / ±hhmm of at most 14:00, normalized to ±hh:mm.
bool normalize_timezone(std::string_view s, std::string& out);

// A registry name: 1 to 128 characters from [A-Za-z0-9_.-].
bool is_valid_name(std::string_view s);

// An IPv4 or IPv6 address literal (what the receivers bind to).
bool is_ip_address(std::string_view s);

// Text made safe for a one-line message: control bytes and invalid UTF-8 escaped as \xNN, cut
// to `max_chars` characters (then "..." is appended).
std::string escape_for_message(std::string_view s, std::size_t max_chars = 60);

// escape_for_message wrapped in single quotes: how error messages show a value.
std::string quote_for_message(std::string_view s);

}  // namespace seerflow::config
