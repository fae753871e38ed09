#pragma once
// The configuration schema: one row per key, mapping its dotted YAML path onto a field of
// `settings` with its type, bounds and a one-line description. The loader, describe_schema()
// and to_yaml() all walk this table, so a key exists in exactly one place. The supervision
// tree (`supervision:`) has a structure of its own and is read by supervision_reader.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runtime/config/settings.hpp"

namespace seerflow::config {

enum class value_type : std::uint8_t {
  boolean,   // true/false, yes/no, on/off
  integer,   // decimal, within [min, max]
  number,    // finite double, within [min_number, max_number]
  text,      // free string, optionally checked by `check`
  choice,    // one of `choices`
  duration,  // "250ms", "10s", "5m", "1h", "2d" or bare milliseconds, within [min, max] ms
  size,      // "64KiB", "4MiB", ... or bare bytes, within [min, max] bytes
  text_list  // YAML sequence of strings, each one of `choices`, no repeats
};

// A pointer to the field a row reads and writes. The integer types are the ones settings.hpp
// uses; the row's bounds keep values inside the field's type.
using field_ref = std::variant<bool*, int*, std::uint16_t*, std::size_t*, std::int64_t*, double*,
                               std::string*, std::vector<std::string>*>;

struct schema_entry {
  std::string_view key;  // dotted YAML path; `*_ms` fields drop the suffix here
  value_type type;
  field_ref (*field)(settings&);
  std::string_view description;
  std::int64_t min = 0;  // integer, duration (ms), size (bytes)
  std::int64_t max = 0;
  double min_number = 0;
  double max_number = 0;
  std::span<const std::string_view> choices = {};
  // For text and choice: validates (and may normalize) the value, returning an error message
  // when it is refused. Runs before the choices check, so it can explain a known-but-refused
  // value ("postgresql is not supported yet").
  std::optional<std::string> (*check)(std::string& value) = nullptr;
  // How the type is written in describe_schema (and error messages): "UTC offset", "address".
  std::string_view type_note = {};
};

// Every row, grouped by section in the order of conf/seerflow.example.yaml.
std::span<const schema_entry> schema();

// The row for a dotted key, or nullptr.
const schema_entry* find_entry(std::string_view key);

// True when `key` is a section: a proper dotted prefix of some row ("receivers.syslog").
bool is_section(std::string_view key);

// Every section and key path, plus "supervision": the candidates for "did you mean".
const std::vector<std::string>& known_paths();

// The field of `s` that `e` reads, for reading only.
field_ref read_field(const schema_entry& e, const settings& s);

// The value of `e` in `s` as written in YAML ("5ms", "4MiB", "[ip, user]", "\"\"" for an empty
// string). Strings are returned unquoted unless empty.
std::string render_value(const schema_entry& e, const settings& s);

// "integer 0..65535", "duration 1ms..365d", "one of repair|reject", ...
std::string describe_type(const schema_entry& e);

// One line per key: key, type, default, description (columns aligned), then the supervision
// tree's keys. What `seerflow config schema` prints.
std::string describe_schema();

}  // namespace seerflow::config
